/**
 * Small typed builders for JSON Schema (draft-07) fragments. They keep the property maps' key
 * types, so `raw.ts` can check at compile time that its interfaces name exactly the keys the schema
 * allows (see `schema-link.ts`).
 */
export function obj(title, properties, required = [], description) {
    const schema = { type: 'object', title, properties, additionalProperties: false };
    if (description !== undefined)
        schema.description = description;
    if (required.length > 0)
        schema.required = required;
    return schema;
}
export function str(description, extra = {}) {
    return { type: 'string', description, ...extra };
}
export function int(description, minimum, maximum, extra = {}) {
    return { type: 'integer', description, minimum, maximum, ...extra };
}
export function bool(description, dflt) {
    return dflt === undefined ? { type: 'boolean', description } : { type: 'boolean', description, default: dflt };
}
export function oneOfStrings(description, values, dflt) {
    const schema = { type: 'string', description, enum: [...values] };
    if (dflt !== undefined)
        schema.default = dflt;
    return schema;
}
export function list(description, items, extra = {}) {
    return { type: 'array', description, items, ...extra };
}
/** A map of string to string (labels, annotations, selectors). */
export function stringMap(description, keyPattern, valueSchema = { type: 'string' }) {
    const schema = { type: 'object', description, additionalProperties: valueSchema };
    if (keyPattern !== undefined)
        schema.propertyNames = { pattern: keyPattern };
    return schema;
}
/** A value that is accepted for compatibility with real manifests but has no effect. */
export function ignored(description) {
    return { description: `${description} (accepted and ignored by svclab)` };
}
//# sourceMappingURL=schema-builders.js.map