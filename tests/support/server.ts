/** A whole server on an ephemeral port, on one of the test databases, for integration and browser tests. */
import { loadCityConfig } from '../../server/config/city.js';
import { parseEnv } from '../../server/config/env.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer } from '../../server/server.js';
import type { CityConfig } from '../../shared/city.js';
import type { DatabaseTarget } from './databases.js';

export interface TestServer extends RunningServer {
  baseUrl: string;
  adminToken: string;
  wallToken: string;
  /** fetch against the server with a token (the admin's by default). */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
}

export interface TestServerOptions {
  target: DatabaseTarget;
  /** Seed the month of demo values (slower); off by default. */
  seed?: boolean;
  clock?: () => Date;
  city?: CityConfig;
  displayDir?: string;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const database = await options.target.create();
  const env = parseEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    SEED_DEMO: options.seed ? 'on' : 'off',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const city = options.city ?? (await loadCityConfig('config/anning.json'));
  let running: RunningServer;
  try {
    running = await startServer({
      env,
      city,
      logger: createLogger(env.LOG_LEVEL),
      inMemory: true,
      clock: options.clock,
      displayDir: options.displayDir,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const token = (role: 'admin' | 'wall') => running.issued.find((t) => t.role === role)!.token;
  const baseUrl = `http://127.0.0.1:${running.port}`;
  const adminToken = token('admin');
  return {
    ...running,
    baseUrl,
    adminToken,
    wallToken: token('wall'),
    api(path, init = {}) {
      const { token: explicit, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = explicit === undefined ? adminToken : explicit;
      if (bearer !== null) headers.set('authorization', `Bearer ${bearer}`);
      return fetch(`${baseUrl}${path}`, { ...rest, headers });
    },
    async stop() {
      await running.stop();
      await database.drop();
    },
  };
}
