/**
 * A unified diff of two line lists (longest common subsequence), with a few lines of context,
 * for showing how svclab's rules differ from kube-proxy's. Common leading and trailing lines are
 * trimmed first, so the quadratic table covers only the part that differs.
 */

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Every line of `a` and `b` in order, marked kept, removed (only in a) or added (only in b). */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const cols = y.length + 1;
  // lcs[i * cols + j]: length of the longest common subsequence of x[i..] and y[j..].
  const lcs = new Uint32Array((x.length + 1) * cols);
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      lcs[i * cols + j] = x[i] === y[j] ? lcs[(i + 1) * cols + j + 1] + 1 : Math.max(lcs[(i + 1) * cols + j], lcs[i * cols + j + 1]);
    }
  }
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      out.push({ op: ' ', text: x[i++] });
      j++;
    } else if (j < y.length && (i === x.length || lcs[i * cols + j + 1] > lcs[(i + 1) * cols + j])) {
      out.push({ op: '+', text: y[j++] });
    } else {
      out.push({ op: '-', text: x[i++] });
    }
  }
  out.push(...a.slice(a.length - tail).map((text): DiffLine => ({ op: ' ', text })));
  return out;
}

/** Hunks of changed lines with `context` lines around them; empty when a and b are equal. */
export function unifiedDiff(a: readonly string[], b: readonly string[], labels: { a: string; b: string }, context = 3): string {
  const lines = diffLines(a, b);
  const changed = lines.flatMap((l, i) => (l.op === ' ' ? [] : [i]));
  if (changed.length === 0) return '';
  const out = [`--- ${labels.a}`, `+++ ${labels.b}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = changed[k];
    while (k < changed.length && changed[k] <= end + 2 * context + 1) end = changed[k++];
    end = Math.min(lines.length - 1, end + context);
    const before = lines.slice(0, start);
    const hunk = lines.slice(start, end + 1);
    const aStart = before.filter((l) => l.op !== '+').length + 1;
    const bStart = before.filter((l) => l.op !== '-').length + 1;
    out.push(`@@ -${aStart},${hunk.filter((l) => l.op !== '+').length} +${bStart},${hunk.filter((l) => l.op !== '-').length} @@`);
    for (const l of hunk) out.push(`${l.op}${l.text}`);
  }
  return out.join('\n') + '\n';
}
