/**
 * Scenario text (names, titles, messages, file names) shown on a terminal: control characters are
 * written as visible escapes so a scenario cannot move the cursor, ring the bell, set the window
 * title (OSC), or hide text. ESC becomes `\x1b`, BEL `\x07`, C1 controls `\x9b`, bidirectional
 * overrides `\u202e`; newline and tab stay unless `singleLine`.
 */

// C0 except tab and newline, DEL, C1, and the bidirectional embedding/override/isolate characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` safe to print on a terminal (see above). */
export function terminalText(text: string, singleLine = false): string {
  return text.replace(singleLine ? UNSAFE_SINGLE_LINE : UNSAFE, visible);
}
