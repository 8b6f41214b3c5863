/**
 * GitHub Actions workflow commands: an `::error file=…,line=…,col=…,title=…::message` line shows
 * the message inline at that place in a pull request (printed when GITHUB_ACTIONS=true).
 */

import { terminalText } from './terminal-text.js';

/** Escape a workflow command's message (`property` also escapes `:` and `,`). */
function escapeGithub(text: string, property = false): string {
  // Newlines become %0A (GitHub shows them); other control characters are made visible.
  const escaped = terminalText(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
  return property ? escaped.replace(/:/g, '%3A').replace(/,/g, '%2C') : escaped;
}

/** One `::error` line at `file:line:col` (file as shown to people), with a title and a message. */
export function githubError(at: { file: string; line: number; col: number }, title: string, message: string): string {
  return `::error file=${escapeGithub(at.file, true)},line=${at.line},col=${at.col},title=${escapeGithub(title, true)}::${escapeGithub(message)}`;
}
