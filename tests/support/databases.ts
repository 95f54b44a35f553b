/**
 * The databases every integration test runs on: PGlite always, and a real PostgreSQL when
 * TEST_DATABASE_URL is set. Each PostgreSQL use gets a database of its own, dropped afterwards, so
 * test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { lockFileOf } from '../../server/db/folder-lock.js';

export interface TestDatabase {
  /** postgres:// URL; undefined for PGlite. */
  url: string | undefined;
  /** PGlite's folder when it must outlive a server (restart tests); undefined: in memory. */
  pgliteDir: string | undefined;
  /** What an in-memory PGlite starts from: an empty database with the migrations applied. */
  pgliteImage?: Blob;
  drop(): Promise<void>;
}

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  /** Creates an empty database. `persistent`: one that survives a server's restart. */
  create(options?: { persistent?: boolean }): Promise<TestDatabase>;
}

let migratedImage: Promise<Blob> | null = null;

/**
 * An image of a freshly migrated PGlite, made once per test worker: a PGlite loaded from it starts
 * several times faster than one that runs initdb, and finds its migrations already applied.
 */
function pgliteImage(): Promise<Blob> {
  return (migratedImage ??= (async () => {
    const client = new PGlite();
    try {
      await migrate(drizzle(client), { migrationsFolder: 'migrations' });
      return await client.dumpDataDir('none');
    } finally {
      await client.close();
    }
  })());
}

const pglite: DatabaseTarget = {
  name: 'pglite',
  async create(options) {
    if (!options?.persistent)
      return { url: undefined, pgliteDir: undefined, pgliteImage: await pgliteImage(), drop: async () => {} };
    const dir = await mkdtemp(join(tmpdir(), 'pingan-pglite-'));
    return {
      url: undefined,
      pgliteDir: dir,
      // With the lock a server left beside the folder, should it have died holding it.
      drop: async () => {
        await rm(dir, { recursive: true, force: true });
        await rm(lockFileOf(dir), { force: true });
      },
    };
  },
};

function postgresTarget(adminUrl: string): DatabaseTarget {
  return {
    name: 'postgres',
    async create() {
      const name = `pingan_test_${randomBytes(6).toString('hex')}`;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        pgliteDir: undefined,
        async drop() {
          const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
          await cleanup.unsafe(`drop database if exists ${name} with (force)`);
          await cleanup.end();
        },
      };
    },
  };
}

export const databaseTargets: DatabaseTarget[] = process.env.TEST_DATABASE_URL
  ? [pglite, postgresTarget(process.env.TEST_DATABASE_URL)]
  : [pglite];
