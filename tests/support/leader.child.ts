/**
 * A server process reduced to its leadership, for tests that kill it: runs a LeaderElection and a
 * NodeRegistry on DATABASE_URL as NODE_ID, wired as the server wires them, and prints `leading` and
 * `following` as it changes. Run with `node --import tsx tests/support/leader.child.ts`.
 */
import { LeaderElection } from '../../server/cluster/leader.js';
import { NodeRegistry } from '../../server/cluster/nodes.js';
import { openDatabase } from '../../server/db/client.js';
import { createLogger } from '../../server/logger.js';

const url = process.env.DATABASE_URL!;
const nodeId = process.env.NODE_ID!;
const logger = createLogger('silent');
const database = await openDatabase({ url });
const registry = new NodeRegistry({
  db: database.db,
  nodeId,
  role: 'all',
  version: 'child',
  clock: () => new Date(),
  logger,
  beatMs: Number(process.env.BEAT_MS ?? 5000),
});
await registry.start();
const election = new LeaderElection({
  url,
  node: registry.id,
  logger,
  onLead: async () => {
    await registry.setLeading(true);
    process.stdout.write('leading\n');
  },
  onFollow: async () => {
    process.stdout.write('following\n');
    await registry.setLeading(false);
  },
});
election.start();
process.once('SIGTERM', () => {
  void election
    .stop()
    .then(() => registry.stop())
    .then(() => database.close());
});
