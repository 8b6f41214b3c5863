/** Hostile input is refused quickly with a clear message (never a crash or a hang). */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/dsl/load.js';
import { ScenarioError } from '../../src/errors.js';
import { tempDir, writeTemp } from './helpers.js';

async function rejection(name: string, content: string | Buffer): Promise<ScenarioError> {
  const file = writeTemp(name, content);
  try {
    await loadScenarioFile(file);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

describe('malicious input', () => {
  it('refuses files over 1 MiB before parsing', async () => {
    const err = await rejection('huge.yaml', 'name: x\n' + '# padding\n'.repeat(110_000));
    expect(err.message).toMatch(/^error: file is too large \(\d+ bytes\)/);
    expect(err.message).toContain('= expected at most 1048576 bytes (1 MiB)');
    // Even without a text to frame, the message names a position.
    expect(err.message).toMatch(/--> .*huge\.yaml:1:1$/m);
  });

  it('refuses what is not a regular file, naming file:1:1 and what was expected', async () => {
    const dir = path.join(tempDir(), 'folder.yaml');
    mkdirSync(dir, { recursive: true });
    const fifo = path.join(tempDir(), 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const [file, what] of [[dir, 'a folder'], [fifo, 'a device, pipe or socket']] as const) {
      let error: unknown;
      try {
        await loadScenarioFile(file);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ScenarioError);
      const message = (error as ScenarioError).message;
      expect(message).toContain(`error: not a regular file (${what})`);
      expect(message).toMatch(/:1:1$/m);
      expect(message).toContain('= expected a regular YAML file');
    }
  });

  it('refuses invalid UTF-8 and control characters', async () => {
    const latin1 = (await rejection('latin1.yaml', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]))).message;
    expect(latin1).toContain('error: file is not valid UTF-8 (byte 0xe9 at offset 6)');
    expect(latin1).toMatch(/latin1\.yaml:1:7$/m);
    expect((await rejection('ctl.yaml', 'name: a\u0007b\n')).message).toContain('error: file contains a control character (U+0007): binary data, not YAML');
  });

  it('refuses very deep nesting without overflowing the stack', async () => {
    const deep = 'name: x\ncluster: ' + '['.repeat(20_000) + ']'.repeat(20_000) + '\n';
    expect((await rejection('deep.yaml', deep)).message).toContain('YAML nesting is too deep');
  });

  it('refuses an exponential alias bomb', async () => {
    let text = 'name: x\nl0: &l0 [a, a, a, a, a, a, a, a, a, a]\n';
    for (let i = 1; i < 9; i++) text += `l${i}: &l${i} [${new Array(10).fill(`*l${i - 1}`).join(', ')}]\n`;
    const message = (await rejection('bomb.yaml', text)).message;
    expect(message).toContain('too many YAML alias expansions');
    expect(message).toMatch(/bomb\.yaml:\d+:\d+$/m);
    expect(message).toContain('= expected aliases to expand to at most 10000 nodes in total');
  });

  it('refuses a resource file outside the scenario folder', async () => {
    const err = await rejection(
      'escape.yaml',
      'name: x\ncluster: { nodes: [{ name: n, ip: 172.18.0.2 }] }\nresources: [{ file: ../../etc/passwd.yaml }]\nsteps: [{ send: 1 curl to 172.18.0.2:80 from node n, expect: { outcome: ok } }]\n',
    );
    expect(err.message).toMatch(/resource file '..\/..\/etc\/passwd.yaml' (does not exist|is outside the scenario's folder)/);
  });
});
