/**
 * The scenario as written (after schema validation, before compilation). `schema-link.ts` checks
 * that each interface here names exactly the keys its schema object allows.
 */
export {};
//# sourceMappingURL=raw.js.map