/**
 * Small typed builders for JSON Schema (draft-07) fragments. They keep the property maps' key
 * types, so `raw.ts` can check at compile time that its interfaces name exactly the keys the schema
 * allows (see `schema-link.ts`).
 */

export type JsonSchema = Record<string, unknown>;

/** A closed object schema: every key not in `properties` is an error. */
export type ObjectSchema<P extends Record<string, JsonSchema>> = {
  type: 'object';
  title: string;
  description?: string;
  properties: P;
  required?: string[];
  additionalProperties: false;
};

export function obj<P extends Record<string, JsonSchema>>(
  title: string,
  properties: P,
  required: (keyof P & string)[] = [],
  description?: string,
): ObjectSchema<P> {
  const schema: ObjectSchema<P> = { type: 'object', title, properties, additionalProperties: false };
  if (description !== undefined) schema.description = description;
  if (required.length > 0) schema.required = required;
  return schema;
}

export function str(description: string, extra: JsonSchema = {}): JsonSchema {
  return { type: 'string', description, ...extra };
}

export function int(description: string, minimum: number, maximum: number, extra: JsonSchema = {}): JsonSchema {
  return { type: 'integer', description, minimum, maximum, ...extra };
}

export function bool(description: string, dflt?: boolean): JsonSchema {
  return dflt === undefined ? { type: 'boolean', description } : { type: 'boolean', description, default: dflt };
}

export function oneOfStrings(description: string, values: readonly string[], dflt?: string): JsonSchema {
  const schema: JsonSchema = { type: 'string', description, enum: [...values] };
  if (dflt !== undefined) schema.default = dflt;
  return schema;
}

export function list(description: string, items: JsonSchema, extra: JsonSchema = {}): JsonSchema {
  return { type: 'array', description, items, ...extra };
}

/** A map of string to string (labels, annotations, selectors). */
export function stringMap(description: string, keyPattern?: string, valueSchema: JsonSchema = { type: 'string' }): JsonSchema {
  const schema: JsonSchema = { type: 'object', description, additionalProperties: valueSchema };
  if (keyPattern !== undefined) schema.propertyNames = { pattern: keyPattern };
  return schema;
}

/** A value that is accepted for compatibility with real manifests but has no effect. */
export function ignored(description: string): JsonSchema {
  return { description: `${description} (accepted and ignored by svclab)` };
}
