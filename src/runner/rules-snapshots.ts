/**
 * Records each node's rules as its kernel held them during a scenario, for the reports: after the
 * first sync and after every change step, keeping a node's snapshot only when its rules changed.
 * Sizes are bounded so a big scenario cannot blow up result.json or the HTML report.
 */
import type { BackendSession } from '../backends/backend.js';
import type { RulesSnapshot } from '../report/result.js';

/** Lines kept per snapshot; the rest is counted in `truncatedLines`. */
export const MAX_SNAPSHOT_LINES = 400;
/** Characters kept per snapshot (long lines: nft sets, big comments). */
export const MAX_SNAPSHOT_CHARS = 48_000;
/** Snapshots kept per scenario; later ones are only counted. */
export const MAX_SNAPSHOTS = 48;

/** Packet/byte counters (`[12:720]` in iptables-save, `packets 3 bytes 180` in nft) say nothing about the rules. */
function withoutCounters(text: string): string {
  return text.replace(/\[\d+:\d+\]/g, '[0:0]').replace(/packets \d+ bytes \d+/g, 'packets 0 bytes 0');
}

/** The first lines of `text` within both caps, and how many lines were left out. */
export function capText(text: string, maxLines = MAX_SNAPSHOT_LINES, maxChars = MAX_SNAPSHOT_CHARS): { text: string; truncatedLines: number } {
  const lines = text.replace(/\n$/, '').split('\n');
  if (text === '') return { text: '', truncatedLines: 0 };
  let kept = 0;
  let chars = 0;
  while (kept < lines.length && kept < maxLines && chars + lines[kept]!.length + 1 <= maxChars) chars += lines[kept++]!.length + 1;
  return { text: lines.slice(0, kept).join('\n') + (kept > 0 ? '\n' : ''), truncatedLines: lines.length - kept };
}

export class RulesRecorder {
  readonly snapshots: RulesSnapshot[] = [];
  /** Snapshots beyond MAX_SNAPSHOTS, not kept. */
  omitted = 0;
  /** Each node's last full dump (before capping, counters zeroed), to see whether its rules changed. */
  private last = new Map<string, string>();

  /**
   * Reads every node's rules from the session (a backend without that ability records nothing).
   * `afterStep` is the step index they follow; undefined for the first sync. Reading is for the
   * report only: a node that cannot be read is recorded with the reason, never fails the scenario.
   */
  async record(session: BackendSession, afterStep: number | undefined): Promise<void> {
    if (session.nodeRules === undefined) return;
    const nodes = await session.nodeRules();
    for (const n of nodes) {
      const key = n.error !== undefined ? `error:${n.error}` : withoutCounters(n.text);
      if (this.last.get(n.node) === key) continue;
      this.last.set(n.node, key);
      if (this.snapshots.length >= MAX_SNAPSHOTS) {
        this.omitted++;
        continue;
      }
      const { text, truncatedLines } = capText(n.text);
      const snapshot: RulesSnapshot = { node: n.node, writtenBy: n.writtenBy, format: n.format, text };
      if (afterStep !== undefined) snapshot.afterStep = afterStep;
      if (truncatedLines > 0) snapshot.truncatedLines = truncatedLines;
      if (n.error !== undefined) snapshot.error = n.error;
      this.snapshots.push(snapshot);
    }
  }
}
