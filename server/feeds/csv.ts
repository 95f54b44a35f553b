/**
 * CSV gives strings; the contract wants numbers, booleans and (for surveys) a nested object.
 * This turns a CSV record into the shape the item schema expects, guided by the schema itself:
 * `departments.police` columns nest, `true`/`1`/`是` become booleans, numeric text numbers.
 */
import type { z } from 'zod';

type Def = { type: string; innerType?: Schema; shape?: Record<string, Schema> };
type Schema = { _zod: { def: Def } };

function unwrap(schema: Schema): Def {
  let def = schema._zod.def;
  while ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType)
    def = def.innerType._zod.def;
  return def;
}

const TRUE = new Set(['true', '1', 'yes', 'y', '是']);
const FALSE = new Set(['false', '0', 'no', 'n', '否']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `departments.police` columns into `departments: {police}`, merged with a `departments` object the
 * feed's mapping may have made already.
 */
function nest(record: Record<string, unknown>): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const [head, ...rest] = key.split('.');
    const field = rest.length === 0 ? key : head!;
    const part = rest.length === 0 ? value : { [rest.join('.')]: value };
    const existing = nested[field];
    nested[field] = isObject(existing) && isObject(part) ? { ...existing, ...part } : part;
  }
  return nested;
}

function coerce(shape: Record<string, Schema>, record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === '' || value === undefined) continue;
    const field = shape[key];
    if (!field || typeof value !== 'string') {
      out[key] = field && typeof value === 'object' && value !== null ? coerceObject(field, value) : value;
      continue;
    }
    const def = unwrap(field);
    const text = value.trim();
    if (def.type === 'number' && text !== '' && Number.isFinite(Number(text))) out[key] = Number(text);
    else if (def.type === 'boolean' && TRUE.has(text.toLowerCase())) out[key] = true;
    else if (def.type === 'boolean' && FALSE.has(text.toLowerCase())) out[key] = false;
    else out[key] = value;
  }
  return out;
}

function coerceObject(field: Schema, value: object): unknown {
  const def = unwrap(field);
  return def.type === 'object' && def.shape ? coerce(def.shape, value as Record<string, unknown>) : value;
}

/** A CSV record in the shape of an item schema (which still validates it afterwards). */
export function fromCsvRecord(schema: z.ZodType, record: Record<string, unknown>): Record<string, unknown> {
  const def = unwrap(schema as unknown as Schema);
  return coerce(def.shape ?? {}, nest(record));
}
