/**
 * The environment, parsed once with a schema. A bad value stops start-up with a message naming the
 * variable and the problem.
 */
import { z } from 'zod';
import { describeIssues } from '../../shared/city.js';

const onOff = z.enum(['on', 'off']);

/** Where `env:NAME` references in channel and feed configurations may point by default. */
export const DEFAULT_SECRET_ENV_PREFIX = 'PINGAN_SECRET_';

export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** postgres://… for PostgreSQL; absent for the embedded PGlite under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
    .optional(),
  /**
   * The longest a PostgreSQL connection, query, or transaction's start or commit may take before the
   * database counts as unavailable (503); also the connect timeout.
   */
  DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  DATA_DIR: z.string().min(1).default('./data'),
  /**
   * This node's name, the same across its restarts (by default the host name): a restarted server
   * releases at once the notifications its killed predecessor on this node was sending.
   */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'expected 1–100 letters, digits, dots, dashes or underscores')
    .optional(),
  /**
   * `all`: this node may lead (run the pollers, the alert evaluator and the jobs) besides serving
   * walls and the API; `web`: it only serves, and never leads. Needs PostgreSQL (see clusterProblem).
   */
  NODE_ROLE: z.enum(['all', 'web']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: readable lines on a terminal, JSON lines when the output is redirected. */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  CITY_CONFIG: z.string().min(1).default('./config/anning.json'),
  /** Sets the admin token instead of generating one on first start. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Seeds a month of demo indicator values into an empty database. */
  SEED_DEMO: onOff.default('on'),
  /** With SEED_DEMO, the months before the current one the demo publishes once (0: none). */
  DEMO_MONTHS: z.coerce.number().int().min(0).max(60).default(13),
  /** Runs the built-in simulator of the city's feeds and polls it for feeds without a URL. */
  SIMULATOR: onOff.default('on'),
  SIMULATOR_SCENARIO: z.string().min(1).default('./config/scenarios/anning-demo.json'),
  SIMULATOR_SEED: z.coerce.number().int().default(20261125),
  SNAPSHOT_INTERVAL_SECONDS: z.coerce.number().int().positive().default(300),
  /** Snapshots older than this are deleted. */
  SNAPSHOT_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
  /** Where people reach the server: the base of the acknowledgement links in notifications. */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /** Signs acknowledgement links; by default a key created on first start and kept in the database. */
  ACK_LINK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How long an acknowledgement link in a notification stays valid. */
  ACK_LINK_HOURS: z.coerce.number().positive().default(72),
  /** How often the alert rules are evaluated (they also run after every recompute). */
  ALERT_EVALUATE_SECONDS: z.coerce.number().int().positive().default(30),
  /**
   * `env:NAME` references (channel credentials, feed headers) may only name variables starting with
   * this; the server's own variables (this schema's keys) never, whatever the prefix.
   */
  SECRET_ENV_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*_$/,
      `expected the start of a variable name, ending in _ (such as ${DEFAULT_SECRET_ENV_PREFIX})`,
    )
    .default(DEFAULT_SECRET_ENV_PREFIX),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; empty strings count as unset. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError('environment', describeIssues(parsed.error));
  return parsed.data;
}
