/**
 * The normalized cluster model: what a scenario means once loaded, with every default filled in.
 * Backends read only these types (never raw YAML). Produced by `compile.ts` from the scenario and
 * re-derived after every change step, so each step carries the state it runs against.
 */
export {};
//# sourceMappingURL=types.js.map