/**
 * Can the netns backend run here? Root, the tools, and a kernel that takes kube-proxy's iptables
 * extensions. Kernel checks run in a throw-away network namespace (`unshare --net`), never in the
 * host's. The answer names exactly what is missing.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BackendUnavailableError } from '../../errors.js';
import { agentScript } from './sandbox.js';

/** Tools the backend runs, and the Debian package that has each. */
const TOOLS: { bin: string; pkg: string }[] = [
  { bin: 'unshare', pkg: 'util-linux' },
  { bin: 'mount', pkg: 'mount' },
  { bin: 'ip', pkg: 'iproute2' },
  { bin: 'iptables-restore', pkg: 'iptables' },
  { bin: 'iptables-save', pkg: 'iptables' },
  { bin: 'conntrack', pkg: 'conntrack' },
  { bin: 'sysctl', pkg: 'procps' },
];

/** One rule per iptables extension kube-proxy's rules use. */
const EXTENSIONS: { name: string; table: 'filter' | 'nat'; rule: string }[] = [
  { name: 'comment', table: 'filter', rule: '-m comment --comment "svclab check" -j ACCEPT' },
  { name: 'conntrack', table: 'filter', rule: '-m conntrack --ctstate INVALID -j DROP' },
  { name: 'mark', table: 'filter', rule: '-m mark --mark 0x4000/0x4000 -j ACCEPT' },
  { name: 'addrtype', table: 'filter', rule: '-m addrtype --dst-type LOCAL -j ACCEPT' },
  { name: 'REJECT', table: 'filter', rule: '-p tcp -m tcp --dport 9 -j REJECT' },
  { name: 'udp', table: 'filter', rule: '-p udp -m udp --dport 9 -j DROP' },
  { name: 'MARK', table: 'nat', rule: '-j MARK --or-mark 0x4000' },
  { name: 'statistic', table: 'nat', rule: '-m statistic --mode random --probability 0.33333333349 -j RETURN' },
  { name: 'recent', table: 'nat', rule: '-m recent --name SVCLAB --rcheck --seconds 10800 --reap -j RETURN' },
  { name: 'DNAT', table: 'nat', rule: '-p tcp -m tcp -j DNAT --to-destination 10.0.0.1:80' },
  { name: 'MASQUERADE', table: 'nat', rule: '-j MASQUERADE --random-fully' },
];

function restoreText(rules: { table: 'filter' | 'nat'; rule: string }[]): string {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    out.push(`*${table}`, ':SVCLAB-CHECK - [0:0]');
    for (const r of rules.filter((x) => x.table === table)) out.push(`-A SVCLAB-CHECK ${r.rule}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

function run(argv: string[], input?: string): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile(argv[0], argv.slice(1), { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err?.message ?? '') });
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

/** True when `bin` is an executable in one of `dirs`. */
export function onPath(bin: string, dirs: string[]): boolean {
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

/** A message naming the tools not found in `dirs` (and their packages), or undefined. */
export function missingTools(dirs: string[]): string | undefined {
  const missing = TOOLS.filter((t) => !onPath(t.bin, dirs));
  if (missing.length === 0) return undefined;
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  return `netns backend needs ${missing.map((t) => t.bin).join(', ')} (Debian packages: ${pkgs.join(' ')})`;
}

let cached: Promise<void> | undefined;

/** Throws BackendUnavailableError naming what is missing; remembers a success. */
export function checkPrerequisites(): Promise<void> {
  cached ??= doCheck().catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function doCheck(): Promise<void> {
  const uid = process.getuid?.();
  if (uid !== 0) throw new BackendUnavailableError(`netns backend needs root (running as uid ${uid ?? 'unknown'})`);
  const missing = missingTools([...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  if (missing) throw new BackendUnavailableError(missing);
  agentScript();
  const sandbox = await run(['unshare', '--mount', '--net', '--pid', '--fork', '--propagation', 'private', '--', 'true']);
  if (sandbox.code !== 0) {
    throw new BackendUnavailableError(`netns backend cannot create private namespaces with unshare: ${sandbox.stderr.trim()}`);
  }
  const links = await run(['unshare', '--net', '--', 'ip', '-batch', '-'], 'link add svca type veth peer name svcb\nlink add svcbr type bridge\n');
  if (links.code !== 0) {
    throw new BackendUnavailableError(`netns backend: kernel lacks veth or bridge support: ${links.stderr.trim()}`);
  }
  const all = await run(['unshare', '--net', '--', 'iptables-restore'], restoreText(EXTENSIONS));
  if (all.code === 0) return;
  const lacking: string[] = [];
  for (const ext of EXTENSIONS) {
    const one = await run(['unshare', '--net', '--', 'iptables-restore'], restoreText([ext]));
    if (one.code !== 0) lacking.push(ext.name);
  }
  const version = (await run(['iptables-restore', '--version'])).stdout.trim();
  if (lacking.length > 0) {
    throw new BackendUnavailableError(
      `netns backend: the kernel (or ${version}) lacks iptables extensions: ${lacking.join(', ')} (modules xt_${lacking.join(', xt_')})`,
    );
  }
  throw new BackendUnavailableError(`netns backend: iptables-restore fails in a new namespace (${version}): ${all.stderr.trim()}`);
}

/** One rule per nftables expression kube-proxy's nftables-mode table uses (kernel modules nft_*). */
const NFT_PROBE = [
  'add table ip svclab-check',
  'add chain ip svclab-check c { type nat hook prerouting priority -100 ; }',
  'add set ip svclab-check s { type ipv4_addr . inet_proto . inet_service ; flags timeout ; }',
  'add map ip svclab-check m { type inet_proto . inet_service : verdict ; }',
  'add chain ip svclab-check t',
  'add rule ip svclab-check c fib daddr type local meta l4proto . th dport vmap @m',
  'add rule ip svclab-check c ct state new numgen random mod 2 vmap { 0 : goto t, 1 : goto t }',
  'add rule ip svclab-check c update @s { ip saddr . meta l4proto . th dport }',
  'add rule ip svclab-check t meta l4proto tcp dnat to 10.0.0.1 : 80',
  'add chain ip svclab-check post { type nat hook postrouting priority 100 ; }',
  'add rule ip svclab-check post mark and 0x4000 != 0 mark set mark xor 0x4000 masquerade fully-random',
  'add chain ip svclab-check f { type filter hook forward priority 0 ; }',
  'add rule ip svclab-check f ct state new ip daddr { 10.96.0.0/16 } reject',
].join('\n') + '\n';

let nftCached: Promise<string | undefined> | undefined;

/**
 * Can the netns backend run nftables-mode scenarios here? `nft` (Debian package nftables) and a
 * kernel that takes the expressions kube-proxy's table uses, tried in a throw-away namespace.
 * Returns why not, or undefined; remembered.
 */
export function checkNftPrerequisites(): Promise<string | undefined> {
  nftCached ??= (async () => {
    if (!onPath('nft', [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
      return 'kube-proxy nftables mode needs the nft tool here (Debian package nftables)';
    }
    const probe = await run(['unshare', '--net', '--', 'nft', '-f', '-'], NFT_PROBE);
    if (probe.code !== 0) return `kube-proxy nftables mode: the kernel refuses kube-proxy's nftables expressions: ${probe.stderr.trim().split('\n')[0]}`;
    return undefined;
  })();
  return nftCached;
}
