/**
 * The imported scenario as YAML text: a header (schema pointer, where it came from, what was
 * assumed), compact flow style for short maps, the cluster's real pod addresses as comments, and
 * predicted expectations marked as such.
 */
import { Document, isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import type { ImportResult } from './import-cluster.js';

export interface WriteOptions {
  /** Path of the schema relative to the output file. */
  schemaPath: string;
  inputs: string[];
  /** Comment for each predicted expect, by step index. */
  predicted?: Map<number, string>;
}

const PREDICTED = 'predicted by svclab import --predict (the simulator, every random branch)';

export function writeScenario(result: ImportResult, options: WriteOptions): string {
  const doc = new Document(result.scenario, { aliasDuplicateObjects: false });
  const header = [
    ` yaml-language-server: $schema=${options.schemaPath}`,
    '',
    ` Imported by 'svclab import' from ${options.inputs.join(', ')}.`,
    " Pods keep their names, nodes and labels; svclab gives them addresses from their node's pod",
    ' range (each pod\'s address in the cluster is noted above it). Services keep their cluster IPs',
    ' and node ports. Check it with: svclab validate <this file>',
  ];
  if (result.notes.length) header.push('', ' Notes:', ...result.notes.map((n) => `   ${n}`));
  doc.commentBefore = header.join('\n');

  const flow = (node: unknown) => {
    if (isMap(node) || isSeq(node)) (node as YAMLMap).flow = true;
  };
  const nodes = doc.getIn(['cluster', 'nodes'], true);
  if (isSeq(nodes)) nodes.items.forEach(flow);
  const clients = doc.getIn(['cluster', 'clients'], true);
  if (isSeq(clients)) clients.items.forEach(flow);
  const resources = doc.get('resources', true);
  if (isSeq(resources)) {
    resources.items.forEach((item, i) => {
      const comment = result.podComments.get(i);
      if (comment) (item as Node).commentBefore = ` ${comment}`;
      if (!isMap(item)) return;
      flow(item.get('metadata', true));
      const spec = item.get('spec', true);
      if (isMap(spec)) {
        flow(spec.get('selector', true));
        const ports = spec.get('ports', true);
        if (isSeq(ports)) ports.items.forEach(flow);
        const containers = spec.get('containers', true);
        if (isSeq(containers)) {
          for (const c of containers.items) {
            const cports = isMap(c) ? c.get('ports', true) : undefined;
            if (isSeq(cports)) cports.items.forEach(flow);
          }
        }
      }
      const ports = item.get('ports', true);
      if (isSeq(ports)) ports.items.forEach(flow);
      const endpoints = item.get('endpoints', true);
      if (isSeq(endpoints)) endpoints.items.forEach(flow);
    });
  }
  const steps = doc.get('steps', true);
  if (isSeq(steps)) {
    steps.items.forEach((item, i) => {
      if (!isMap(item)) return;
      flow(item.get('send', true));
      flow(item.get('expect', true));
      const note = options.predicted?.get(i);
      const expect = item.get('expect', true) as Node | undefined;
      if (expect && options.predicted) expect.comment = ` ${note ?? PREDICTED}`;
      else if (expect) expect.comment = ' what a working Service does; --predict writes what the simulator says';
    });
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}
