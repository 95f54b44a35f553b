/**
 * Subscriptions in the database, and the checks only the server can make: each channel's
 * configuration against its kind's schema, the streets against the city, and no personal data —
 * an SMS channel's phone numbers must be `env:NAME` references, read from the environment when the
 * channel is built, never stored. What leaves this module has every secret masked, and every e-mail
 * recipient too (a literal one is allowed: a duty mailbox is a role, not a person).
 */
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import {
  subscriptionSchema,
  type Subscription,
  type SubscriptionChannelKind,
} from '../../shared/alerts/subscriptions.js';
import { describeIssues, type CityConfig } from '../../shared/city.js';
import type { Db } from '../db/client.js';
import { alertSubscriptions } from '../db/schema/index.js';
import type { ChannelKind } from './channels/channel.js';
import { type Environment, referenceProblems } from '../config/secret-env.js';
import { DomainError } from '../domain-errors.js';
import { isEnvReference } from './channels/credentials.js';
import { channelDefinitions, redactChannelConfig } from './channels/registry.js';

const PHONE_IS_PERSONAL =
  'a phone number is personal data and is not stored: write env:NAME and set NAME in the server environment';

/** The positions of an SMS configuration's phone numbers that are written out rather than env:NAME. */
function literalPhoneNumbers(config: Record<string, unknown>): number[] {
  const numbers = config.phoneNumbers;
  if (!Array.isArray(numbers)) return [];
  return numbers.flatMap((number, j) => (typeof number === 'string' && !isEnvReference(number) ? [j] : []));
}

// shared/ repeats the channel kinds (it may not import server code): this stops compiling when they differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _kindsAgree: Same<ChannelKind, SubscriptionChannelKind> = true;

/** A subscription refused, with one `path: reason` a problem. */
export class InvalidSubscriptionError extends DomainError {
  constructor(readonly problems: string[]) {
    super('invalid', problems.join('; '), { problems });
    this.name = 'InvalidSubscriptionError';
  }
}

/**
 * The shared schema, plus what needs the server: channel schemas, the city's streets, no phone
 * numbers, and every `env:NAME` reference under the allowed prefix, not one of the server's own
 * settings, and set in the environment the channels will be built from.
 */
export function subscriptionSchemaFor(
  city: Pick<CityConfig, 'streets'>,
  env: Environment = process.env,
  secretPrefix?: string,
) {
  const streetCodes = city.streets.map((street) => street.code);
  return subscriptionSchema.superRefine((spec, ctx) => {
    spec.streets.forEach((street, i) => {
      if (!streetCodes.includes(street))
        ctx.addIssue({
          code: 'custom',
          path: ['streets', i],
          message: `no street has the code "${street}"; expected one of ${streetCodes.join(', ')}`,
        });
    });
    spec.channels.forEach((channel, i) => {
      const path = ['channels', i, 'config'];
      const addIssue = (at: (string | number)[], message: string) =>
        ctx.addIssue({ code: 'custom', path: [...path, ...at], message });
      // A literal phone number is refused for what it is, whatever its format.
      const literalPhones = channel.kind === 'sms' ? literalPhoneNumbers(channel.config) : [];
      for (const j of literalPhones) addIssue(['phoneNumbers', j], PHONE_IS_PERSONAL);
      const parsed = channelDefinitions[channel.kind].configSchema.safeParse(channel.config);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const [field, j] = issue.path;
          if (field === 'phoneNumbers' && typeof j === 'number' && literalPhones.includes(j)) continue;
          addIssue(issue.path as (string | number)[], issue.message);
        }
        return;
      }
      for (const { path: at, problem } of referenceProblems(parsed.data, env, secretPrefix))
        addIssue(at, problem);
    });
  });
}

/** Parses and checks a subscription, or throws InvalidSubscriptionError naming each path and reason. */
export function validateSubscription(
  input: unknown,
  city: Pick<CityConfig, 'streets'>,
  env: Environment = process.env,
  secretPrefix?: string,
): Subscription {
  const parsed = subscriptionSchemaFor(city, env, secretPrefix).safeParse(input);
  if (!parsed.success) throw new InvalidSubscriptionError(describeIssues(parsed.error));
  return parsed.data;
}

/** A channel as shown to people: its configuration with every secret masked. */
export interface ChannelView {
  kind: ChannelKind;
  config: Record<string, unknown> | null;
  /** Set when a stored configuration no longer passes its kind's schema (after an upgrade). */
  problem?: string;
}

export type SubscriptionView = Omit<Subscription, 'channels'> & {
  id: number;
  channels: ChannelView[];
  createdAt: string;
  updatedAt: string;
  /** Set when the stored subscription no longer passes validation (after an upgrade). */
  problem?: string;
};

type Row = typeof alertSubscriptions.$inferSelect;

function redacted(kind: ChannelKind, config: unknown): ChannelView {
  try {
    return { kind, config: redactChannelConfig(kind, config) };
  } catch (error) {
    // The ConfigError names paths and reasons only, never the values.
    return { kind, config: null, problem: (error as Error).message };
  }
}

/** A stored specification read back; a row that no longer parses is reported, not thrown over. */
export function storedSubscription(row: Pick<Row, 'spec'>): Subscription | null {
  const parsed = subscriptionSchema.safeParse(row.spec);
  return parsed.success ? parsed.data : null;
}

function view(row: Row): SubscriptionView {
  const base = {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
  const spec = storedSubscription(row);
  if (!spec)
    return {
      ...base,
      name: row.name,
      kind: row.kind === 'group' ? 'group' : 'person',
      enabled: row.enabled,
      audiences: [],
      streets: [],
      rules: [],
      severities: [],
      channels: [],
      problem: 'the stored subscription no longer passes validation: replace it with PUT',
    };
  return {
    ...base,
    ...spec,
    channels: spec.channels.map((channel) => redacted(channel.kind, channel.config)),
  };
}

const id = z.number().int().positive();

export interface SubscriptionRepositoryOptions {
  clock?: () => Date;
  /** Where the channels' `env:NAME` references must be set; process.env by default. */
  env?: Environment;
  /** What those references must start with (SECRET_ENV_PREFIX); `PINGAN_SECRET_` by default. */
  secretPrefix?: string;
}

export class SubscriptionRepository {
  private readonly clock: () => Date;
  private readonly env: Environment;
  private readonly secretPrefix: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly city: Pick<CityConfig, 'streets'>,
    options: SubscriptionRepositoryOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.env = options.env ?? process.env;
    this.secretPrefix = options.secretPrefix;
  }

  async list(): Promise<SubscriptionView[]> {
    const rows = await this.db.select().from(alertSubscriptions).orderBy(asc(alertSubscriptions.id));
    return rows.map(view);
  }

  async get(subscriptionId: number): Promise<SubscriptionView | null> {
    if (!id.safeParse(subscriptionId).success) return null;
    const [row] = await this.db
      .select()
      .from(alertSubscriptions)
      .where(eq(alertSubscriptions.id, subscriptionId));
    return row ? view(row) : null;
  }

  /**
   * The stored specification, secrets and all, for the server's own use (a test notification);
   * null when there is none, or it no longer passes validation.
   */
  async spec(subscriptionId: number): Promise<Subscription | null> {
    if (!id.safeParse(subscriptionId).success) return null;
    const [row] = await this.db
      .select({ spec: alertSubscriptions.spec })
      .from(alertSubscriptions)
      .where(eq(alertSubscriptions.id, subscriptionId));
    return row ? storedSubscription(row) : null;
  }

  /** Validates and stores; throws InvalidSubscriptionError naming each problem. */
  async create(input: unknown): Promise<SubscriptionView> {
    const spec = validateSubscription(input, this.city, this.env, this.secretPrefix);
    const now = this.clock();
    const [row] = await this.db
      .insert(alertSubscriptions)
      .values({ ...columns(spec), createdAt: now, updatedAt: now })
      .returning();
    return view(row!);
  }

  /** Replaces the whole subscription; null when there is none with this id. */
  async update(subscriptionId: number, input: unknown): Promise<SubscriptionView | null> {
    const spec = validateSubscription(input, this.city, this.env, this.secretPrefix);
    if (!id.safeParse(subscriptionId).success) return null;
    const [row] = await this.db
      .update(alertSubscriptions)
      .set({ ...columns(spec), updatedAt: this.clock() })
      .where(eq(alertSubscriptions.id, subscriptionId))
      .returning();
    return row ? view(row) : null;
  }

  /**
   * Deletes; false when there was none. Notifications already queued for it are not sent: the
   * dispatcher marks them failed, saying the subscription was removed.
   */
  async remove(subscriptionId: number): Promise<boolean> {
    if (!id.safeParse(subscriptionId).success) return false;
    const rows = await this.db
      .delete(alertSubscriptions)
      .where(eq(alertSubscriptions.id, subscriptionId))
      .returning({ id: alertSubscriptions.id });
    return rows.length > 0;
  }
}

/**
 * The columns of a subscription. The channel configurations are stored as written (validated, not
 * parsed): a kind's defaults, such as its timeout, then apply as they are when the channel is built.
 */
function columns(spec: Subscription) {
  return {
    name: spec.name,
    kind: spec.kind,
    enabled: spec.enabled,
    spec: spec as unknown as Record<string, unknown>,
  };
}
