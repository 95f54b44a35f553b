/**
 * A feed's mapping: how a foreign system's record becomes one of the contract's, declared in the
 * city configuration and never as code. Each of our fields reads their dotted path, or is a
 * constant, or is derived from another of our fields; a value can be mapped through a table, read
 * as a number, or read as a time in a format and zone. What cannot be read is a problem naming the
 * field and the value, and the record is quarantined with it.
 *
 * Order for one field: its source (const, their path, our `from` field, or the street of our
 * community), then `default` when the source gives nothing, then `map`, then `number` or `time`.
 * `default` and `const` are our values and are used as they are.
 */
import { z } from 'zod';
import type { FeedDefinition } from './feeds/definition.js';
import { valueAt } from './json-path.js';
import { parseTime, timeFormatSchema, timeZoneSchema, type TimeFormat } from './time-formats.js';

/** A JSON scalar: what a constant, a default or a mapped value may be. */
export type Scalar = string | number | boolean | null;

const scalar = z.custom<Scalar>(
  (value) => value === null || ['string', 'number', 'boolean'].includes(typeof value),
  'expected a string, a number, true, false or null',
);

/** Their field: a dotted path into their record (`jq.bjsj`, `items.0.code`), any characters. */
const theirPath = z.string().trim().min(1, 'expected their field (a dotted path)');

/**
 * Our field: a contract field, dotted for a nested one (`departments.police`). Plain identifiers
 * only, so that no configured name can reach an object's prototype.
 */
const OUR_FIELD = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;
const OUR_FIELD_MESSAGE = 'expected one of our fields, such as category';
const ourField = z.string().regex(OUR_FIELD, OUR_FIELD_MESSAGE);

const valueMap = z.record(z.string(), scalar);

const SPEC_KEYS = 'path, const, default, number, time, zone, map, otherwise, from, fromCommunity';

export const fieldSpecObjectSchema = z
  .strictObject(
    {
      /** Their dotted path; default our field's own name. */
      path: theirPath.optional(),
      /** Always this value, whatever the record holds. */
      const: scalar.optional(),
      /** This value when the source gives nothing (absent, null, or blank text). */
      default: scalar.optional(),
      /** A number from text: `"1,234.5"`, `" 4 "`. */
      number: z.literal(true, 'expected true (or leave number out)').optional(),
      /** A time written in this format, turned into the ISO 8601 instant the contract wants. */
      time: timeFormatSchema.optional(),
      /** Where a local time is; default the feed's `times.zone`, else the city's zone. */
      zone: timeZoneSchema.optional(),
      /** Their value → ours. A value not in the table is kept as it is, unless `otherwise` is given. */
      map: valueMap.optional(),
      /** Ours for any value the `map` does not hold. */
      otherwise: scalar.optional(),
      /** Derived from another of our fields (after its own mapping), typically through `map`. */
      from: ourField.optional(),
      /** For `street`: the street whose communities include our field's community. */
      fromCommunity: ourField.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? `expected their field (a dotted path) or an object of ${SPEC_KEYS}`
          : undefined,
    },
  )
  .superRefine((spec, ctx) => {
    const problem = (message: string, key: string) => ctx.addIssue({ code: 'custom', message, path: [key] });
    const given = Object.keys(spec).filter((k) => spec[k as keyof typeof spec] !== undefined);
    if (spec.const !== undefined && given.length > 1)
      problem(`a constant stands alone: drop ${given.filter((k) => k !== 'const').join(', ')}`, 'const');
    if (spec.from !== undefined && (spec.path !== undefined || spec.fromCommunity !== undefined))
      problem('a field is read from their path or derived from ours, not both', 'from');
    if (spec.fromCommunity !== undefined) {
      const extra = given.filter((k) => !['fromCommunity', 'path'].includes(k));
      if (extra.length > 0)
        problem(
          `the street of a community takes only a path besides: drop ${extra.join(', ')}`,
          'fromCommunity',
        );
    }
    if (spec.otherwise !== undefined && spec.map === undefined) problem('otherwise needs a map', 'otherwise');
    if (spec.zone !== undefined && spec.time === undefined)
      problem('zone needs time (the format the time is written in)', 'zone');
    if (spec.number && spec.time !== undefined) problem('a field is a number or a time, not both', 'number');
  });

export type FieldSpecObject = z.infer<typeof fieldSpecObjectSchema>;
/** Their dotted path (the short form), or a full spec. */
export type FieldSpec = string | FieldSpecObject;

/**
 * A string or an object, each checked by its own schema: a union would report "Invalid input"
 * for a typo in a spec's key, where this says which key and why.
 */
const fieldSpecSchema = z.unknown().transform((value, ctx): FieldSpec => {
  const parsed = (typeof value === 'string' ? theirPath : fieldSpecObjectSchema).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/** How a feed writes its times, for every time field of its contract that does not say otherwise. */
const feedTimesSchema = z.strictObject({ format: timeFormatSchema, zone: timeZoneSchema.optional() });

export const feedMappingSchema = z
  .object({
    /** Our field → their dotted path, or a spec: `{"reportedAt": "jq.bjsj", "kind": {"const": "other"}}`. */
    fields: z.record(z.string(), fieldSpecSchema).default({}),
    /** Our field → their value → ours: `{"category": {"盗窃": "theft"}}` (a `map` on that field). */
    values: z.record(z.string(), valueMap).default({}),
    /** The format (and zone) of every time field: `{"format": "YYYY-MM-DD HH:mm:ss"}`. */
    times: feedTimesSchema.optional(),
  })
  .superRefine((mapping, ctx) => {
    // Keys checked here rather than by the records' key schemas, whose issue says only "Invalid key".
    for (const part of ['fields', 'values'] as const)
      for (const field of Object.keys(mapping[part]))
        if (!OUR_FIELD.test(field))
          ctx.addIssue({ code: 'custom', path: [part, field], message: OUR_FIELD_MESSAGE });
    for (const [field, spec] of Object.entries(mapping.fields)) {
      if (typeof spec === 'string') continue;
      if (spec.map !== undefined && field in mapping.values)
        ctx.addIssue({
          code: 'custom',
          path: ['values', field],
          message: `fields.${field} has a map already: give the table once`,
        });
      if (spec.fromCommunity !== undefined && field !== 'street')
        ctx.addIssue({
          code: 'custom',
          path: ['fields', field, 'fromCommunity'],
          message: 'only the street is found from a community',
        });
    }
    const cycle = derivationCycle(mapping.fields);
    if (cycle)
      ctx.addIssue({
        code: 'custom',
        path: ['fields', cycle[0]!, 'from'],
        message: `derived from itself (${cycle.join(' → ')})`,
      });
  });

export type FeedMapping = z.infer<typeof feedMappingSchema>;

/** The field our field is derived from, if it is. */
function dependency(spec: FieldSpec | undefined): string | undefined {
  if (spec === undefined || typeof spec === 'string') return undefined;
  return spec.from ?? spec.fromCommunity;
}

/** A chain of `from` that comes back to where it started, if there is one. */
function derivationCycle(fields: Record<string, FieldSpec>): string[] | undefined {
  for (const start of Object.keys(fields)) {
    const chain = [start];
    for (let next = dependency(fields[start]); next !== undefined; next = dependency(fields[next])) {
      chain.push(next);
      if (next === start) return chain;
      if (chain.length > Object.keys(fields).length + 1) break;
    }
  }
  return undefined;
}

/** The fields of a contract schema, nested ones dotted (`departments.police`). */
function contractFieldNames(schema: z.ZodType): string[] {
  const unwrap = (s: z.ZodType): z.ZodType =>
    s instanceof z.ZodOptional ? unwrap(s.unwrap() as z.ZodType) : s;
  const object = unwrap(schema);
  if (!(object instanceof z.ZodObject)) return [];
  return Object.entries(object.shape as Record<string, z.ZodType>).flatMap(([name, field]) => {
    const inner = unwrap(field);
    return [
      name,
      ...(inner instanceof z.ZodObject ? contractFieldNames(inner).map((n) => `${name}.${n}`) : []),
    ];
  });
}

/**
 * Problems of a feed's mapping that only the feed's contract shows: a field that is not one of its
 * fields (a typo would otherwise map nothing, silently), each with its key path in the mapping.
 */
export function checkFeedMapping(
  definition: Pick<FeedDefinition, 'name' | 'schema'>,
  mapping: FeedMapping,
): { path: (string | number)[]; message: string }[] {
  const feed = definition.name;
  const names = contractFieldNames(definition.schema);
  const known = new Set(names);
  const unknown = (field: string) =>
    `"${field}" is not a field of the ${feed} contract (${names.filter((n) => !n.includes('.')).join(', ')})`;
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const [field, spec] of Object.entries(mapping.fields)) {
    if (!known.has(field)) problems.push({ path: ['fields', field], message: unknown(field) });
    const source = dependency(spec);
    if (source !== undefined && !known.has(source))
      problems.push({
        path: ['fields', field, typeof spec !== 'string' && spec.from ? 'from' : 'fromCommunity'],
        message: unknown(source),
      });
  }
  for (const field of Object.keys(mapping.values))
    if (!known.has(field)) problems.push({ path: ['values', field], message: unknown(field) });
  return problems;
}

/** What a mapping needs besides the record. */
export interface MappingContext {
  /** The city's time zone: where local times are unless the feed or the field names another. */
  zone: string;
  /** The time fields of the feed's contract (shared/feeds `timeFieldsOf`), which the feed-level `times` applies to. */
  timeFields: readonly string[];
  /** For `fromCommunity`: the code of the one street with a community a value names (streets.ts `cityRegions`). */
  regions: { streetOfCommunity(value: unknown): { street: string } | { error: string } };
}

/** A field that could not be read: `{field: "safety", reason: '"很好" is not a number'}`. */
export interface FieldProblem {
  field: string;
  reason: string;
}

export interface MappedRecord {
  /** The record in our fields: mapped ones replaced, fields without a spec as they came. */
  record: Record<string, unknown>;
  /** The fields that could not be read, each holding its source value in `record`. */
  problems: FieldProblem[];
}

const isUnsafeKey = (key: string) => key === '__proto__' || key === 'constructor' || key === 'prototype';

/** `record` with the value at a dotted path set (undefined: removed), nested objects copied, not changed. */
function withValueAt(record: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (head === undefined || isUnsafeKey(head)) return record;
  const copy = { ...record };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const inner = copy[head];
  const nested = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? inner : {};
  copy[head] = withValueAt(nested as Record<string, unknown>, rest.join('.'), value);
  return copy;
}

/** Nothing: what a source without the field gives (absent, null, blank text). */
const isNothing = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

const shown = (value: unknown) => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

/** A value through a table: its entry (exact, then trimmed), else `otherwise` if given, else itself. */
function mapped(value: unknown, table: Record<string, Scalar>, otherwise: Scalar | undefined): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    for (const entry of new Set([String(value), String(value).trim()]))
      if (Object.hasOwn(table, entry)) return table[entry];
  }
  return otherwise !== undefined ? otherwise : value;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;

/** A number from a number or its text (`"1,234.5"`, `" 4 "`), or why the value is not one. */
export function readNumber(value: unknown): number | { error: string } {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const text = value.normalize('NFKC').trim();
    const plain = GROUPED.test(text) ? text.replaceAll(',', '') : text;
    if (DECIMAL.test(plain)) return Number(plain);
  }
  return { error: `${shown(value)} is not a number` };
}

/** One of our fields as its spec says, with everything needed to read it. */
interface Plan {
  field: string;
  spec: FieldSpecObject;
}

/**
 * Each field to read, in an order where every derived field comes after the field it reads: the
 * short form as a path, `values` as a map, the feed's `times` on each time field that reads their
 * record (not a constant, a number or a derivation) and names no time of its own.
 */
function plan(mapping: FeedMapping, timeFields: readonly string[]): Plan[] {
  const specs = new Map<string, FieldSpecObject>();
  for (const [field, spec] of Object.entries(mapping.fields))
    specs.set(field, typeof spec === 'string' ? { path: spec } : { ...spec });
  for (const [field, table] of Object.entries(mapping.values))
    specs.set(field, { ...specs.get(field), map: table });
  if (mapping.times)
    for (const field of timeFields) {
      const spec = specs.get(field) ?? {};
      if (spec.const !== undefined || spec.number || spec.from !== undefined || spec.time !== undefined)
        continue;
      specs.set(field, { ...spec, time: mapping.times.format, zone: spec.zone ?? mapping.times.zone });
    }
  const ordered: Plan[] = [];
  const placed = new Set<string>();
  const place = (field: string, visiting: Set<string>) => {
    const spec = specs.get(field);
    if (spec === undefined || placed.has(field) || visiting.has(field)) return;
    visiting.add(field);
    const source = spec.from ?? spec.fromCommunity;
    if (source !== undefined) place(source, visiting);
    placed.add(field);
    ordered.push({ field, spec });
  };
  for (const field of specs.keys()) place(field, new Set());
  return ordered;
}

type Outcome = { value: unknown } | { problem: string; source: unknown };

function readField(
  { field, spec }: Plan,
  raw: Record<string, unknown>,
  record: Record<string, unknown>,
  context: MappingContext,
  zone: string,
): Outcome {
  if (spec.const !== undefined) return { value: spec.const ?? undefined };
  let source: unknown;
  if (spec.from !== undefined) source = valueAt(record, spec.from);
  else if (spec.fromCommunity !== undefined) {
    source = spec.path === undefined ? undefined : valueAt(raw, spec.path);
    if (!isNothing(source)) return { value: source };
    const community = valueAt(record, spec.fromCommunity);
    if (isNothing(community)) return { value: undefined };
    const found = context.regions.streetOfCommunity(community);
    return 'error' in found ? { problem: found.error, source: community } : { value: found.street };
  } else source = valueAt(raw, spec.path ?? field);
  if (isNothing(source)) return { value: spec.default ?? undefined };
  let value = spec.map === undefined ? source : mapped(source, spec.map, spec.otherwise);
  if (value === null) return { value: undefined };
  if (spec.number) {
    const number = readNumber(value);
    if (typeof number !== 'number') return { problem: number.error, source };
    value = number;
  }
  if (spec.time !== undefined) {
    const at = parseTime(value, { format: spec.time as TimeFormat, zone: spec.zone ?? zone });
    if (!(at instanceof Date)) return { problem: at.error, source };
    value = at.toISOString();
  }
  return { value };
}

/**
 * A foreign record in our fields, as the feed's mapping says, with a problem for each field that
 * could not be read (the record keeps that field's source value, for quarantine to show). A field
 * that is null after its mapping is left out: the contract then decides whether it may be absent.
 * Fields without a spec keep their names and values; the contract drops any it does not know.
 */
export function mapRecord(
  raw: Record<string, unknown>,
  mapping: FeedMapping,
  context: MappingContext,
): MappedRecord {
  const zone = mapping.times?.zone ?? context.zone;
  let record: Record<string, unknown> = { ...raw };
  const problems: FieldProblem[] = [];
  const failed = new Set<string>();
  for (const step of plan(mapping, context.timeFields)) {
    const source = step.spec.from ?? step.spec.fromCommunity;
    // A field derived from one that failed says nothing more: the first problem is the one to fix.
    if (source !== undefined && failed.has(source)) {
      failed.add(step.field);
      continue;
    }
    const outcome = readField(step, raw, record, context, zone);
    if ('problem' in outcome) {
      failed.add(step.field);
      problems.push({ field: step.field, reason: outcome.problem });
      record = withValueAt(record, step.field, outcome.source);
    } else record = withValueAt(record, step.field, outcome.value);
  }
  return { record, problems };
}
