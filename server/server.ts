/**
 * A running server: database, context, app, HTTP listener and jobs, with an orderly stop.
 * main.ts runs one from the environment; tests run them on ephemeral ports.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import type { CityConfig } from '../shared/city.js';
import { createApp, type App } from './app.js';
import { ensureInitialWeightSet, ensureTokens, seedDemo, type IssuedToken } from './bootstrap.js';
import type { Env } from './config/env.js';
import { createContext, type AppContext } from './context.js';
import { openDatabase } from './db/client.js';
import { startJobs } from './jobs.js';
import { createMetrics } from './metrics.js';

export interface RunningServer {
  ctx: AppContext;
  app: App;
  port: number;
  /** Tokens created on this start, shown once. */
  issued: IssuedToken[];
  stop(): Promise<void>;
}

export interface StartOptions {
  env: Env;
  city: CityConfig;
  logger: Logger;
  /** Absent: PGlite under DATA_DIR (or in memory when `inMemory`). */
  inMemory?: boolean;
  displayDir?: string;
  clock?: () => Date;
  version?: string;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { env, logger } = options;
  const database = await openDatabase({
    url: env.DATABASE_URL,
    pgliteDir: options.inMemory ? undefined : join(env.DATA_DIR, 'pglite'),
  });
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  const ctx = createContext({
    city: options.city,
    database,
    logger,
    metrics: createMetrics(),
    clock: options.clock,
    version: options.version,
  });
  await ensureInitialWeightSet(ctx);
  const issued = await ensureTokens(ctx, env.ADMIN_TOKEN);
  if (env.SEED_DEMO === 'on') await seedDemo(ctx);

  const app = createApp(ctx, { displayDir: options.displayDir });
  const server: ServerType = await new Promise((resolve) => {
    const listening = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () =>
      resolve(listening),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const jobs = startJobs(ctx, {
    snapshotIntervalSeconds: env.SNAPSHOT_INTERVAL_SECONDS,
    retentionDays: env.SNAPSHOT_RETENTION_DAYS,
  });

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await jobs.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections would hold close() open; end them.
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await database.close();
    })());
  return { ctx, app, port, issued, stop };
}
