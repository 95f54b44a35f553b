/**
 * The HTTP API as the display sees it: payload types and one fetch that turns every failure into an
 * {@link ApiFailure} the store can tell apart (no token, token refused, server unreachable).
 */
import type { IndicatorConfig } from '$shared/city.js';
import type { Names } from '$shared/api.js';
import type { GradeBand } from '$shared/index/types.js';
import type { CommunityNames } from '$shared/names.js';

export type { LiveIndicator, LiveStreet, Names } from '$shared/api.js';

/** `GET /api/indicators`. */
export interface IndicatorCatalogue {
  indicators: IndicatorConfig[];
  grades: GradeBand[];
}

/** A street's outline as configured: GeoJSON, longitude and latitude. */
export interface StreetGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: unknown[];
}

/** A street as `GET /api/streets` gives it, in what the display reads of it. */
export interface RegionStreet {
  code: string;
  name: Names;
  /** Its shorter names where room is tight (the map's tiles, the ticker). */
  short?: { zh?: string; en?: string };
  /** How screens name its communities, by configured name. */
  communityNames?: CommunityNames;
  geometry?: StreetGeometry;
}

/**
 * `GET /api/streets`: the city's name, time zone and note; the streets with their outlines, if any,
 * and the names of their communities.
 */
export interface Regions {
  city: { code: string; name: Names; timezone: string; note?: string };
  streets: RegionStreet[];
}

/**
 * Why a call failed:
 * - `token`: 401, the token is missing, unknown or revoked
 * - `forbidden`: 403, the token's role may not read the index
 * - `server`: any other answer that is not a success (the message says which)
 * - `network`: no answer at all (server down, timeout)
 */
export type FailureKind = 'token' | 'forbidden' | 'server' | 'network';

export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;

/**
 * What a person is told of a failed answer: a server's fault names its request (`X-Request-Id`),
 * which the operator finds on the server's log lines of it.
 */
export function failureMessage(message: string, status: number, response: Pick<Response, 'headers'>): string {
  const requestId = response.headers.get('x-request-id');
  return status >= 500 && requestId ? `${message} (request ${requestId})` : message;
}

function isErrorBody(body: unknown): body is { code: string; message: string } {
  return typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string';
}

/** GETs an API path with the bearer token; resolves to the JSON body or rejects with an ApiFailure. */
export async function getJson<T>(path: string, token: string, fetchImpl: typeof fetch = fetch): Promise<T> {
  let response: Response;
  try {
    response = await fetchImpl(path, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiFailure('network', error instanceof Error ? error.message : String(error));
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && body !== null) return body as T;
  const message = isErrorBody(body) ? body.message : `${response.status} ${response.statusText}`.trim();
  const kind: FailureKind =
    response.status === 401 ? 'token' : response.status === 403 ? 'forbidden' : 'server';
  throw new ApiFailure(kind, failureMessage(message, response.status, response), response.status);
}
