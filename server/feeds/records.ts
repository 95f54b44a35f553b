/**
 * From a feed's raw record to a row: the configured field mapping (their names and values onto
 * ours), validation against the contract, street resolution. A record that fails is kept for
 * quarantine with its reason, reduced to the contract's fields so nothing personal is stored.
 */
import type { z } from 'zod';
import { describeIssues, type CityConfig, type FeedConfig, type FeedName } from '../../shared/city.js';
import type { FeedItems } from '../../shared/feeds.js';
import { streetResolver } from '../../shared/indicator-values.js';
import { replaceNul } from '../../shared/storable.js';
import type { FeedAdapter } from './adapter.js';
import { fromCsvRecord } from './csv.js';

export interface ValidRecord {
  row: Record<string, unknown>;
  street: string;
  updatedAt: Date;
  eventTime: Date;
}

export interface InvalidRecord {
  /** Position in the batch, from 1 (or the CSV line). */
  line: number;
  record: Record<string, unknown>;
  /** The configured street the record names, when it names one; null when unknown or absent. */
  street: string | null;
  reason: string;
}

export interface ParsedBatch {
  valid: ValidRecord[];
  invalid: InvalidRecord[];
}

type Mapping = FeedConfig['mapping'];

function pathValue(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Their field names and values onto ours. Fields without a mapping keep their names. */
export function applyMapping(record: Record<string, unknown>, mapping: Mapping): Record<string, unknown> {
  const mapped: Record<string, unknown> = { ...record };
  for (const [ours, theirs] of Object.entries(mapping.fields)) mapped[ours] = pathValue(record, theirs);
  for (const [field, values] of Object.entries(mapping.values)) {
    const value = mapped[field];
    if ((typeof value === 'string' || typeof value === 'number') && String(value) in values)
      mapped[field] = values[String(value)];
  }
  return mapped;
}

/**
 * The contract's fields of a record and nothing else, for quarantine. A NUL character (refused by the
 * contract) is replaced: the quarantine is jsonb, which cannot hold one.
 */
function contractFields(schema: z.ZodType, record: Record<string, unknown>): Record<string, unknown> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  return replaceNul(
    Object.fromEntries(
      Object.keys(shape)
        .filter((key) => key in record)
        .map((key) => [key, record[key]]),
    ),
  );
}

export interface RecordParser {
  /** `fromCsv`: the records are CSV rows of strings, to be typed by the schema first. */
  parse(records: readonly unknown[], options?: { firstLine?: number; fromCsv?: boolean }): ParsedBatch;
}

export function recordParser<F extends FeedName>(
  adapter: FeedAdapter<F>,
  mapping: Mapping,
  city: Pick<CityConfig, 'streets'>,
): RecordParser {
  const resolveStreet = streetResolver(city);
  const timeKey = eventKey(adapter);
  return {
    parse(records, { firstLine = 1, fromCsv = false } = {}) {
      const valid: ValidRecord[] = [];
      const invalid: InvalidRecord[] = [];
      records.forEach((raw, position) => {
        const line = firstLine + position;
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
          invalid.push({ line, record: {}, street: null, reason: 'not an object' });
          return;
        }
        const renamed = applyMapping(raw as Record<string, unknown>, mapping);
        const mapped = fromCsv ? fromCsvRecord(adapter.schema, renamed) : renamed;
        const parsed = adapter.schema.safeParse(mapped);
        if (!parsed.success) {
          const record = contractFields(adapter.schema, mapped);
          const street = typeof mapped.street === 'string' ? (resolveStreet(mapped.street) ?? null) : null;
          invalid.push({ line, record, street, reason: describeIssues(parsed.error).join('; ') });
          return;
        }
        const item = parsed.data as FeedItems[F] & { street: string; updatedAt: string };
        const street = resolveStreet(item.street);
        if (!street) {
          invalid.push({
            line,
            record: contractFields(adapter.schema, mapped),
            street: null,
            reason: `street: unknown street "${item.street}"`,
          });
          return;
        }
        const row = adapter.toRow(item, street);
        valid.push({
          row,
          street,
          updatedAt: new Date(item.updatedAt),
          eventTime: row[timeKey] as Date,
        });
      });
      return { valid, invalid };
    },
  };
}

/** The row key (drizzle property name) of an adapter's event time column. */
function eventKey(adapter: FeedAdapter): string {
  const entry = Object.entries(adapter.columns).find(([, column]) => column === adapter.eventTime);
  if (!entry) throw new Error(`the ${adapter.feed} adapter does not list its event time among its columns`);
  return entry[0];
}
