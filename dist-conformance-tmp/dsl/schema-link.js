/** Fails to compile when any pair above differs. */
export const schemaMatchesTypes = true;
//# sourceMappingURL=schema-link.js.map