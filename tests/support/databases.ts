/**
 * The databases every integration test runs on: PGlite always, and a real PostgreSQL when
 * TEST_DATABASE_URL is set. Each PostgreSQL use gets a database of its own, dropped afterwards, so
 * test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  /** Creates an empty database; returns its URL (undefined: in-memory PGlite) and how to drop it. */
  create(): Promise<{ url: string | undefined; drop(): Promise<void> }>;
}

const pglite: DatabaseTarget = {
  name: 'pglite',
  create: async () => ({ url: undefined, drop: async () => {} }),
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
