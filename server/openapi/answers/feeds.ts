/**
 * The feeds' bodies and answers: their health, the records pushed or imported and what became of
 * them, a dry run of a feed's mapping, and the quarantine of refused records.
 */
import { z } from 'zod';
import { FEEDS, feedItemSchemas, type FeedName } from '../../../shared/feeds/index.js';
import type { quarantine } from '../../db/schema/index.js';
import type { DryRun } from '../../feeds/dry-run.js';
import type { Via } from '../../feeds/store.js';
import type { FeedHealthView } from '../../shared-state/feed-health.js';
import { instant } from './common.js';

/** A row as the API sends it: its instants as ISO 8601 text. */
export type AsSent<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

const feed = z.enum(FEEDS);

const feedHealth = z
  .object({
    feed,
    url: z.string().nullable().meta({
      description: 'Scheme and host only (`https://feeds.example:8443`): the path and query may hold keys.',
    }),
    status: z.enum(['ok', 'stale', 'failing', 'waiting']).meta({
      description:
        '`waiting`: not polled successfully yet; `failing`: its last runs failed; `stale`: no successful poll for longer than allowed.',
    }),
    stale: z.boolean(),
    lastSuccessAt: instant.nullable(),
    lastErrorAt: instant.nullable(),
    lastError: z
      .string()
      .nullable()
      .meta({ description: 'The last failure, never a secret of the request.' }),
    consecutiveFailures: z.number().int(),
    circuit: z.enum(['closed', 'open', 'half-open']).meta({
      description:
        'Open: the poller leaves the feed alone until `circuitOpenUntil`; then one trial run decides.',
    }),
    circuitOpenUntil: instant.nullable(),
    lagSeconds: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Seconds from the newest item’s update to now; null before any item.' }),
    newestItemAt: instant.nullable(),
    itemsPerMinute: z.number().meta({ description: 'Items received per minute over the last five minutes.' }),
    quarantined: z
      .number()
      .int()
      .meta({ description: 'Records its polls quarantined since the polling node started.' }),
    backfill: z.object({ done: z.boolean(), pages: z.number().int() }),
  })
  .meta({ id: 'FeedHealth', description: 'A feed polled from a URL, on this node or another.' });

const feedOff = z
  .object({ feed, status: z.literal('off'), stale: z.literal(false), url: z.null() })
  .meta({ id: 'FeedOff', description: 'A feed no node polls: no URL is configured for it.' });

export const feedsAnswer = z.object({
  feeds: z.array(z.union([feedHealth, feedOff]) satisfies z.ZodType<FeedHealthView>),
});

const pascal = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());

/** Each feed's records: an array of its contract's items, the item a component of its own. */
const recordsOf = (name: FeedName) =>
  z
    .array(
      feedItemSchemas[name].meta({
        id: `${pascal(name)}Item`,
        description: `An item of the ${name} feed as its contract has it (shared/feeds).`,
      }),
    )
    .meta({ title: name });

const records = z.union(FEEDS.map(recordsOf)).meta({
  description:
    'The records of the feed named in the path: its contract’s items, or — when the city maps the feed (`feeds.<feed>.mapping`) — records in the sending system’s own fields and values. A record that fails the contract is quarantined with its reason; the others are stored.',
});

/** The JSON body of an ingest or import: the records as an array, or under `items`. */
const jsonRecords = z.union([records, z.object({ items: records })]);

/** A CSV of records: a header row naming the fields, then one record a line. */
const csvRecords = z.string().meta({
  description:
    'A header row naming the fields (as the contract or the feed’s mapping names them), then one record a line. Line numbers in the answer count the header as line 1.',
});

/** What an ingest or an import reads: JSON, CSV, or either uploaded as a file. */
export const recordsBody = {
  media: {
    'application/json': jsonRecords,
    'text/csv': csvRecords,
    'multipart/form-data': z.object({
      file: z.string().meta({
        format: 'binary',
        description:
          'The records as a JSON or CSV file: CSV when its type is text/csv or its name ends in .csv.',
      }),
    }),
  },
  description: 'The records of one feed, as JSON, as CSV, or uploaded as a file.',
};

/** What a signed push carries: the records as an array, or at the path its configuration names. */
export const pushBody = z
  .union([
    records,
    z.record(z.string(), z.unknown()).meta({
      description:
        'A page holding the records at the path `feeds.<feed>.push.items` names (default `items`).',
    }),
  ])
  .meta({ description: 'The body is signed exactly as sent: the signature is checked before it is read.' });

export const storedAnswer = z
  .object({
    stored: z
      .number()
      .int()
      .meta({ description: 'The records stored (a record seen before updates its row).' }),
    quarantined: z
      .array(
        z.object({
          line: z.number().int().meta({ description: 'The record’s position from 1, or its CSV line.' }),
          reason: z.string(),
        }),
      )
      .meta({ description: 'Each record refused and kept in the quarantine, with why.' }),
  })
  .meta({
    id: 'FeedRecordsStored',
    description:
      'What became of the records: 200 when some were stored, 422 (the same body) when none could be.',
  });

export const dryRunAnswer = z
  .object({
    feed,
    source: z
      .enum(['sample', 'fetched'])
      .meta({ description: 'The sample sent, or a page fetched from the feed.' }),
    records: z.number().int(),
    mapped: z
      .array(
        z.object({
          line: z.number().int(),
          item: z.record(z.string(), z.unknown()).meta({
            description: 'The item as it would be stored: the contract’s fields, nested ones flattened.',
          }),
        }),
      )
      .meta({ description: 'Each record that passes, by its position from 1.' }),
    rejected: z
      .array(z.object({ line: z.number().int(), reason: z.string() }))
      .meta({ description: 'Each record refused, with the reason the quarantine would keep.' }),
  })
  .meta({ description: 'Nothing is stored.' }) satisfies z.ZodType<DryRun>;

const VIAS = ['poll', 'ingest', 'import', 'webhook'] as const satisfies readonly Via[];

const quarantined = z
  .object({
    id: z.number().int(),
    feed,
    via: z.enum(VIAS),
    record: z.record(z.string(), z.unknown()).meta({
      description: 'The record reduced to the contract’s fields, personal data scrubbed.',
    }),
    street: z
      .string()
      .nullable()
      .meta({ description: 'The configured street the record names; null when it names none the city has.' }),
    reason: z.string(),
    receivedAt: instant,
  })
  .meta({
    id: 'QuarantinedRecord',
    description: 'A record a feed sent that its contract refused.',
  }) satisfies z.ZodType<AsSent<typeof quarantine.$inferSelect>>;

export const quarantineAnswer = z.object({
  records: z.array(quarantined).meta({ description: 'Newest first.' }),
});
