/**
 * Scenario diagnostics: what went wrong, where, and what was expected, printed like rustc/Hurl:
 *
 *   error: unknown key 'replica' in Deployment spec
 *     --> scenarios/x.yaml:14:7
 *      |
 *   14 |       replica: 3
 *      |       ^^^^^^^
 *      = expected one of: replicas, selector, template
 *      = did you mean 'replicas'?
 */
import path from 'node:path';

/** A span in a source text: 0-based offsets. */
export interface Span {
  start: number;
  end: number;
}

export interface Diagnostic {
  message: string;
  /** Absolute path of the file. */
  file: string;
  /** The file's text (for the code frame); absent when the file could not be read as text. */
  text?: string;
  span?: Span;
  /** Lines printed after the frame as `= ...`. */
  notes: string[];
}

/** 1-based line and column of an offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

/** The path as shown to the user: relative to the working directory. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' ? file : rel;
}

export function formatDiagnostic(d: Diagnostic): string {
  const out: string[] = [`error: ${d.message}`];
  if (d.text !== undefined && d.span !== undefined) {
    const { line, col } = lineCol(d.text, d.span.start);
    const lineNo = String(line);
    const gutter = ' '.repeat(lineNo.length);
    const lines = d.text.split('\n');
    const src = (lines[line - 1] ?? '').replace(/\r$/, '');
    const width = Math.max(1, Math.min(d.span.end, d.span.start + (src.length - col + 1)) - d.span.start);
    // Tabs in the prefix keep their width so the caret lines up.
    const prefix = src.slice(0, col - 1).replace(/[^\t]/g, ' ');
    out.push(`${gutter}--> ${displayPath(d.file)}:${line}:${col}`);
    out.push(`${gutter} |`);
    out.push(`${lineNo} | ${src}`);
    out.push(`${gutter} | ${prefix}${'^'.repeat(width)}`);
    for (const note of d.notes) out.push(`${gutter} = ${note}`);
  } else {
    // No text to frame (unreadable, too large, not a file): still name a position, the file's start.
    out.push(` --> ${displayPath(d.file)}:1:1`);
    for (const note of d.notes) out.push(`  = ${note}`);
  }
  return out.join('\n');
}

/** Thrown inside the DSL with a located diagnostic; `load.ts` turns it into a ScenarioError. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n\n'));
    this.name = 'DiagnosticError';
  }
}

// ---------------------------------------------------------------- suggestions

/** Optimal-string-alignment distance: edits, where swapping two neighbours counts as one. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate when it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const score = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestScore <= limit ? best : undefined;
}

/** `= did you mean 'x'?` note, when there is a close candidate. */
export function didYouMean(word: string, candidates: Iterable<string>): string[] {
  const c = closest(word, candidates);
  return c === undefined || c === word ? [] : [`did you mean '${c}'?`];
}
