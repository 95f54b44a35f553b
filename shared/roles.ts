/**
 * Tokens and roles. One pure check, used by the HTTP middleware and the socket handshake alike.
 */

export const ROLES = ['admin', 'leader', 'officer', 'street', 'wall', 'feed'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a request wants to do:
 * - `read`: see the index, history, feeds, alerts
 * - `acknowledge`: acknowledge an alert
 * - `silence`: silence alerts
 * - `ingest`: push or import data
 * - `review`: the quarterly review's side: try draft weights on every street, see how robust the
 *   ranking is, read the weights' audit trail
 * - `admin`: configure weights, tokens, rules
 */
export const PERMISSIONS = ['read', 'acknowledge', 'silence', 'ingest', 'review', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const granted: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  leader: ['read', 'acknowledge', 'review'],
  officer: ['read', 'acknowledge', 'silence'],
  street: ['read', 'acknowledge'],
  wall: ['read'],
  feed: ['ingest'],
};

/** What a role may do, in the order of PERMISSIONS. */
export const permissionsOf = (role: Role): readonly Permission[] => granted[role];

/** Who is calling, once their token is known. */
export interface Principal {
  tokenId: number;
  name: string;
  role: Role;
  /** Streets a `street` token is limited to; empty for every other role. */
  streets: string[];
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

/** Decides whether a principal may do something, optionally to one street. */
export function authorise(principal: Principal, permission: Permission, street?: string): AccessDecision {
  if (!granted[principal.role].includes(permission))
    return { allowed: false, reason: `the ${principal.role} role may not ${permission}` };
  if (street !== undefined && !canSeeStreet(principal, street))
    return { allowed: false, reason: `this token is limited to ${principal.streets.join(', ')}` };
  return { allowed: true };
}

/** A street token sees its own streets; every other role sees them all. */
export function canSeeStreet(principal: Principal, street: string): boolean {
  return principal.role !== 'street' || principal.streets.includes(street);
}
