/**
 * `nft list table` text in a canonical form, so kube-proxy's table and svclab's compare equal
 * exactly when they hold the same sets, maps, chains and rules. Both texts are printed by the same
 * `nft`, so expressions already read the same; what is left to even out:
 * - the order of the table's sets, maps and chains (the listing follows creation order, and
 *   kube-proxy's partial syncs create them in a different order than one whole load does);
 * - the order of set and map elements (a hash set lists in its own order);
 * - counter values. Rule order inside a chain is kept: it is meaningful.
 */

const KIND_ORDER = ['set', 'map', 'flowtable', 'counter', 'chain'];

interface Block {
  kind: string;
  name: string;
  lines: string[];
}

/** Splits `a, b, c` at the commas that are not inside braces. */
function splitElements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== '') out.push(last);
  return out;
}

/** The block's lines with its `elements = { ... }` (possibly many lines) as sorted single lines. */
function normalizeBlock(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const open = /^elements = \{(.*)$/.exec(line);
    if (open === null) {
      out.push(line);
      continue;
    }
    let body = open[1];
    while (!/\}\s*$/.test(body) && i + 1 < lines.length) body += ' ' + lines[++i];
    body = body.replace(/\}\s*$/, '');
    out.push('elements = {', ...splitElements(body).sort().map((e) => `  ${e}`), '}');
  }
  return out;
}

/** The canonical lines of an `nft list table`/`nft list ruleset` text (see the module comment). */
export function normalizeNftList(text: string): string[] {
  const header: string[] = [];
  const blocks: Block[] = [];
  const out: string[] = [];
  let block: Block | undefined;
  let depth = 0;
  let table = '';
  const flush = () => {
    if (table === '') return;
    out.push(table, ...header);
    blocks.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const b of blocks) out.push(`${b.kind} ${b.name} {`, ...normalizeBlock(b.lines).map((l) => `  ${l}`), '}');
    out.push('}');
    header.length = 0;
    blocks.length = 0;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/\bpackets \d+ bytes \d+\b/g, 'packets 0 bytes 0');
    if (line === '') continue;
    const opens = (line.match(/\{/g) ?? []).length;
    const closes = (line.match(/\}/g) ?? []).length;
    if (depth === 0) {
      flush();
      table = line;
    } else if (depth === 1 && block === undefined && opens > closes) {
      const [kind, name] = line.split(/\s+/);
      block = { kind, name, lines: [] };
      blocks.push(block);
    } else if (depth === 1 && block === undefined) {
      if (line !== '}') header.push(`  ${line}`);
    } else if (block !== undefined && !(depth + opens - closes === 1 && line === '}')) {
      block.lines.push(line);
    }
    depth += opens - closes;
    if (depth <= 1) block = undefined;
  }
  flush();
  return out;
}
