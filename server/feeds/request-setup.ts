/**
 * What a poller sends its feed, read once when it starts: the configured headers with
 * `authorization` from `auth`, the extra query parameters, a connection pool that trusts the feed's
 * own CA, and the pacer of its request rate. Every `env:NAME` that cannot be read, and a CA that
 * cannot be, stops start-up naming its key path and why, all at once. What is read from the
 * environment is secret: it is listed for scrubbing and never logged.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import type { FeedConfig } from '../../shared/city.js';
import type { FeedName } from '../../shared/feeds/index.js';
import { ConfigError } from '../config/env.js';
import { readReference, type Environment } from '../config/secret-env.js';
import { RequestPacer } from './pacer.js';

export interface FeedRequestSetup {
  headers: Record<string, string>;
  /** The configured query parameters, `env:NAME` ones read. */
  query: [string, string][];
  /** Every value read from the environment, and the credentials made of them. */
  secrets: string[];
  /** A pool trusting only the feed's CA, when it has one; otherwise fetch's own. */
  dispatcher: Agent | undefined;
  pacer: RequestPacer | null;
  /** Closes the pool's connections (the poller stops). */
  close(): Promise<void>;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Reads a feed's request settings; throws a ConfigError listing every problem. */
export function feedRequestSetup(
  feed: FeedName,
  config: FeedConfig,
  env: Environment,
  prefix?: string,
): FeedRequestSetup {
  const problems: string[] = [];
  const secrets: string[] = [];
  const read = (value: string, path: string): string => {
    const result = readReference(value, env, prefix);
    if (!result.ok) {
      problems.push(`feeds.${feed}.${path}: ${result.problem}`);
      return '';
    }
    if (result.name !== null) secrets.push(result.value);
    return result.value;
  };

  const headers = Object.fromEntries(
    Object.entries(config.headers).map(([name, value]) => [name, read(value, `headers.${name}`)]),
  );
  const authorization = authorizationOf(config.auth, read);
  if (authorization) {
    headers.authorization = authorization.header;
    secrets.push(...authorization.secrets);
  }
  const query = Object.entries(config.query).map(([name, value]): [string, string] => [
    name,
    typeof value === 'string' ? read(value, `query.${name}`) : String(value),
  ]);
  const ca = config.tls ? readCa(config.tls, `feeds.${feed}.tls`, read, problems) : undefined;
  if (problems.length > 0) throw new ConfigError('city configuration', problems);

  const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
  return {
    headers,
    query,
    secrets,
    dispatcher,
    pacer: config.minIntervalMs ? new RequestPacer(config.minIntervalMs) : null,
    close: async () => {
      await dispatcher?.close();
    },
  };
}

/** The `authorization` header of `auth`, and the secrets it holds (the header itself among them). */
function authorizationOf(
  auth: FeedConfig['auth'],
  read: (value: string, path: string) => string,
): { header: string; secrets: string[] } | null {
  if (!auth) return null;
  switch (auth.type) {
    case 'bearer': {
      const header = `Bearer ${read(auth.token, 'auth.token')}`;
      return { header, secrets: [header] };
    }
    case 'basic': {
      const credentials = Buffer.from(
        `${read(auth.username, 'auth.username')}:${read(auth.password, 'auth.password')}`,
        'utf8',
      ).toString('base64');
      return { header: `Basic ${credentials}`, secrets: [credentials] };
    }
  }
}

/**
 * The PEM of `tls.ca` (an `env:NAME`) or `tls.caFile` (a path from the working directory). Its
 * content is never quoted in a problem: a variable named by mistake may hold anything.
 */
function readCa(
  tls: NonNullable<FeedConfig['tls']>,
  path: string,
  read: (value: string, path: string) => string,
  problems: string[],
): string | undefined {
  let pem: string;
  let where: string;
  if (tls.ca !== undefined) {
    pem = read(tls.ca, 'tls.ca');
    where = `${path}.ca`;
    if (pem === '') return undefined;
  } else {
    where = `${path}.caFile`;
    try {
      pem = readFileSync(tls.caFile!, 'utf8');
    } catch (error) {
      problems.push(
        `${where}: cannot read ${tls.caFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
      return undefined;
    }
  }
  if (!PEM_CERTIFICATE.test(pem)) {
    problems.push(
      `${where}: expected a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)`,
    );
    return undefined;
  }
  return pem;
}
