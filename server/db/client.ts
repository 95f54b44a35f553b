/**
 * One database handle for both engines: PGlite (embedded, PostgreSQL in WASM) when no URL is given,
 * postgres.js when it is. Same schema, same migrations, same repositories.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres, { type Sql } from 'postgres';
import type { Logger } from 'pino';
import { keepaliveSettings, lockKey, MIGRATION_LOCK_NAME } from '../cluster/session-lock.js';
import { timedClient } from './deadline.js';
import { lockFolder, type FolderLock } from './folder-lock.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Applies the committed SQL migrations. */
  migrate(): Promise<void>;
  /** Answers when the database does. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; absent for PGlite. */
  url?: string;
  /** Folder for PGlite's files; absent for an in-memory PGlite (tests). */
  pgliteDir?: string;
  /**
   * An in-memory PGlite starts from this image of a data folder (`dumpDataDir`) instead of an empty
   * one: loading an image takes a fraction of a fresh initdb, and tests start hundreds of databases.
   */
  pgliteImage?: Blob;
  /** Resolved from the working directory: under dist/ the module's own URL points elsewhere. */
  migrationsFolder?: string;
  /** Told when a stale lock of PGlite's folder is taken over. */
  logger?: Logger;
  /**
   * PostgreSQL: the longest wait for a connection, a query, a transaction's start or its commit
   * (server/db/deadline.ts); default 10 s. Migrations are not bound by it.
   */
  timeoutMs?: number;
}

export const DEFAULT_DATABASE_TIMEOUT_MS = 10_000;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const migrationsFolder = resolve(options.migrationsFolder ?? 'migrations');
  if (options.url) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS;
    const client = postgres(options.url, {
      max: 10,
      onnotice: () => {},
      connect_timeout: timeoutMs / 1000,
    });
    const db = drizzlePostgres(timedClient(client, timeoutMs), { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      migrate: () => migrateUnderLock(client, migrationsFolder, options.logger),
      ping: async () => void (await db.execute(sql`select 1`)),
      close: () => client.end({ timeout: 5 }),
    };
  }
  let lock: FolderLock | null = null;
  if (options.pgliteDir) {
    await mkdir(dirname(resolve(options.pgliteDir)), { recursive: true });
    // Before PGlite reads the folder: a second process would serve, and lose, its own copy of it.
    lock = await lockFolder(options.pgliteDir, options.logger);
  }
  let client: PGlite;
  try {
    if (options.pgliteDir) await mkdir(options.pgliteDir, { recursive: true });
    client = options.pgliteDir
      ? new PGlite(options.pgliteDir)
      : new PGlite(options.pgliteImage ? { loadDataDir: options.pgliteImage } : {});
    await client.waitReady;
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const pglite = drizzlePglite(client, { schema });
  return {
    db: pglite as unknown as Db,
    kind: 'pglite',
    migrate: () => migratePglite(pglite, { migrationsFolder }),
    ping: async () => void (await client.query('select 1')),
    async close() {
      try {
        await client.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

/**
 * PostgreSQL's migrations, applied by one node at a time: nodes starting together would each create
 * drizzle's bookkeeping and apply the same statements, and all but one fail. A session advisory
 * lock, on a connection reserved for it, is held around drizzle's migrator; the others wait, then
 * find nothing left to apply. The lock goes with the session should anything fail, and the session
 * with a node whose network is gone (its keepalives).
 */
async function migrateUnderLock(client: Sql, migrationsFolder: string, logger?: Logger): Promise<void> {
  const key = lockKey(MIGRATION_LOCK_NAME).toString();
  const session = await client.reserve();
  try {
    const [first] = await session<
      { locked: boolean }[]
    >`select ${keepaliveSettings(session)}, pg_try_advisory_lock(${key}::bigint) as locked`;
    if (!first?.locked) {
      logger?.info('waiting for another node to finish migrating the database');
      await session`select pg_advisory_lock(${key}::bigint)`;
    }
    let failed = true;
    try {
      await migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder });
      failed = false;
    } finally {
      // After a failure the migration's error is the one to tell (the start fails and closes the pool).
      await session`select pg_advisory_unlock(${key}::bigint)`.catch((error: unknown) => {
        if (!failed) throw error;
      });
    }
  } finally {
    session.release();
  }
}
