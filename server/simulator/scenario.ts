/**
 * Scenarios: timed events relative to the simulator's start, read from a JSON file.
 *
 *     {"events": [
 *       {"at": "3m", "kind": "spike", "feed": "incident", "street": "jinfang", "category": "theft", "count": 30, "over": "2m"},
 *       {"at": "5m", "kind": "outage", "feed": "fraud", "for": "2m", "mode": "error"}
 *     ]}
 *
 * A spike adds `count` events of one category to a street, spread evenly over `over`. An outage
 * makes a feed fail for `for`: `error` answers 503, `hang` never answers, `html` answers an HTML
 * page, `garbage` answers `{"items": 5}`.
 */
import { z } from 'zod';
import { describeIssues, type CityConfig } from '../../shared/city.js';
import { FEEDS, fraudSchema, incidentSchema } from '../../shared/feeds/index.js';
import { ConfigError } from '../config/env.js';
import { readJsonFile } from '../config/json-file.js';

export const OUTAGE_MODES = ['error', 'hang', 'html', 'garbage'] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];

/** The categories a spike may name, per feed: incident categories, or fraud types. */
export const SPIKE_CATEGORIES = {
  incident: incidentSchema.shape.category.options,
  fraud: fraudSchema.shape.type.options,
} as const;
export type SpikeFeed = keyof typeof SPIKE_CATEGORIES;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `90s`, `3m`, `1.5h` → milliseconds. */
export const durationSchema = z
  .string({ error: 'expected a duration such as 500ms, 90s, 3m or 1h' })
  .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'expected a duration such as 500ms, 90s, 3m or 1h')
  .transform((text) => {
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text)!;
    return Math.round(Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  });

const spikeSchema = z
  .strictObject({
    at: durationSchema,
    kind: z.literal('spike'),
    feed: z.enum(['incident', 'fraud']).default('incident'),
    street: z.string().min(1),
    category: z.string().min(1),
    count: z.number().int().min(1).max(10_000),
    /** Spread over this long; absent: all at once. */
    over: durationSchema.optional(),
  })
  .superRefine((spike, ctx) => {
    const allowed: readonly string[] = SPIKE_CATEGORIES[spike.feed];
    if (!allowed.includes(spike.category))
      ctx.addIssue({
        code: 'custom',
        path: ['category'],
        message: `"${spike.category}" is not a category of the ${spike.feed} feed (${allowed.join(', ')})`,
      });
  });

const outageSchema = z.strictObject({
  at: durationSchema,
  kind: z.literal('outage'),
  feed: z.enum(FEEDS),
  for: durationSchema,
  mode: z.enum(OUTAGE_MODES),
});

const eventSchema = z.discriminatedUnion('kind', [spikeSchema, outageSchema], {
  error: 'expected an event whose kind is "spike" or "outage"',
});

export const scenarioSchema = z.strictObject({
  description: z.string().optional(),
  events: z.array(eventSchema),
});

/** A parsed scenario; every duration (`at`, `over`, `for`) in milliseconds. */
export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioEvent = Scenario['events'][number];
export type SpikeEvent = Extract<ScenarioEvent, { kind: 'spike' }>;

/**
 * Validates a scenario; with a city, also that every street exists. Throws a ConfigError naming the
 * source and, for each problem, its key path: `events.1.mode: Invalid option: expected one of …`.
 */
export function parseScenario(json: unknown, city?: CityConfig, source = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(source, describeIssues(parsed.error));
  if (city) {
    const streets = city.streets.map((s) => s.code);
    const problems = parsed.data.events.flatMap((event, i) =>
      event.kind === 'spike' && !streets.includes(event.street)
        ? [`events.${i}.street: no street "${event.street}" in ${city.city.code} (${streets.join(', ')})`]
        : [],
    );
    if (problems.length > 0) throw new ConfigError(source, problems);
  }
  return parsed.data;
}

/** Reads and validates a scenario file; errors name the file. */
export async function loadScenario(path: string, city?: CityConfig): Promise<Scenario> {
  const { json } = await readJsonFile(path);
  return parseScenario(json, city, path);
}
