/**
 * The import benchmark: `svclab import` of a synthetic 5,000-object kubectl List (YAML, as kubectl
 * prints it), read, turned into a scenario and written as text. Baseline: the yaml library parsing
 * the same text into plain objects, which is the floor for any YAML importer.
 */
import { parseAllDocuments, stringify } from 'yaml';
import { importCluster } from '../import/import-cluster.js';
import { InputSource, objectsOf } from '../import/read-input.js';
import { writeScenario } from '../import/write-scenario.js';
import { kubectlList, sizeFor } from './kubectl-list.js';

export interface ImportTiming {
  objects: number;
  inputBytes: number;
  outputBytes: number;
  /** Median wall time of a whole import, ms. */
  importMs: number;
  /** Median wall time of yaml.parseAllDocuments + toJS on the same text, ms. */
  parseMs: number;
  runs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function benchImport(total: number, runs: number): ImportTiming {
  const list = kubectlList(sizeFor(total));
  const text = stringify(list, { indentSeq: false, lineWidth: 0 });
  const importTimes: number[] = [];
  const parseTimes: number[] = [];
  let outputBytes = 0;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const docs = parseAllDocuments(text);
    for (const d of Array.isArray(docs) ? docs : []) d.toJS();
    parseTimes.push(performance.now() - t);
    t = performance.now();
    const result = importCluster(objectsOf(new InputSource('list.yaml', text)));
    outputBytes = writeScenario(result, { schemaPath: 'schemas/scenario.schema.json', inputs: ['list.yaml'] }).length;
    importTimes.push(performance.now() - t);
  }
  return { objects: (list.items as unknown[]).length, inputBytes: text.length, outputBytes, importMs: median(importTimes), parseMs: median(parseTimes), runs };
}
