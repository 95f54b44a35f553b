/**
 * `env:NAME` references: how a configuration names a secret that stays in the environment (a
 * robot's key, a gateway's token, a phone number). Only variables under an allowed prefix
 * (SECRET_ENV_PREFIX, `PINGAN_SECRET_` by default) may be named, and never the server's own
 * settings: a configuration an administrator writes decides where the value is sent, and
 * `env:DATABASE_URL` in a header would otherwise post the database's password to any URL.
 */
import { ENV_REFERENCE } from '../../shared/city.js';
import { ConfigError, DEFAULT_SECRET_ENV_PREFIX, envSchema } from './env.js';

export { ENV_REFERENCE };

export const isEnvReference = (value: string): boolean => value.startsWith('env:');

/** The environment `env:NAME` references are read from: the server's unless told (tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The server's own settings, whatever the prefix: every variable the server itself reads. */
const SERVER_SETTINGS: ReadonlySet<string> = new Set(Object.keys(envSchema.shape));

/** Why `env:NAME` may not be read under this prefix, or null when it may. */
export function referenceRefusal(name: string, prefix: string = DEFAULT_SECRET_ENV_PREFIX): string | null {
  if (SERVER_SETTINGS.has(name))
    return `env:${name} is one of the server's own settings: it is never sent anywhere`;
  if (!name.startsWith(prefix))
    return `env:${name} is not under ${prefix} (SECRET_ENV_PREFIX): only variables whose names start with it may be referenced`;
  return null;
}

/**
 * Every `env:NAME` reference in a configuration that cannot be read, with its path and why: a name
 * outside the prefix or one of the server's settings, or a variable not set (or empty) in `env`.
 * A configuration naming one would fail each time it is used, so it is refused when it is written.
 */
export function referenceProblems(
  value: unknown,
  env: Environment,
  prefix: string = DEFAULT_SECRET_ENV_PREFIX,
  path: (string | number)[] = [],
): { path: (string | number)[]; problem: string }[] {
  if (typeof value === 'string') {
    const name = ENV_REFERENCE.exec(value)?.[1];
    if (name === undefined) return [];
    const refusal = referenceRefusal(name, prefix);
    if (refusal) return [{ path, problem: refusal }];
    return env[name]
      ? []
      : [
          {
            path,
            problem: `environment variable ${name} is not set on this server: set it (and restart), then save this`,
          },
        ];
  }
  if (Array.isArray(value))
    return value.flatMap((item, i) => referenceProblems(item, env, prefix, [...path, i]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => referenceProblems(item, env, prefix, [...path, key]));
}

export type ReadReference =
  { ok: true; value: string; name: string | null } | { ok: false; name: string; problem: string };

/**
 * Reads a value that may be `env:NAME`: a literal comes back as it is (`name` null), a reference as
 * its variable's value; or the reason it cannot be read (the caller names the path).
 */
export function readReference(
  value: string,
  env: Environment,
  prefix: string = DEFAULT_SECRET_ENV_PREFIX,
): ReadReference {
  const name = ENV_REFERENCE.exec(value)?.[1];
  if (name === undefined) return { ok: true, value, name: null };
  const refusal = referenceRefusal(name, prefix);
  if (refusal) return { ok: false, name, problem: refusal };
  const resolved = env[name];
  if (resolved === undefined || resolved === '')
    return { ok: false, name, problem: `environment variable ${name} is not set` };
  return { ok: true, value: resolved, name };
}

/**
 * A map of values that may be `env:NAME` (a feed's headers), read now; a value that cannot be read
 * throws a ConfigError naming `<path>.<key>` and why, every one at once.
 */
export function readReferences(
  values: Readonly<Record<string, string>>,
  path: string,
  source: string,
  env: Environment,
  prefix: string = DEFAULT_SECRET_ENV_PREFIX,
): Record<string, string> {
  const problems: string[] = [];
  const read = Object.entries(values).map(([key, value]) => {
    const result = readReference(value, env, prefix);
    if (!result.ok) problems.push(`${path}.${key}: ${result.problem}`);
    return [key, result.ok ? result.value : ''] as const;
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  return Object.fromEntries(read);
}
