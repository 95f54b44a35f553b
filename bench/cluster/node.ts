/**
 * One server node of the cluster benchmark, as its own process: the whole server on DATABASE_URL as
 * NODE_ID, no feeds, no jobs, on the real clock. Tells the bench its port over IPC.
 */
import { loadCityConfig } from '../../server/config/city.js';
import { parseEnv } from '../../server/config/env.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/server.js';

const env = parseEnv({ PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'on', LOG_LEVEL: 'silent', ...process.env });
const server = await startServer({
  env,
  city: await loadCityConfig('config/anning.json'),
  logger: createLogger(env.LOG_LEVEL),
  jobs: false,
});
await server.warmedUp;
process.send?.({ port: server.port, leads: server.leads() });
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
