/**
 * Token authentication and the access table's check, for every request: one middleware finds the
 * route a request matched, looks its entry up in the access table (server/http/access.ts), and lets
 * it through, asks for a token, or refuses. The socket handshake uses `principalFor` and the same table.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import { authorise, type Permission, type Principal } from '../../shared/roles.js';
import type { TokenRepository } from '../repositories/tokens.js';
import { accessRule, answers, routeKey, isSigned } from './access.js';
import { ApiError } from './errors.js';

export type AppEnv = { Variables: { principal: Principal } & RequestIdVariables };

/** The token of a request: `Authorization: Bearer …`, or `?token=` on a kiosk's URL. */
export function tokenOf(authorization: string | undefined, query: string | undefined): string | undefined {
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? (query || undefined);
}

/** Resolves a token to its principal, or throws the 401 that says why. */
export async function principalFor(tokens: TokenRepository, token: string | undefined): Promise<Principal> {
  if (!token) throw new ApiError(401, 'unauthorized', 'a token is required: Authorization: Bearer <token>');
  const principal = await tokens.authenticate(token);
  if (!principal) throw new ApiError(401, 'unauthorized', 'the token is unknown or revoked');
  return principal;
}

/**
 * Applies the access table's entry of the route that will answer a request: the first matched route
 * that is not middleware. A request no route answers needs nothing (the display's files, when built).
 */
export function accessControl(tokens: TokenRepository): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const route = matchedRoutes(c).find(answers);
    if (!route) return next();
    const key = routeKey(route);
    const entry = accessRule(key);
    // createApp refuses to build with a route the table lacks: an answering route always has an entry.
    if (!entry) throw new Error(`${key} has no entry in the access table`);
    if (entry.who === 'public' || isSigned(entry.who)) return next();
    const principal = await principalFor(
      tokens,
      tokenOf(c.req.header('authorization'), c.req.query('token')),
    );
    c.set('principal', principal);
    const decision = authorise(principal, entry.who);
    if (!decision.allowed) throw new ApiError(403, 'forbidden', decision.reason);
    await next();
  };
}

/** Refuses with 403 unless the caller may do this to this street (the route's own check of a street it names). */
export function ensureAllowed(c: Context<AppEnv>, permission: Permission, street?: string): Principal {
  const principal = c.get('principal');
  const decision = authorise(principal, permission, street);
  if (!decision.allowed) throw new ApiError(403, 'forbidden', decision.reason);
  return principal;
}
