/**
 * Tokens of `nft list ruleset` text, each with its 1-based line and column so every parse error
 * can point at the exact place. Words run to the next blank or punctuation; `:` and `.` stay
 * inside words (`10.0.0.1:80`, `10.0.0.0/8`) and are operators only when written apart, as nft
 * prints them (`a . b`, `k : v`). Newlines are tokens: a rule ends at the end of its line.
 */
import { ExitCode, SvclabError } from '../../errors.js';

export type TokenKind = 'word' | 'string' | 'punct' | 'nl' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  col: number;
}

/** A dump that does not parse: `source:line:col: problem`, the line, and a caret under the spot. */
export class NftParseError extends SvclabError {
  constructor(message: string) {
    super(message, ExitCode.invalidScenario);
  }
}

const PUNCT = new Set(['{', '}', '(', ')', ',', ';']);

export function located(source: string, lines: string[], line: number, col: number, problem: string): NftParseError {
  const text = lines[line - 1] ?? '';
  const shown = text.replace(/\t/g, ' ');
  return new NftParseError(`${source}:${line}:${col}: ${problem}\n  ${shown}\n  ${' '.repeat(Math.max(0, col - 1))}^`);
}

export function tokenize(text: string, source: string): { tokens: Token[]; lines: string[] } {
  const lines = text.split('\n');
  const tokens: Token[] = [];
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    const n = line.length;
    let i = 0;
    while (i < n) {
      const ch = line[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\r') {
        i++;
        continue;
      }
      // `# handle 12` (nft -a) and other trailing comments: nothing after them matters.
      if (ch === '#') break;
      const col = i + 1;
      if (ch === '"') {
        let j = i + 1;
        let s = '';
        while (j < n && line[j] !== '"') {
          if (line[j] === '\\' && j + 1 < n) {
            s += line[j + 1];
            j += 2;
          } else s += line[j++];
        }
        if (j >= n) throw located(source, lines, li + 1, col, 'unterminated string: expected a closing "');
        tokens.push({ kind: 'string', text: s, line: li + 1, col });
        i = j + 1;
        continue;
      }
      if (PUNCT.has(ch)) {
        tokens.push({ kind: 'punct', text: ch, line: li + 1, col });
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n) {
        const c = line[j]!;
        if (c === ' ' || c === '\t' || c === '\r' || c === '"' || PUNCT.has(c)) break;
        j++;
      }
      tokens.push({ kind: 'word', text: line.slice(i, j), line: li + 1, col });
      i = j;
    }
    tokens.push({ kind: 'nl', text: '\n', line: li + 1, col: n + 1 });
  }
  tokens.push({ kind: 'eof', text: '', line: lines.length, col: (lines[lines.length - 1]?.length ?? 0) + 1 });
  return { tokens, lines };
}

/** A cursor over the tokens with the helpers every parser part uses. */
export class Cursor {
  pos = 0;
  constructor(
    readonly tokens: Token[],
    readonly lines: string[],
    readonly source: string,
  ) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  /** The next token is the word (or punctuation) `text`. */
  is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === 'word' || t.kind === 'punct') && t.text === text;
  }

  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }

  expect(text: string, what?: string): Token {
    if (!this.is(text)) throw this.error(`expected ${what ?? `'${text}'`}`);
    return this.next();
  }

  word(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'word') throw this.error(`expected ${what}`);
    return this.next();
  }

  skipNewlines(): void {
    while (this.peek().kind === 'nl') this.next();
  }

  atLineEnd(): boolean {
    const k = this.peek().kind;
    return k === 'nl' || k === 'eof';
  }

  /** An error at token `t` (default: the next one), naming what was found there. */
  error(problem: string, t: Token = this.peek()): NftParseError {
    const found = t.kind === 'nl' ? 'end of line' : t.kind === 'eof' ? 'end of input' : t.kind === 'string' ? `"${t.text}"` : `'${t.text}'`;
    return located(this.source, this.lines, t.line, t.col, `${problem}, found ${found}`);
  }

  /** The source text from token `from` to the end of its line (a rule as written). */
  lineText(from: Token): string {
    return (this.lines[from.line - 1] ?? '').slice(from.col - 1).replace(/\s+# handle \d+\s*$/, '').trim();
  }
}
