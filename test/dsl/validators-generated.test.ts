/** The ajv standalone validators in src/dsl/generated are the ones the schema gives today. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, validatorsSource } from '../../src/dsl/validators-source.js';

describe('generated validators', () => {
  it('equal the code ajv generates from src/dsl/schema.ts (regenerate: npm run gen:validators)', { timeout: 60_000 }, () => {
    expect(readFileSync(GENERATED_FILE, 'utf8') === validatorsSource()).toBe(true);
  });
});
