/**
 * The administration API as the admin pages see it (notes: issue 14's contract): its payloads, and
 * one request that sends a JSON body and turns every failure into an {@link ApiFailure}, a refused
 * body into an {@link Refusal} carrying the key paths of its problems.
 */
import type { CityConfig } from '$shared/city.js';
import type { Role } from '$shared/roles.js';
import type { SubscriptionChannelKind, SubscriptionInput } from '$shared/alerts/subscriptions.js';
import { ApiFailure, failureMessage, type FailureKind } from '../api.js';
import { issuesOf, type Issue } from './issues.js';

export type ConfigSource = 'file' | 'admin' | 'reload';

/** One version of the running configuration. */
export interface ConfigVersion {
  id: number;
  at: string;
  actor: string;
  source: ConfigSource;
  reason: string | null;
  sections: string[];
}

/** `GET /api/admin/config`. */
export interface AdminConfig {
  version: ConfigVersion;
  config: CityConfig;
  file: { path: string; status: 'ok' | 'refused'; problems: string[]; checkedAt: string | null };
}

/** The sections an administrator may replace with `PUT /api/admin/config/:section`. */
export const CONFIG_SECTIONS = ['streets', 'indicators', 'alerts', 'feeds', 'surveys'] as const;
export type ConfigSection = (typeof CONFIG_SECTIONS)[number];

/** `PUT /api/admin/config/:section`. */
export interface SavedConfig {
  version: ConfigVersion;
  config: CityConfig;
}

/** `POST /api/admin/reload`. */
export interface Reloaded {
  changed: boolean;
  version: ConfigVersion;
}

/** `GET /api/tokens`: a token as listed (never the token itself). */
export interface TokenRow {
  id: number;
  name: string;
  role: Role;
  streets: string[];
  createdAt: string;
  revokedAt: string | null;
}

/** `POST /api/tokens`: the token, shown this once. */
export interface CreatedToken {
  id: number;
  token: string;
}

/** A channel as listed: its configuration with every literal secret masked. */
export interface ChannelView {
  kind: SubscriptionChannelKind;
  config: Record<string, unknown> | null;
  problem?: string;
}

/** `GET /api/subscriptions`: one subscription as stored, secrets masked. */
export type SubscriptionView = Omit<Required<SubscriptionInput>, 'channels' | 'quietHours'> & {
  id: number;
  quietHours?: SubscriptionInput['quietHours'];
  channels: ChannelView[];
  createdAt: string;
  updatedAt: string;
  problem?: string;
};

/** `POST /api/subscriptions/:id/test`: what each channel's receiver answered. */
export interface ChannelTestResult {
  channel: string;
  ok: boolean;
  status: number | null;
  answer: string | null;
  error: string | null;
}

/**
 * A 400: the body was refused. `issues` are its problems by key path (`streets.2.population`), read
 * from `details.issues` or, failing that, from the message's `path: reason; …` lines.
 */
export class Refusal extends ApiFailure {
  constructor(
    message: string,
    readonly issues: Issue[],
  ) {
    super('server', message, 400);
  }
}

const TIMEOUT_MS = 20_000;

function errorBody(body: unknown): { message: string; details?: unknown } | null {
  if (typeof body !== 'object' || body === null || !('message' in body)) return null;
  const { message, details } = body as { message: unknown; details?: unknown };
  return typeof message === 'string' ? { message, details } : null;
}

/** Sends a request with the bearer token (and a JSON body); resolves to the JSON answer. */
export async function requestJson<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  token: string,
  body?: unknown,
  fetchImpl: typeof fetch = fetch,
): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiFailure('network', error instanceof Error ? error.message : String(error));
  }
  const answer: unknown = await response.json().catch(() => null);
  if (response.ok && answer !== null) return answer as T;
  const error = errorBody(answer);
  const message = error?.message ?? `${response.status} ${response.statusText}`.trim();
  if (response.status === 400) throw new Refusal(message, issuesOf(message, error?.details));
  const kind: FailureKind =
    response.status === 401 ? 'token' : response.status === 403 ? 'forbidden' : 'server';
  throw new ApiFailure(kind, failureMessage(message, response.status, response), response.status);
}
