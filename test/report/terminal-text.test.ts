/**
 * Scenario text never reaches a terminal as raw control characters: ESC (colours, cursor moves),
 * OSC (window title), BEL and C1 controls are printed as visible escapes by every command.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCompareConsole } from '../../src/compare/console.js';
import type { CompareResult } from '../../src/compare/model.js';
import { terminalText } from '../../src/report/terminal-text.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repo, 'dist/cli/main.js');
// Raw control characters a terminal would act on (the reporters' own colours are off: NO_COLOR).
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u009b31m';

let dir: string;
beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npx tsc -p .` first');
  dir = mkdtempSync(join(tmpdir(), 'svclab-tty-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function svclab(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: dir, timeout: 50_000, env: { ...process.env, NO_COLOR: '1', CI: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr });
    });
  });
}

/** The lab 000 scenario with its first step titled `title` and expecting a wrong outcome. */
function hostileScenario(file: string, title: string): string {
  const text = readFileSync(join(repo, 'scenarios/labs/000-nodeport-basics.yaml'), 'utf8')
    .replace('  - send: 99 curls to CNODE:NPORT from bastion\n    expect:\n      outcome: ok', `  - name: ${JSON.stringify(title)}\n    send: 99 curls to CNODE:NPORT from bastion\n    expect:\n      outcome: refused`);
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

describe('terminal output escapes control characters from scenario text', () => {
  it('terminalText makes ESC, BEL, OSC, C1 and bidi overrides visible and keeps newlines and tabs', () => {
    expect(terminalText(`a${EVIL}\tb\nc\u202e`)).toBe('a\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\tb\nc\\u202e');
    expect(terminalText('a\nb', true)).toBe('a\\nb');
  });

  it('run: a failing step with an OSC title prints it escaped (console)', async () => {
    const file = hostileScenario('run.yaml', `title ${EVIL}`);
    const r = await svclab(['run', file, '--reporter', 'console']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('title \\x1b]0;pwned\\x07');
    expect(r.out).not.toMatch(RAW_CONTROL);
  });

  it('run with GITHUB_ACTIONS: the ::error lines are escaped too', async () => {
    const file = hostileScenario('gh.yaml', `t ${EVIL}`);
    const r = await new Promise<string>((resolve) =>
      execFile(process.execPath, [cli, 'run', file, '--reporter', 'console'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: 'true', GITHUB_ACTIONS: 'true' } }, (_e, so, se) => resolve(so + se)),
    );
    expect(r).toContain('::error ');
    expect(r).not.toMatch(RAW_CONTROL);
  });

  it('validate: an invalid scenario whose text holds control characters', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, `name: ${JSON.stringify(`bad${EVIL}`)}\ncluster: { nodes: [] }\nsteps: []\n`);
    const r = await svclab(['validate', path]);
    expect(r.code).toBe(3);
    expect(r.out).not.toMatch(RAW_CONTROL);
  });

  it('trace: an unknown client name given with control characters', async () => {
    const r = await svclab(['trace', join(repo, 'scenarios/labs/000-nodeport-basics.yaml'), '--from', `x${EVIL}`, '--to', 'CNODE:NPORT']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('x\\x1b]0;pwned');
    expect(r.out).not.toMatch(RAW_CONTROL);
  });

  it('compare console: scenario names, titles and reasons', () => {
    const result = {
      backends: [
        { name: 'sim', state: 'ran' },
        { name: 'proxy', state: 'unavailable', reason: `no ${EVIL}` },
      ],
      seed: 1,
      durationMs: 1,
      exitCode: 1,
      totals: { agree: 0, known: 0, disagree: 1, stale: 0, error: 0 },
      scenarios: [
        {
          name: `s${EVIL}`,
          file: 'f.yaml',
          verdict: 'disagree',
          errors: { proxy: `boom${EVIL}` },
          steps: [
            {
              index: 0,
              title: `t${EVIL}`,
              kind: 'send',
              verdict: 'disagree',
              compared: 2,
              loc: { file: 'f.yaml', line: 1, col: 1 },
              cells: { sim: { status: 'pass' }, proxy: { status: 'skip', reason: `why${EVIL}` } },
              differences: [],
              divergences: [],
            },
          ],
        },
      ],
    } as unknown as CompareResult;
    const text = renderCompareConsole(result, { color: false, cwd: '/', github: true });
    expect(text).toContain('s\\x1b]0;pwned');
    expect(text).not.toMatch(RAW_CONTROL);
  });
});
