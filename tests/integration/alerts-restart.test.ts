/**
 * A server killed while it held notifications: its successor on the same node sends them at once
 * instead of waiting out their lease, and a live node's notifications are not taken from it. On
 * PGlite, whose folder one server holds at a time, every claim found at start is a dead one's.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { AlertOutbox } from '../../server/alerts/outbox.js';
import { SubscriptionRepository } from '../../server/alerts/subscriptions.js';
import { openDatabase, type Db } from '../../server/db/client.js';
import { alertOutbox } from '../../server/db/schema/index.js';
import { databaseTargets } from '../support/databases.js';
import { anning, indexDrop } from '../support/outbox.js';
import { startTestServer } from '../support/server.js';

const LEASE_MS = 60_000;

describe.each(databaseTargets)('notifications claimed by a server that died, on $name', (target) => {
  it('are sent at once by the next server of the same node, while another node’s wait for their lease', async () => {
    let now = new Date('2026-11-25T02:00:00Z');
    const city = await anning();
    const database = await target.create({ persistent: true });
    try {
      // What the killed server left: two queued notifications for the wall, each claimed.
      const before = await openDatabase({ url: database.url, pgliteDir: database.pgliteDir });
      await before.migrate();
      await new SubscriptionRepository(before.db, city, { clock: () => now, env: {} }).create({
        name: '值班大屏',
        kind: 'group',
        streets: [],
        channels: [{ kind: 'socket', config: {} }],
      });
      const queue = new AlertOutbox(before.db, city);
      await before.db.transaction((tx) =>
        queue.enqueue(tx as unknown as Db, [indexDrop('jinfang', now), indexDrop('lianran', now)], now),
      );
      // The dead server was this node's (in a container it often had the same pid); the other
      // claim is a live server's on another node.
      const claimedBy = async (claimant: string) =>
        (await new AlertOutbox(before.db, city, { claimant }).claim(now, LEASE_MS, 1))[0]!.id;
      const dead = await claimedBy(`node-a:${process.pid}:killed`);
      const alive = await claimedBy('node-b:4242:running');
      await before.close();

      // The clock stands still: no lease ends while the test waits.
      const server = await startTestServer({
        target,
        database,
        clock: () => now,
        env: { NODE_ID: 'node-a' },
      });
      try {
        const statusOf = async (id: number) =>
          (await server.ctx.database.db.select().from(alertOutbox).where(eq(alertOutbox.id, id)))[0]!;
        for (let i = 0; i < 100 && (await statusOf(dead)).status !== 'sent'; i++)
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect((await statusOf(dead)).status).toBe('sent');

        await server.ctx.dispatcher.runOnce();
        if (target.name === 'postgres') {
          expect(await statusOf(alive)).toMatchObject({
            status: 'pending',
            claimedBy: 'node-b:4242:running',
          });
          // …until its lease ends.
          now = new Date(now.getTime() + LEASE_MS + 1000);
          expect(await server.ctx.dispatcher.runOnce()).toBe(1);
        }
        expect((await statusOf(alive)).status).toBe('sent');
      } finally {
        await server.stop();
      }
    } finally {
      await database.drop();
    }
  }, 120_000);
});
