/** The complete example in docs/scenario-language.md must stay a valid scenario. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/dsl/load.js';
import type { SendStep } from '../../src/model/scenario.js';
import { writeTemp } from './helpers.js';

const doc = readFileSync(fileURLToPath(new URL('../../docs/scenario-language.md', import.meta.url)), 'utf8');

describe('docs/scenario-language.md', () => {
  it('has a complete example that validates', async () => {
    const section = doc.slice(doc.indexOf('## A complete example'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1];
    writeTemp('extra-objects.k8s.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: client }\nspec: { containers: [{ name: c }] }\n');
    const s = await loadScenarioFile(writeTemp('doc-example.yaml', example));
    expect(s.name).toBe('nodeport-local-policy');
    expect(s.steps.map((x) => x.kind)).toEqual(['send', 'send', 'send', 'change', 'change', 'send', 'send', 'change', 'send']);
    expect((s.steps[0] as SendStep).traffic.to.address).toBe('172.18.0.4');
  });
});
