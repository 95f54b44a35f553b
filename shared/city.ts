/**
 * The city configuration: streets (街道) with their communities, the indicators of the index and the
 * initial weight set. One JSON file per city; Anning's is the default (config/anning.json).
 */
import { z } from 'zod';
import { feedPushSchema } from './feed-push.js';
import { BLOCKS, MEASURES } from './index/types.js';
import { alertRulesSchema } from './alerts/rules/index.js';
import { checkFeedMapping, feedMappingSchema } from './feed-mapping.js';
import { ENV_REFERENCE } from './env-reference.js';
import { HEADER_NAME, HEADER_NAME_MESSAGE } from './http-header.js';
import { checkFeedRequest, feedRequestFields } from './feed-request.js';
import { checkFeedRule, feedRuleSchema } from './feed-rules.js';
import { screensSchema } from './screens.js';
import { definitionOf, FEED_CATALOGUE, FEEDS, type FeedName } from './feeds/index.js';
import { isTimeZone } from './period.js';
import { checkStreetNames } from './streets.js';
import { DEFAULT_MIN_SAMPLE } from './surveys.js';

const nonEmpty = z.string().trim().min(1);
const names = z.object({ zh: nonEmpty, en: nonEmpty });
/** Names in either language or both: what a screen shows instead of another name where one is given. */
const someNames = z.object({ zh: nonEmpty.optional(), en: nonEmpty.optional() });

/**
 * A goalpost: within ±1e9, past any raw value an indicator can plausibly have (see
 * shared/indicator-values.ts), so that the difference of two never overflows into an infinite score.
 */
const MAX_GOALPOST = 1e9;
const goalpost = z
  .number()
  .min(-MAX_GOALPOST, `must be between ${-MAX_GOALPOST} and ${MAX_GOALPOST}`)
  .max(MAX_GOALPOST, `must be between ${-MAX_GOALPOST} and ${MAX_GOALPOST}`);

const normalisationSchema = z.discriminatedUnion('method', [
  z
    .object({ method: z.literal('efficacy'), unacceptable: goalpost, satisfactory: goalpost })
    .refine((n) => n.unacceptable !== n.satisfactory, 'unacceptable and satisfactory must differ'),
  z
    .object({ method: z.literal('minmax'), worst: goalpost, best: goalpost })
    .refine((n) => n.worst !== n.best, 'worst and best must differ'),
  z
    .object({ method: z.literal('target'), target: goalpost, zero: goalpost.optional() })
    .refine((n) => n.target !== (n.zero ?? 0), 'target must differ from zero'),
]);

const geometrySchema = z
  .object({ type: z.enum(['Polygon', 'MultiPolygon']), coordinates: z.array(z.unknown()) })
  .loose();

export const streetConfigSchema = z.object({
  code: z.string().regex(/^[a-z0-9_-]+$/, 'use lower-case letters, digits, - and _'),
  name: names,
  /**
   * A shorter name per language for where room is tight (the wall's map tiles and ticker), e.g.
   * `{"en": "Taiping"}`; the name itself where none is given.
   */
  short: someNames.optional(),
  population: z.number().int().positive(),
  /** Its communities and villages (社区/村组): a feed's `community` must be one of them, or it is unknown. */
  communities: z.array(nonEmpty).default([]),
  /**
   * Other names feeds use for the street (a division code such as 530181001, a former name): matched
   * like its own names, with or without 街道/镇/乡 (shared/streets.ts).
   */
  aliases: z.array(nonEmpty).default([]),
  /** Other names of its communities, alias → the community's configured name: `{"老街": "大屯社区"}`. */
  communityAliases: z.record(nonEmpty, nonEmpty).default({}),
  /**
   * How screens name its communities, by configured name → names per language, as a street's
   * `name`: `{"大屯社区": {"en": "Datun"}}`. A language not given shows the configured name.
   */
  communityNames: z.record(nonEmpty, someNames).default({}),
  /** Its public-service halls (便民服务中心): a ticket's `hall` must be one of them, or it is unknown. */
  halls: z.array(nonEmpty).default([]),
  geometry: geometrySchema.optional(),
});

export const indicatorConfigSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/, 'use lower-case letters, digits and _'),
  name: names,
  /**
   * A shorter name per language for where room is tight (the wall's heat-map column heads), e.g.
   * `{"en": "Crimes cleared"}`; the name itself where none is given.
   */
  short: someNames.optional(),
  block: z.enum(BLOCKS),
  source: z.enum([...FEEDS, 'manual']),
  measure: z.enum(MEASURES),
  unit: z.object({ zh: z.string(), en: z.string() }),
  /** The live index reads this many days back; a value older than that is stale. */
  windowDays: z.number().int().positive(),
  smoothing: z.enum(['none', 'empirical_bayes']).default('none'),
  normalisation: normalisationSchema,
  /** For a feed-based indicator: how its raw value is computed from the feed's stored items. */
  rule: feedRuleSchema.optional(),
});

/** Seconds that node-cron can schedule evenly: divisors of a minute, or whole minutes dividing an hour. */
export function isSchedulableInterval(seconds: number): boolean {
  if (seconds < 60) return 60 % seconds === 0;
  return seconds % 60 === 0 && 60 % (seconds / 60) === 0;
}

export { ENV_REFERENCE };

const hasUserInfo = (url: string): boolean => {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
};

/**
 * A feed's request headers: name → literal value, or `env:NAME` for a secret (an API key, a
 * bearer token), read from the server's environment under its allowed prefix when it starts.
 */
const feedHeadersSchema = z
  .record(z.string(), nonEmpty)
  .superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      if (!HEADER_NAME.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: HEADER_NAME_MESSAGE,
        });
      if (value.startsWith('env:') && !ENV_REFERENCE.test(value))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'expected env:NAME with NAME an environment variable name',
        });
    }
  })
  .default({});

const feedFields = z.object({
  /**
   * The feed's URL; absent: the built-in simulator's, when it runs. Shown by scheme and host only;
   * credentials go in `headers`, never in the URL's user info.
   */
  url: z
    .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
    .refine(
      (url) => !hasUserInfo(url),
      'a URL may not carry user:password@; put credentials in "headers" (e.g. "authorization": "env:PINGAN_SECRET_FEED_TOKEN")',
    )
    .optional(),
  headers: feedHeadersSchema,
  /** auth, query, method and body, tls, minIntervalMs, paging: shared/feed-request.ts. */
  ...feedRequestFields,
  intervalSeconds: z
    .number()
    .int()
    .positive()
    .refine(isSchedulableInterval, 'must divide a minute (1–30 s) or be whole minutes dividing an hour'),
  pageSize: z.number().int().min(1).max(5000).default(500),
  /** Pages drained per run at most; a backlog continues at the next run. */
  maxPagesPerRun: z.number().int().min(1).default(20),
  timeoutMs: z.number().int().min(50).default(5000),
  /** Attempts after the first failure within one run, with exponential backoff and jitter. */
  retries: z.number().int().min(0).max(10).default(2),
  /** How far back a first start reads (the cursor starts empty). */
  backfillDays: z.number().int().min(0).default(30),
  /** With no successful poll for this long the feed is stale; default three intervals, at least a minute. */
  staleAfterSeconds: z.number().int().positive().optional(),
  /**
   * How far ahead of the server's clock an item's times may be (the two systems' clocks differ); a
   * record with a time further ahead is quarantined. Default CLOCK_SKEW_SECONDS (5 minutes).
   */
  clockSkewSeconds: z.number().int().min(0).max(86_400).optional(),
  mapping: feedMappingSchema.default({ fields: {}, values: {} }),
  /** For a system that pushes: how its requests to POST /api/webhook/:feed are signed. */
  push: feedPushSchema.optional(),
});

/** A feed's settings, with the checks across them of how it is requested and paged. */
export const feedConfigSchema = feedFields.superRefine(checkFeedRequest);

export type FeedConfig = z.infer<typeof feedConfigSchema>;

const feedDefaults = (intervalSeconds: number) => feedConfigSchema.parse({ intervalSeconds });

/** Each feed's settings, by default polled at its definition's interval (shared/feeds). */
const byFeed = <V>(value: (feed: FeedName) => V) =>
  Object.fromEntries(FEEDS.map((feed) => [feed, value(feed)])) as Record<FeedName, V>;
const feedsSchema = z
  .object(byFeed((feed) => feedConfigSchema.default(feedDefaults(FEED_CATALOGUE.pollSeconds[feed]))))
  .default(byFeed((feed) => feedDefaults(FEED_CATALOGUE.pollSeconds[feed])));

/**
 * A block's or an indicator's weight: 0 to 1000. Weights are relative (35/35/30, or 12 of an
 * indicator's block), so this refuses only what cannot be meant, and keeps every sum of weights,
 * and every weight times a score, finite.
 */
export const MAX_WEIGHT = 1000;
const weight = z
  .number()
  .min(0, `must be between 0 and ${MAX_WEIGHT}`)
  .max(MAX_WEIGHT, `must be between 0 and ${MAX_WEIGHT}`);

const blockWeights = z.object({ positive: weight, negative: weight, public: weight });

export const weightsSchema = z.object({
  blocks: blockWeights.refine((b) => b.positive + b.negative + b.public > 0, 'block weights sum to zero'),
  indicators: z.record(z.string(), weight),
  aggregation: z.enum(['arithmetic', 'geometric']).default('arithmetic'),
  normalisation: z.record(z.string(), normalisationSchema).optional(),
  availabilityThreshold: z.number().gt(0).lte(1).optional(),
});

/**
 * The city's words for the feeds' free-text fields that are not a street's own: a value outside its
 * list is stored as unknown, so that free text (a name, a phone number) never reaches the database.
 */
export const vocabularySchema = z.object({
  /** What the service windows offer (a ticket's `service`): 户籍办理, 社保医保… */
  services: z.array(nonEmpty).default([]),
  /** Kinds of dispute (a mediation case's `type`): 邻里纠纷, 婚姻家庭… */
  mediationTypes: z.array(nonEmpty).default([]),
});

/** How survey results are shown (GET /api/surveys). */
export const surveySettingsSchema = z.strictObject({
  /**
   * A group of responses (a community, a street, a survey method, one question) with fewer than this
   * shows its n and no mean: 样本不足.
   */
  minSample: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100_000, 'must be at most 100000')
    .default(DEFAULT_MIN_SAMPLE),
});

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

export const gradeSchema = z.object({
  id: nonEmpty,
  min: z.number(),
  label: names,
  colour: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour #rrggbb'),
});

/** The city itself: its code, its names, its zone. */
export const cityInfoSchema = z.object({
  code: z.string().regex(/^[a-z0-9_-]+$/),
  name: names,
  /** IANA time zone: periods and windows are reckoned in local dates. */
  timezone: nonEmpty.refine(isTimeZone, 'not an IANA time zone such as Asia/Shanghai'),
  /** Said on screen when the populations are illustrative. */
  note: z.string().optional(),
});

export const cityConfigSchema = z
  .object({
    city: cityInfoSchema,
    streets: z.array(streetConfigSchema).min(1),
    vocabulary: vocabularySchema.prefault({}),
    indicators: z.array(indicatorConfigSchema).min(1),
    grades: z.array(gradeSchema).min(1),
    weights: z.object({ name: nonEmpty, effectiveFrom: isoDate, weights: weightsSchema }),
    /** Drop-alert rules, with the defaults of shared/alerts when absent. */
    alerts: alertRulesSchema.prefault({}),
    /** The survey drill-down's minimum sample, DEFAULT_MIN_SAMPLE when absent. */
    surveys: surveySettingsSchema.prefault({}),
    /** The screens watched (wallDown) and when walls reload themselves (shared/screens.ts). */
    screens: screensSchema.prefault({}),
    feeds: feedsSchema,
  })
  .superRefine((config, ctx) => {
    const duplicate = (values: string[]) => values.find((v, i) => values.indexOf(v) !== i);
    const street = duplicate(config.streets.map((s) => s.code));
    if (street)
      ctx.addIssue({ code: 'custom', path: ['streets'], message: `street ${street} appears twice` });
    for (const problem of checkStreetNames(config.streets)) ctx.addIssue({ code: 'custom', ...problem });
    for (const feed of FEEDS)
      for (const problem of checkFeedMapping(definitionOf(feed), config.feeds[feed].mapping))
        ctx.addIssue({ code: 'custom', ...problem, path: ['feeds', feed, 'mapping', ...problem.path] });
    const indicatorIds = config.indicators.map((i) => i.id);
    const indicator = duplicate(indicatorIds);
    if (indicator)
      ctx.addIssue({ code: 'custom', path: ['indicators'], message: `indicator ${indicator} appears twice` });
    config.indicators.forEach((indicator, i) => {
      const path = ['indicators', i, 'rule'];
      if (indicator.source === 'manual') {
        if (indicator.rule) ctx.addIssue({ code: 'custom', path, message: 'a manual indicator has no rule' });
        return;
      }
      if (!indicator.rule) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `required: how to compute it from the ${indicator.source} feed`,
        });
        return;
      }
      for (const problem of checkFeedRule(indicator.rule, definitionOf(indicator.source), indicator.measure))
        ctx.addIssue({
          code: 'custom',
          path: [...path, ...problem.path.split('.')],
          message: problem.message,
        });
    });
    const streetCodes = config.streets.map((s) => s.code);
    for (const code of Object.keys(config.alerts.overrides))
      if (!streetCodes.includes(code))
        ctx.addIssue({
          code: 'custom',
          path: ['alerts', 'overrides', code],
          message: 'no street has this code',
        });
    for (const id of Object.keys(config.weights.weights.indicators)) {
      if (!indicatorIds.includes(id))
        ctx.addIssue({
          code: 'custom',
          path: ['weights', 'weights', 'indicators', id],
          message: 'no indicator has this id',
        });
    }
  });

export type CityConfig = z.infer<typeof cityConfigSchema>;
export type StreetConfig = z.infer<typeof streetConfigSchema>;
export type IndicatorConfig = z.infer<typeof indicatorConfigSchema>;

/** One line per problem, each naming the key path: `streets.2.population: expected a number`. */
export function describeIssues(error: z.ZodError, root = '(root)'): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || root}: ${issueText(issue)}`);
}

/**
 * An issue's reason as a person reads it: a missing field "is required" and a number that is not
 * one "expected a number", rather than zod's "Invalid input: expected array, received undefined"
 * and "received NaN" (a query parameter such as `limit=abc`, coerced).
 */
export function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  if (/received undefined$/.test(issue.message)) return 'is required';
  if (/received NaN$/.test(issue.message)) return 'expected a number';
  return issue.message;
}
