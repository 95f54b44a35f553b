/** Tokens, stored as SHA-256 hashes. */
import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, isNull } from 'drizzle-orm';
import { ROLES, type Principal, type Role } from '../../shared/roles.js';
import type { Db } from '../db/client.js';
import { tokens } from '../db/schema/index.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new random token: `pw_` and 32 random bytes, base64url. */
export const generateToken = () => `pw_${randomBytes(32).toString('base64url')}`;

export interface NewToken {
  name: string;
  role: Role;
  streets?: string[];
  /** Use this token instead of a random one (ADMIN_TOKEN). */
  token?: string;
}

export class TokenRepository {
  constructor(private readonly db: Db) {}

  /** Stores a token's hash and returns the token, the only time it is seen. */
  async create(input: NewToken): Promise<{ token: string; id: number }> {
    const token = input.token ?? generateToken();
    const [row] = await this.db
      .insert(tokens)
      .values({ name: input.name, role: input.role, streets: input.streets ?? [], hash: hashToken(token) })
      .onConflictDoUpdate({
        target: tokens.hash,
        set: { name: input.name, role: input.role, streets: input.streets ?? [], revokedAt: null },
      })
      .returning({ id: tokens.id });
    return { token, id: row!.id };
  }

  async countActive(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(tokens).where(isNull(tokens.revokedAt));
    return row?.n ?? 0;
  }

  /** The principal behind a token, or null when it is unknown or revoked. */
  async authenticate(token: string): Promise<Principal | null> {
    const [row] = await this.db
      .select()
      .from(tokens)
      .where(and(eq(tokens.hash, hashToken(token)), isNull(tokens.revokedAt)));
    if (!row || !(ROLES as readonly string[]).includes(row.role)) return null;
    return { tokenId: row.id, name: row.name, role: row.role as Role, streets: row.streets };
  }

  async revoke(id: number): Promise<boolean> {
    const rows = await this.db
      .update(tokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)))
      .returning({ id: tokens.id });
    return rows.length > 0;
  }

  async list() {
    return this.db
      .select({
        id: tokens.id,
        name: tokens.name,
        role: tokens.role,
        streets: tokens.streets,
        createdAt: tokens.createdAt,
        revokedAt: tokens.revokedAt,
      })
      .from(tokens)
      .orderBy(tokens.id);
  }
}
