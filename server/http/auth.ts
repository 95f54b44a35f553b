/**
 * Token authentication for every API route, and the permission check of each route. The socket
 * handshake uses `principalFor` and the same `authorise` from shared/roles.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { authorise, type Permission, type Principal } from '../../shared/roles.js';
import type { TokenRepository } from '../repositories/tokens.js';
import { ApiError } from './errors.js';

export type AppEnv = { Variables: { principal: Principal } };

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

export function authenticate(tokens: TokenRepository): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set(
      'principal',
      await principalFor(tokens, tokenOf(c.req.header('authorization'), c.req.query('token'))),
    );
    await next();
  };
}

/** Refuses with 403 unless the caller's role grants the permission. */
export function requires(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    ensureAllowed(c, permission);
    await next();
  };
}

/** Refuses with 403 unless the caller may do this (to this street, when one is named). */
export function ensureAllowed(c: Context<AppEnv>, permission: Permission, street?: string): Principal {
  const principal = c.get('principal');
  const decision = authorise(principal, permission, street);
  if (!decision.allowed) throw new ApiError(403, 'forbidden', decision.reason);
  return principal;
}
