/** Tokens, stored as SHA-256 hashes. */
import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, isNull } from 'drizzle-orm';
import { ROLES, type Principal, type Role } from '../../shared/roles.js';
import type { Db } from '../db/client.js';
import { tokens } from '../db/schema/index.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new random token: `pw_` and 32 random bytes, base64url. */
export const generateToken = () => `pw_${randomBytes(32).toString('base64url')}`;

const principalOf = (row: typeof tokens.$inferSelect): Principal | null =>
  (ROLES as readonly string[]).includes(row.role)
    ? { tokenId: row.id, name: row.name, role: row.role as Role, streets: row.streets }
    : null;

export interface NewToken {
  name: string;
  role: Role;
  streets?: string[];
  /** Use this token instead of a random one (ADMIN_TOKEN). */
  token?: string;
}

/** How long a looked-up token is trusted without asking the database again (a revoke here clears it at once). */
const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

export class TokenRepository {
  /** Token hash → principal (or null: unknown) and until when the answer holds. */
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(private readonly db: Db) {}

  /** Stores a token's hash and returns the token, the only time it is seen. */
  async create(input: NewToken): Promise<{ token: string; id: number }> {
    const token = input.token ?? generateToken();
    this.cache.delete(hashToken(token));
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

  /**
   * The principal behind a token, or null when it is unknown or revoked. Answers are cached briefly:
   * a thousand walls reconnecting at once do not make a thousand queries.
   */
  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const [row] = await this.db
      .select()
      .from(tokens)
      .where(and(eq(tokens.hash, hash), isNull(tokens.revokedAt)));
    const principal = row ? principalOf(row) : null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    return principal;
  }

  /**
   * The principal of a token by its id, asked of the database every time (no cache): null once it is
   * revoked, on whichever node. A live socket checks its token so before each action.
   */
  async active(id: number): Promise<Principal | null> {
    const [row] = await this.db
      .select()
      .from(tokens)
      .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)));
    return row ? principalOf(row) : null;
  }

  async revoke(id: number): Promise<boolean> {
    this.cache.clear();
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
