/**
 * An integrator's first tool: records as a feed's system sends them, put through the feed's mapping
 * and validation exactly as polling would, and shown — each mapped item as it would be stored, each
 * refused one with its reason — with nothing stored. The API (`POST /api/feeds/:feed/test`) and the
 * shell (`npm run feed:check`) both answer with this.
 */
import type { FeedName } from '../../shared/feeds/index.js';
import { valueAt } from '../../shared/json-path.js';
import type { RecordParser } from './records.js';

export interface DryRun {
  feed: FeedName;
  /** Where the records came from: a pasted sample, or one page fetched from the feed. */
  source: 'sample' | 'fetched';
  records: number;
  /** Each record that passes, by its line (position from 1), as it would be stored. */
  mapped: { line: number; item: Record<string, unknown> }[];
  /** Each record refused, by its line, with the reason quarantine would keep. */
  rejected: { line: number; reason: string }[];
}

/** The records of a sample: a bare array, or the array at `itemsPath` of an object (a whole page). */
export function sampleRecords(sample: unknown, itemsPath: string): unknown[] | { error: string } {
  if (Array.isArray(sample)) return sample;
  const items = valueAt(sample, itemsPath);
  return Array.isArray(items)
    ? items
    : { error: `sample: expected an array of records, or a page with its records at "${itemsPath}"` };
}

export function dryRun(
  feed: FeedName,
  parser: RecordParser,
  records: readonly unknown[],
  now: Date,
  source: DryRun['source'],
): DryRun {
  const { valid, invalid } = parser.parse(records, { now });
  const refused = new Set(invalid.map((r) => r.line));
  const lines = records.map((_, i) => i + 1).filter((line) => !refused.has(line));
  return {
    feed,
    source,
    records: records.length,
    mapped: valid.map((record, i) => ({ line: lines[i]!, item: record.row })),
    rejected: invalid.map(({ line, reason }) => ({ line, reason })),
  };
}
