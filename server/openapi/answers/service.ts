/** The answers of the service itself: its health. */
import { z } from 'zod';
import { FEEDS } from '../../../shared/feeds/index.js';
import { instant } from './common.js';

const deliveryStats = {
  status: z.enum(['ok', 'failing']),
  sent: z.number().int(),
  failures: z.number().int(),
  lastError: z.string().nullable(),
  lastErrorAt: instant.nullable(),
  lastSuccessAt: instant.nullable(),
};

const feedHealth = z.union([
  z.object({
    feed: z.enum(FEEDS),
    status: z.enum(['ok', 'stale', 'failing', 'waiting']),
    stale: z.boolean(),
    lastSuccessAt: instant.nullable(),
    lastError: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    circuit: z.enum(['closed', 'open', 'half-open']),
    circuitOpenUntil: instant.nullable(),
    lagSeconds: z.number().nullable(),
    itemsPerMinute: z.number(),
  }),
  z.object({ feed: z.enum(FEEDS), status: z.literal('off'), stale: z.literal(false) }),
]);

export const healthAnswer = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']).meta({
      description:
        '`down` (503): the node cannot serve; `degraded` (200): it serves, but `reasons` say what is failing.',
    }),
    reasons: z.array(z.string()),
    version: z.string(),
    uptimeSeconds: z.number().int(),
    city: z.string(),
    configuration: z.object({
      version: z.number().int(),
      at: instant,
      source: z.string(),
      file: z.string(),
      problems: z
        .array(z.string())
        .meta({ description: 'The key paths the configuration file was refused at.' }),
    }),
    database: z.object({
      status: z.enum(['ok', 'down']),
      kind: z.string(),
      latencyMs: z.number().optional(),
      error: z.string().optional(),
    }),
    feeds: z.array(feedHealth),
    walls: z.array(
      z.object({
        screen: z.string(),
        role: z.string(),
        lastSeenAt: instant.meta({ description: 'Its last heartbeat or socket closing.' }),
        beatAt: instant,
        seq: z.number().int().nullable().meta({ description: 'The live `seq` it had applied.' }),
        paintedAt: instant.nullable(),
        lagSince: instant.nullable().meta({ description: 'Since when it has lagged the live channel.' }),
        connected: z.boolean(),
      }),
    ),
    screens: z
      .array(
        z.object({
          screen: z.string(),
          location: z.object({ zh: z.string(), en: z.string() }),
          state: z.enum(['ok', 'dark', 'frozen', 'never-seen']),
          reason: z
            .enum(['paint', 'seq'])
            .nullable()
            .meta({ description: 'What a frozen screen stopped doing.' }),
          lastSeenAt: instant.nullable(),
          paintedAt: instant.nullable(),
          lagSince: instant.nullable(),
        }),
      )
      .meta({
        description: 'Every screen of the configuration (`screens.walls`), as the `wallDown` rule sees it.',
      }),
    alerts: z
      .object({
        status: z.enum(['ok', 'degraded']),
        channels: z.array(z.object({ ...deliveryStats, channel: z.string() })),
        subscriptions: z.array(
          z.object({ ...deliveryStats, id: z.number().int().nullable(), name: z.string().nullable() }),
        ),
      })
      .nullable(),
    node: z.string(),
    leader: z.string().nullable(),
    nodes: z
      .array(
        z.object({
          id: z.string(),
          role: z.string(),
          version: z.string(),
          startedAt: instant,
          lastSeenAt: instant,
          alive: z.boolean(),
          leading: z.boolean(),
        }),
      )
      .nullable(),
  })
  .meta({ id: 'Health' });
