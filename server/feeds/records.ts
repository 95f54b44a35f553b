/**
 * From a feed's raw record to a row: the configured mapping (their fields, values and times onto
 * ours: shared/feed-mapping.ts), validation against the contract, street resolution, free-text
 * fields checked against the city's vocabulary. A record that fails is kept for quarantine with
 * its reason, reduced to the contract's fields and scrubbed of personal data, as its reason is.
 */
import type { z } from 'zod';
import { issueText, type CityConfig, type FeedConfig } from '../../shared/city.js';
import type { FeedItems, FeedName } from '../../shared/feeds/index.js';
import { mapRecord, type FieldProblem } from '../../shared/feed-mapping.js';
import { timeFieldsOf, timesAhead } from '../../shared/feeds/contract.js';
import { maskPersonalData, scrubPersonalData } from '../../shared/personal-data.js';
import { replaceNul } from '../../shared/storable.js';
import { cityRegions, streetResolver } from '../../shared/streets.js';
import { cityVocabulary, withKnownFreeText } from '../../shared/vocabulary.js';
import type { FeedAdapter } from './adapter.js';
import { fromCsvRecord } from './csv.js';
import { opaqueIds } from './opaque-id.js';

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

/**
 * A street or community sent as a number (a division code, 530181001) as its digits, so that the
 * reason for an unknown one names it ("unknown street") rather than its type.
 */
function regionsAsText(record: Record<string, unknown>): Record<string, unknown> {
  const text = { ...record };
  for (const field of ['street', 'community'])
    if (typeof text[field] === 'number') text[field] = String(text[field]);
  return text;
}

/**
 * Why a record cannot be stored: the fields its mapping could not read, then the contract's issues
 * on the other fields (a field that could not be read would only be refused again by the contract).
 */
function reasonsOf(problems: readonly FieldProblem[], issues: readonly z.core.$ZodIssue[]): string[] {
  const failed = new Set(problems.map((p) => p.field.split('.')[0]));
  return [
    ...problems.map((p) => `${p.field}: ${p.reason}`),
    ...issues
      .filter((issue) => !failed.has(String(issue.path[0])))
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issueText(issue)}`),
  ];
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
  /**
   * `now`: the server's clock, which no time of a record may be ahead of (beyond the clock skew
   * allowed); `fromCsv`: the records are CSV rows of strings, to be typed by the schema first.
   */
  parse(
    records: readonly unknown[],
    options: { now: Date; firstLine?: number; fromCsv?: boolean },
  ): ParsedBatch;
}

export interface RecordParserOptions {
  /** The key of the hash that replaces an id holding personal data (opaque-id.ts). */
  idKey: Uint8Array;
  /** How far ahead of the server's clock a record's times may be (default CLOCK_SKEW_SECONDS). */
  clockSkewSeconds?: number;
}

export function recordParser<F extends FeedName>(
  adapter: FeedAdapter<F>,
  mapping: Mapping,
  city: Pick<CityConfig, 'city' | 'streets' | 'vocabulary'>,
  options: RecordParserOptions,
): RecordParser {
  const resolveStreet = streetResolver(city);
  const context = {
    zone: city.city.timezone,
    timeFields: timeFieldsOf(adapter.definition),
    regions: cityRegions(city),
  };
  const vocabulary = cityVocabulary(city);
  const opaqueId = opaqueIds(options.idKey);
  // The row's key of the event time: its column's key among the columns, the field's own name.
  const timeKey = adapter.definition.eventTime;
  /**
   * What quarantine keeps of a refused record: its contract fields, the free-text ones checked
   * against the vocabulary as they would have been stored, its id opaque, other personal data masked.
   */
  const forQuarantine = (mapped: Record<string, unknown>): Record<string, unknown> => {
    const fields = contractFields(adapter.schema, mapped);
    const street = typeof fields.street === 'string' ? resolveStreet(fields.street) : undefined;
    const known = withKnownFreeText(adapter.feed, fields, street, vocabulary);
    if (typeof known.id === 'string' || typeof known.id === 'number') {
      const id = opaqueId(String(known.id));
      if (id !== String(known.id)) known.id = id;
    }
    return scrubPersonalData(known);
  };
  const refused = (line: number, mapped: Record<string, unknown>, reason: string): InvalidRecord => ({
    line,
    record: forQuarantine(mapped),
    // The configured street it names, so that a street token sees its own streets' refusals only.
    street: typeof mapped.street === 'string' ? (resolveStreet(mapped.street) ?? null) : null,
    reason: maskPersonalData(reason),
  });
  return {
    parse(records, { now, firstLine = 1, fromCsv = false }) {
      const valid: ValidRecord[] = [];
      const invalid: InvalidRecord[] = [];
      records.forEach((raw, position) => {
        const line = firstLine + position;
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
          invalid.push({ line, record: {}, street: null, reason: 'not an object' });
          return;
        }
        const { record: renamed, problems } = mapRecord(raw as Record<string, unknown>, mapping, context);
        const mapped = regionsAsText(fromCsv ? fromCsvRecord(adapter.schema, renamed) : renamed);
        const parsed = adapter.schema.safeParse(mapped);
        if (problems.length > 0 || !parsed.success) {
          const reasons = reasonsOf(problems, parsed.success ? [] : parsed.error.issues);
          invalid.push(refused(line, mapped, reasons.join('; ')));
          return;
        }
        const item = parsed.data as FeedItems[F] & { street: string; updatedAt: string };
        const ahead = timesAhead(adapter.definition, item, now, options.clockSkewSeconds);
        if (ahead.length > 0) {
          invalid.push(refused(line, mapped, ahead.join('; ')));
          return;
        }
        const street = resolveStreet(item.street);
        if (!street) {
          invalid.push(refused(line, mapped, `street: unknown street "${item.street}"`));
          return;
        }
        const row = withKnownFreeText(adapter.feed, adapter.toRow(item, street), street, vocabulary);
        row.id = opaqueId(String(row.id));
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
