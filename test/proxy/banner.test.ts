/**
 * proxyd's paste-ready shell line: clients named after shell or loader variables must not replace
 * them (PATH, LD_PRELOAD, PROMPT_COMMAND), and values are quoted. Pasted into a real bash.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AddressMap } from '../../src/backends/proxy/addressMap.js';
import { labVariables, pasteLine, shellQuote } from '../../src/backends/proxy/banner.js';
import type { ProxyLab } from '../../src/backends/proxy/lab.js';
import { lab004 } from './fixtures.js';

const run = promisify(execFile);

function labWithClients(names: string[]): { vars: Record<string, string> } {
  const state = lab004();
  state.cluster.clients = names.map((name, i) => ({ name, address: `172.18.0.${100 + i}` }));
  const map = new AddressMap(7);
  for (const n of state.cluster.nodes) for (const a of n.addresses) map.add(a, 'node', n.name);
  for (const c of state.cluster.clients) map.add(c.address, 'client', c.name);
  for (const s of state.services) if (s.clusterIP && s.clusterIP !== 'None') map.add(s.clusterIP, 'service', s.name);
  return { vars: labVariables({ map } as unknown as ProxyLab, state) };
}

describe('proxyd paste line', () => {
  it('gives clients SVCLAB_-prefixed variables: path, ld-preload and prompt-command leave the shell alone', async () => {
    const { vars } = labWithClients(['path', 'ld-preload', 'prompt-command', 'mypc']);
    const names = Object.keys(vars);
    expect(names).toEqual(expect.arrayContaining(['SVCLAB_PATH', 'SVCLAB_LD_PRELOAD', 'SVCLAB_PROMPT_COMMAND', 'SVCLAB_MYPC', 'CNODE', 'NPORT']));
    expect(names).not.toContain('PATH');
    expect(names).not.toContain('LD_PRELOAD');
    expect(names).not.toContain('PROMPT_COMMAND');
    const line = pasteLine(vars);
    const { stdout } = await run('bash', ['--norc', '-c', `${line}\nprintf '%s|%s|%s|%s\\n' "$PATH" "\${LD_PRELOAD-unset}" "$SVCLAB_PATH" "$CNODE"`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    expect(stdout.trim()).toBe(`${process.env.PATH ?? '/usr/bin:/bin'}|unset|${vars.SVCLAB_PATH}|${vars.CNODE}`);
  });

  it('quotes every value as one shell word', async () => {
    expect(shellQuote("it's $(x)")).toBe(`'it'\\''s $(x)'`);
    const { stdout } = await run('bash', ['--norc', '-c', `${pasteLine({ A: "it's $(echo pwned) `x`" })}\nprintf '%s' "$A"`]);
    expect(stdout).toBe("it's $(echo pwned) `x`");
  });
});
