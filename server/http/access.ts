/**
 * Who may call each route and socket event, and how much of the city its answer holds: one table.
 * The access middleware and the live hub enforce it, `createApp` refuses to build with a route the
 * table does not list, and tests/integration/access.test.ts walks every entry with every role.
 */
import { authorise, PERMISSIONS, type Permission, type Principal } from '../../shared/roles.js';

/**
 * Who may call: a token whose role grants the permission; anyone (`public`: probes, metrics, the
 * display's files); whoever holds a signed acknowledgement link, whose signature is its permission;
 * or a system pushing to a feed, whose HMAC of the body with the feed's secret is its permission.
 */
export type Caller = Permission | 'public' | 'signed-link' | 'signed-webhook';

/** Whether a caller's request itself proves its right (a signature the route checks), not a token. */
export const isSigned = (who: Caller): who is 'signed-link' | 'signed-webhook' =>
  who === 'signed-link' || who === 'signed-webhook';

/**
 * What the answer holds of the streets:
 * - `own-streets`: one street's data or several; the handler gives (or lets act on) the caller's own
 *   streets only: a street token's streets, a signed link's one alert;
 * - `no-street-data`: nothing of any one street (configuration, the city as a whole, feed health),
 *   so a street token may see it as it is;
 * - `all-streets`: every street's data, for roles that see the whole city; no permission a street
 *   token holds may reach it.
 */
export type StreetScope = 'own-streets' | 'no-street-data' | 'all-streets';

export interface AccessRule {
  who: Caller;
  streets: StreetScope;
}

/** An entry; its literal types stay, so that the socket events' permissions are known to the compiler. */
const rule = <W extends Caller, S extends StreetScope>(who: W, streets: S) => ({ who, streets });

/** HTTP routes by `METHOD /path` (hono's route pattern), socket events by `socket:<event>`. */
export const ACCESS = {
  'GET /api/health': rule('public', 'no-street-data'),
  'GET /metrics': rule('public', 'no-street-data'),
  // The API's OpenAPI document, the page that renders it, and the renderer's files.
  'GET /api/openapi.json': rule('public', 'no-street-data'),
  'GET /api/docs': rule('public', 'no-street-data'),
  'GET /api/docs/:file': rule('public', 'no-street-data'),
  // The display: static files and the single-page shell, which hold no data.
  'GET /': rule('public', 'no-street-data'),
  'GET /*': rule('public', 'no-street-data'),
  // Any other API path: a 404 that says so.
  'ALL /api/*': rule('public', 'no-street-data'),

  'GET /api/streets': rule('read', 'own-streets'),
  'GET /api/indicators': rule('read', 'no-street-data'),
  'GET /api/index': rule('read', 'own-streets'),
  'GET /api/index/history': rule('read', 'own-streets'),
  'POST /api/indicator-values': rule('ingest', 'all-streets'),

  'GET /api/weight-sets': rule('read', 'no-street-data'),
  'POST /api/weight-sets': rule('admin', 'no-street-data'),
  'PUT /api/weight-sets/:id': rule('admin', 'no-street-data'),
  'POST /api/weight-sets/:id/publish': rule('admin', 'no-street-data'),
  'GET /api/weight-sets/:id/history': rule('read', 'no-street-data'),
  // The quarterly review: a draft tried on every street, the trail of every set.
  'GET /api/weight-sets/audit': rule('review', 'no-street-data'),
  'POST /api/weight-sets/what-if': rule('review', 'all-streets'),
  'POST /api/weight-sets/sensitivity': rule('review', 'all-streets'),
  'POST /api/weight-sets/:id/preview': rule('read', 'own-streets'),

  // A published month: every street's figures, a street token's own only (the city figure stays).
  'GET /api/reports/monthly': rule('read', 'no-street-data'),
  'GET /api/reports/monthly/:month': rule('read', 'own-streets'),
  'POST /api/reports/monthly/:month/publish': rule('admin', 'no-street-data'),

  // The caller's own name, role, streets and permissions.
  'GET /api/session': rule('read', 'own-streets'),
  'GET /api/tokens': rule('admin', 'all-streets'),
  'POST /api/tokens': rule('admin', 'all-streets'),
  'DELETE /api/tokens/:id': rule('admin', 'all-streets'),

  'GET /api/subscriptions': rule('admin', 'all-streets'),
  'POST /api/subscriptions': rule('admin', 'all-streets'),
  'GET /api/subscriptions/:id': rule('admin', 'all-streets'),
  'PUT /api/subscriptions/:id': rule('admin', 'all-streets'),
  'DELETE /api/subscriptions/:id': rule('admin', 'all-streets'),
  // Sent through the subscription's channels; the answer quotes the receivers, without secrets.
  'POST /api/subscriptions/:id/test': rule('admin', 'all-streets'),

  'GET /api/feeds': rule('read', 'no-street-data'),
  // Records mapped as they would be stored: any street's.
  'POST /api/feeds/:feed/test': rule('admin', 'all-streets'),
  'GET /api/quarantine': rule('read', 'own-streets'),
  'POST /api/ingest/:feed': rule('ingest', 'all-streets'),
  'POST /api/import/:feed': rule('ingest', 'all-streets'),
  // The answer holds what the caller sent: counts, and its own refused lines with their reasons.
  'POST /api/webhook/:feed': rule('signed-webhook', 'no-street-data'),

  'GET /api/alerts': rule('read', 'own-streets'),
  'GET /api/alerts/:id': rule('read', 'own-streets'),
  'POST /api/alerts/:id/ack': rule('acknowledge', 'own-streets'),
  'GET /api/ack/:id': rule('signed-link', 'own-streets'),
  'POST /api/ack/:id': rule('signed-link', 'own-streets'),
  'GET /api/silences': rule('read', 'own-streets'),
  'POST /api/silences': rule('silence', 'all-streets'),
  'DELETE /api/silences/:id': rule('silence', 'all-streets'),

  // A street token's own streets, and the city as a whole.
  'GET /api/surveys': rule('read', 'own-streets'),

  // The city configuration (secrets masked), its versions, a section changed, the file read again.
  'GET /api/admin/config': rule('admin', 'all-streets'),
  'GET /api/admin/config/versions': rule('admin', 'no-street-data'),
  'PUT /api/admin/config/:section': rule('admin', 'all-streets'),
  'POST /api/admin/reload': rule('admin', 'all-streets'),

  // A wall's heartbeat from its watchdog worker, as `socket:heartbeat`: a street token's is dropped.
  'POST /api/walls/heartbeat': rule('read', 'no-street-data'),

  'socket:connect': rule('read', 'own-streets'),
  'socket:resync': rule('read', 'own-streets'),
  'socket:heartbeat': rule('read', 'no-street-data'),
  'socket:ack': rule('acknowledge', 'own-streets'),
} as const satisfies Record<string, AccessRule>;

export type AccessKey = keyof typeof ACCESS;
export type SocketAction = Extract<AccessKey, `socket:${string}`>;

/** The rule of a route or event, if the table has one. */
export const accessRule = (key: string): AccessRule | undefined =>
  Object.hasOwn(ACCESS, key) ? (ACCESS as Record<string, AccessRule>)[key] : undefined;

interface Route {
  method: string;
  path: string;
  handler: (...args: never[]) => unknown;
}

/** The key of a hono route: `GET /api/alerts/:id`. */
export const routeKey = (route: Pick<Route, 'method' | 'path'>): string => `${route.method} ${route.path}`;

/**
 * Whether a route answers requests rather than passing them on. Middleware (`app.use`) is
 * registered for every method and takes `next`; a route for every method (`app.all`) that takes no
 * `next` answers, like any route of one method.
 */
export const answers = (route: Route): boolean => route.method !== 'ALL' || route.handler.length < 2;

/** The keys of an app's routes that answer requests: each needs an entry in the table. */
export const answeringRoutes = (routes: readonly Route[]): string[] => [
  ...new Set(routes.filter(answers).map(routeKey)),
];

/**
 * What is wrong with the table for these routes: a route without an entry, a permission that does
 * not exist, a public entry that holds street data, or every street's data within a street token's
 * reach. Empty when all is well.
 */
export function accessProblems(routes: readonly string[]): string[] {
  const problems = routes
    .filter((key) => !accessRule(key))
    .map((key) => `${key}: no entry in the access table (server/http/access.ts)`);
  const streetToken: Principal = { tokenId: 0, name: 'street', role: 'street', streets: [] };
  for (const [key, entry] of Object.entries(ACCESS) as [string, AccessRule][]) {
    const open = entry.who === 'public';
    if (!open && !isSigned(entry.who) && !(PERMISSIONS as readonly string[]).includes(entry.who))
      problems.push(`${key}: unknown permission ${entry.who}`);
    if (open && entry.streets !== 'no-street-data')
      problems.push(`${key}: a public entry may not hold street data`);
    const streetMayCall =
      open || isSigned(entry.who) || authorise(streetToken, entry.who as Permission).allowed;
    if (streetMayCall && entry.streets === 'all-streets')
      problems.push(`${key}: every street's data is within a street token's reach`);
  }
  return problems;
}

/** Whether a principal (null: no token) may call an entry, by its permission alone. */
export function mayCall(entry: AccessRule, principal: Principal | null): boolean {
  if (entry.who === 'public' || isSigned(entry.who)) return true;
  return principal !== null && authorise(principal, entry.who).allowed;
}
