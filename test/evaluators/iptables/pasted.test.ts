import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DumpInputError, readPastedIptables } from '../../../src/evaluators/iptables/read-pasted.js';
import { readDump, traceRules } from '../../../src/evaluators/iptables/trace-rules.js';
import { detectDumpFormat, readAnyDump } from '../../../src/evaluators/dump-format.js';

/** Real pastes from public issues (source URL in each file's first comment). */
const pasted = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/pasted/${name}`, import.meta.url)), 'utf8');

function trace(name: string, input: { nodeIPs: string[]; from: string; to: string; port: number; protocol?: string }) {
  const dump = readDump(pasted(name), name);
  return { dump, result: traceRules(dump.rules, input) };
}

describe('rules as pasted from real issues', () => {
  it('weave#3568 grep fragment: eTP=Local node port without a local endpoint drops, and says why', () => {
    const { dump, result } = trace('weave-3568-grep-nginx-ext.txt', { nodeIPs: ['192.168.1.10'], from: '203.0.113.5', to: '192.168.1.10', port: 32204 });
    expect(dump.format).toBe('iptables-save fragment');
    expect(result.verdict).toBe('drop');
    expect(result.why).toBe('default/nginx-ext: has no local endpoints -> DROP');
    expect(dump.warnings).toContain("no rule jumps from PREROUTING or OUTPUT to KUBE-SERVICES: assumed kube-proxy's standard hooks");
    expect(dump.warnings.some((w) => w.startsWith('KUBE-MARK-DROP has no rules in the dump'))).toBe(true);
    expect(dump.warnings.some((w) => w.startsWith('KUBE-MARK-MASQ has no rules in the dump'))).toBe(true);
    expect(dump.warnings.some((w) => w.startsWith('line 3: shell command line left out'))).toBe(true);
  });
  it('weave#3568 grep fragment: the cluster IP reaches the endpoint, masqueraded from outside the pod CIDR', () => {
    const { result } = trace('weave-3568-grep-nginx-ext.txt', { nodeIPs: ['192.168.1.10'], from: '192.168.1.10', to: '10.108.2.154', port: 80 });
    expect(result.verdict).toBe('ok');
    expect(result.endpoints).toEqual([{ endpoint: '10.44.0.56:80', probability: 1 }]);
    expect(result.masquerade).toBe(true);
    expect(result.why).toBe('default/nginx-ext: -> DNAT to 10.44.0.56:80');
    const fromPod = trace('weave-3568-grep-nginx-ext.txt', { nodeIPs: ['192.168.1.10'], from: '10.44.0.9', to: '10.108.2.154', port: 80 }).result;
    expect(fromPod.masquerade).toBe(false);
  });
  it('kube-hetzner#1210 grep of KUBE-SVC: declared but empty chains are named, in the warnings and the why', () => {
    const { dump, result } = trace('kube-hetzner-1210-grep-kube-svc.txt', { nodeIPs: ['10.0.0.5'], from: '10.42.1.5', to: '10.43.0.10', port: 53, protocol: 'udp' });
    expect(result.verdict).toBe('none');
    expect(result.why).toBe('kube-system/kube-dns:dns cluster IP -> jump to KUBE-SVC-TCOU7JCQXEZGVUNU, which has no rules in the dump (the walk returned from it; paste its rules to follow it)');
    expect(dump.warnings.some((w) => w.includes('KUBE-SVC-TCOU7JCQXEZGVUNU') && w.includes('no rules in the dump'))).toBe(true);
    // TCP 53 goes to another chain than UDP 53: the table inference kept both KUBE-SERVICES rules in nat.
    const tcp = traceRules(dump.rules, { nodeIPs: ['10.0.0.5'], from: '10.42.1.5', to: '10.43.0.10', port: 53, protocol: 'tcp' });
    expect(tcp.why).toContain('KUBE-SVC-ERIFXISQEP7F7OF4');
  });
  it('kubernetes#114470 kind nat rules: an undeclared jump target is an empty chain with a located warning', () => {
    const { dump, result } = trace('kubernetes-114470-kind-nat.txt', { nodeIPs: ['172.18.0.2'], from: '10.244.1.5', to: '172.18.0.2', port: 31964 });
    expect(dump.warnings).toContain('line 4: jumps to KUBE-SVC-QATUYZLPU4I4HE4S, which has no rules in the dump: treated as empty (the packet returns from it)');
    expect(result.why).toMatch(/^pod traffic for default\/nodeport-service external destinations -> jump to KUBE-SVC-QATUYZLPU4I4HE4S/);
    // The paste has KUBE-MARK-MASQ and KUBE-POSTROUTING rules: nothing assumed for them.
    expect(dump.warnings.some((w) => w.startsWith('KUBE-MARK-MASQ has no rules'))).toBe(false);
    const dns = traceRules(dump.rules, { nodeIPs: ['172.18.0.2'], from: '10.244.0.3', to: '10.96.0.10', port: 53, protocol: 'udp' });
    expect(dns.verdict).toBe('none');
  });
  it('kubernetes#61005 iptables-save cut before COMMIT: read, with the truncation named', () => {
    const { dump, result } = trace('kubernetes-61005-iptables-save.txt', { nodeIPs: ['10.0.0.5'], from: '10.0.0.9', to: '10.96.0.10', port: 53, protocol: 'udp' });
    expect(dump.format).toBe('iptables-save');
    expect(dump.warnings).toContain("table 'nat' has no COMMIT (truncated paste?): read to the end");
    expect(dump.warnings.some((w) => w.includes('assumed'))).toBe(false);
    expect(result.verdict).toBe('none');
  });
  it('kube-router#618 iptables --list-rules: -P policies make the filter table; FORWARD DROP decides', () => {
    const { dump, result } = trace('kube-router-618-list-rules.txt', { nodeIPs: ['10.206.32.10'], from: '10.0.0.9', to: '10.96.0.10', port: 53 });
    expect(dump.format).toBe('iptables -S');
    expect(dump.rules.ruleset.tables.get('filter')!.chains.get('FORWARD')!.policy).toBe('DROP');
    expect(dump.rules.ruleset.tables.get('filter')!.chains.has('KUBE-ROUTER-SERVICES')).toBe(true);
    expect(result.verdict).toBe('drop');
    expect(result.why).toBe('no rule accepted it -> filter FORWARD policy DROP');
  });
  it('kubernetes#54203 rules with -m set and counters: a named, located warning, the rule treated as not matching', () => {
    const { dump, result } = trace('kubernetes-54203-set-match.txt', { nodeIPs: ['10.0.0.5'], from: '10.0.0.9', to: '8.8.8.8', port: 53, protocol: 'udp' });
    expect(dump.warnings.filter((w) => /^line [34]:\d+: unknown match '-m set'.*rule left out \(treated as not matching\)$/.test(w))).toHaveLength(2);
    expect(dump.warnings.some((w) => w.startsWith("line 3:14: unknown match '-m set'"))).toBe(true);
    expect(result.verdict).toBe('none');
  });
  it('kube-router#1069 filter table: kubelet KUBE-FIREWALL drops marked packets; other tables are evaluated as written', () => {
    const { dump, result } = trace('kube-router-1069-iptables-save-filter.txt', { nodeIPs: ['10.0.0.5'], from: '10.0.0.9', to: '10.1.0.1', port: 80 });
    expect(dump.format).toBe('iptables-save');
    expect(result.verdict).toBe('drop');
    expect(result.why).toBe('no rule accepted it -> filter FORWARD policy DROP');
  });
});

describe('pasted formats', () => {
  it('iptables -t nat -S and -t filter -S pasted one after the other keep their tables', () => {
    const text = [
      '-P PREROUTING ACCEPT', '-P INPUT ACCEPT', '-P OUTPUT ACCEPT', '-P POSTROUTING ACCEPT',
      '-N KUBE-SERVICES',
      '-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/web:http cluster IP" -m tcp --dport 80 -j RETURN',
      '-P INPUT ACCEPT', '-P FORWARD ACCEPT', '-P OUTPUT ACCEPT',
      '-N KUBE-SERVICES',
      '-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "ns/web:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    ].join('\n');
    const { ruleset, format, warnings } = readPastedIptables(text, 'paste');
    expect(format).toBe('iptables -S');
    expect(ruleset.tables.get('nat')!.chains.get('KUBE-SERVICES')!.rules).toHaveLength(1);
    expect(ruleset.tables.get('filter')!.chains.get('KUBE-SERVICES')!.rules[0]!.target).toEqual({ kind: 'REJECT', rejectWith: 'icmp-port-unreachable' });
    expect(warnings.some((w) => w.includes('no table header'))).toBe(false);
    const dump = readDump(text, 'paste');
    const r = traceRules(dump.rules, { nodeIPs: ['10.0.0.5'], from: '10.0.0.5', to: '10.96.0.10', port: 80 });
    expect(r.verdict).toBe('reject');
    expect(r.why).toBe('ns/web:http has no endpoints -> REJECT');
  });
  it('a statistic split gives each endpoint its probability and a why naming the Service', () => {
    const text = [
      '-A KUBE-SERVICES -d 10.0.0.10/32 -p tcp -m comment --comment "default/hostnames: cluster IP" -m tcp --dport 80 -j KUBE-SVC-A',
      '-A KUBE-SVC-A -m comment --comment "default/hostnames:" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-1',
      '-A KUBE-SVC-A -m comment --comment "default/hostnames:" -j KUBE-SEP-2',
      '-A KUBE-SEP-1 -p tcp -m comment --comment "default/hostnames:" -m tcp -j DNAT --to-destination 10.244.1.7:9376',
      '-A KUBE-SEP-2 -p tcp -m comment --comment "default/hostnames:" -m tcp -j DNAT --to-destination 10.244.2.3:9376',
    ].join('\n');
    const dump = readDump(text, 'paste');
    const r = traceRules(dump.rules, { nodeIPs: ['10.0.0.5'], from: '10.244.1.9', to: '10.0.0.10', port: 80 });
    expect(r.endpoints).toEqual([{ endpoint: '10.244.1.7:9376', probability: 0.5 }, { endpoint: '10.244.2.3:9376', probability: 0.5 }]);
    expect(r.why).toBe('default/hostnames: -> DNAT to one of 2 endpoints, chosen at random');
  });
  it('tells iptables pastes from nft output, and says which it got', () => {
    for (const name of ['weave-3568-grep-nginx-ext.txt', 'kube-router-618-list-rules.txt', 'kubernetes-61005-iptables-save.txt', 'kubernetes-54203-set-match.txt', 'kube-hetzner-1210-grep-kube-svc.txt']) {
      expect(detectDumpFormat(pasted(name), name)).toBe('iptables');
    }
    const nft = '$ sudo nft list ruleset\ntable ip kube-proxy {\n\tchain services {\n\t}\n}\ntable ip6 kube-proxy {\n}\n';
    expect(detectDumpFormat(nft, 'r.nft')).toBe('nftables');
    const read = readAnyDump(nft, 'r.nft');
    expect(read.readAs).toBe('nft list ruleset');
    expect(read.warnings).toEqual(['line 1: shell command line left out: $ sudo nft list ruleset', "line 6: table ip6 kube-proxy left out (only ip and inet tables carry kube-proxy's IPv4 rules)"]);
    expect(readAnyDump(pasted('weave-3568-grep-nginx-ext.txt'), 'w').readAs).toBe('iptables-save fragment');
    expect(() => detectDumpFormat('hello\n', 'h.txt')).toThrow(/^h\.txt:1:1: expected an iptables-save or 'iptables -S' line .* found 'hello'/);
    expect(() => detectDumpFormat('hello\n', 'h.txt')).toThrow(DumpInputError);
  });
  it('text that is not a rule dump: located errors naming what was expected', () => {
    expect(() => readPastedIptables('hello\n  world', 'f.txt')).toThrow(DumpInputError);
    expect(() => readPastedIptables('hello\n  world', 'f.txt')).toThrow(/^f\.txt:1:1: expected an iptables-save or 'iptables -S' line .* found 'hello'\nf\.txt:2:3: expected/);
    expect(() => readPastedIptables('Chain INPUT (policy ACCEPT)\ntarget prot opt source destination', 'l.txt')).toThrow(/^l\.txt:1:1: this is 'iptables -L' output/);
    expect(() => readPastedIptables('', 'e.txt')).toThrow(/^e\.txt:1:1: .*found no rules/);
    expect(() => readPastedIptables(':KUBE-SVC-X WHAT [0:0]', 'c.txt')).toThrow(/^c\.txt:1:1: expected ':CHAIN POLICY/);
    try {
      readPastedIptables('nope', 'x');
    } catch (err) {
      expect((err as DumpInputError).exitCode).toBe(3);
    }
  });
});
