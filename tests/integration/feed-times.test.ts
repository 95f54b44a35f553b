/**
 * Times a record cannot have: ahead of the server's clock (beyond a few minutes of skew), or out of
 * their order. Such a record is quarantined with the reason, and cannot freeze its item.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidents } from '../../server/db/schema/index.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, type TestServer } from '../support/server.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe.each(databaseTargets)('times of feed records on $name', (target) => {
  let server: TestServer;
  const now = new Date('2026-11-25T02:00:00Z');
  const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

  beforeAll(async () => {
    server = await startTestServer({ target, clock: () => now });
  });
  afterAll(() => server?.stop());

  const ingest = async (feed: string, items: unknown[]) => {
    const response = await server.api(`/api/ingest/${feed}`, json({ items }));
    return { status: response.status, body: await response.json() };
  };
  const reasons = async (feed: string, items: unknown[]) =>
    (await ingest(feed, items)).body.quarantined.map((q: { reason: string }) => q.reason);

  it('refuses an update from the far future, so that a later real update still changes the item', async () => {
    const item = feedItem('incident', now, { id: 'T-future', status: 'open', updatedAt: at(-10) });
    expect((await ingest('incident', [item])).body.stored).toBe(1);

    const frozen = await ingest('incident', [
      { ...item, status: 'closed', updatedAt: '9999-12-31T00:00:00Z' },
    ]);
    expect(frozen.status).toBe(422);
    expect(frozen.body.quarantined).toEqual([
      {
        line: 1,
        reason:
          'updatedAt: 9999-12-31T00:00:00Z is more than 5 minutes ahead of the server clock (2026-11-25T02:00:00.000Z)',
      },
    ]);

    expect(
      (await ingest('incident', [{ ...item, status: 'arrived', arrivedAt: at(-2), updatedAt: at(-1) }])).body,
    ).toEqual({ stored: 1, quarantined: [] });
    const [row] = await server.ctx.database.db.select().from(incidents).where(eq(incidents.id, 'T-future'));
    expect(row!.status).toBe('arrived');
  });

  it('allows five minutes of clock skew, and names whichever time is further ahead', async () => {
    expect(
      (await ingest('incident', [feedItem('incident', now, { updatedAt: at(4), reportedAt: at(4) })])).body
        .stored,
    ).toBe(1);
    expect(
      await reasons('service-window', [
        feedItem('service-window', now, { status: 'done', calledAt: at(-5), finishedAt: at(6) }),
      ]),
    ).toEqual([
      'finishedAt: 2026-11-25T02:06:00.000Z is more than 5 minutes ahead of the server clock (2026-11-25T02:00:00.000Z)',
    ]);
  });

  it('refuses an incident closed or reached before it was reported', async () => {
    expect(
      await reasons('incident', [
        feedItem('incident', now, { reportedAt: at(-30), status: 'closed', closedAt: at(-40) }),
        feedItem('incident', now, { reportedAt: at(-30), status: 'arrived', arrivedAt: at(-31) }),
      ]),
    ).toEqual([
      `closedAt: ${at(-40)} is before reportedAt (${at(-30)})`,
      `arrivedAt: ${at(-31)} is before reportedAt (${at(-30)})`,
    ]);
  });

  it('refuses a ticket called or finished before it was taken, and a mediation closed before it was accepted', async () => {
    expect(
      await reasons('service-window', [
        feedItem('service-window', now, { takenAt: at(-30), calledAt: at(-35) }),
        feedItem('service-window', now, {
          takenAt: at(-30),
          calledAt: at(-20),
          finishedAt: at(-31),
          status: 'done',
        }),
      ]),
    ).toEqual([
      `calledAt: ${at(-35)} is before takenAt (${at(-30)})`,
      `finishedAt: ${at(-31)} is before takenAt (${at(-30)})`,
    ]);
    expect(
      await reasons('mediation', [
        feedItem('mediation', now, { acceptedAt: at(-60), status: 'success', closedAt: at(-61) }),
      ]),
    ).toEqual([`closedAt: ${at(-61)} is before acceptedAt (${at(-60)})`]);
  });

  it('keeps a refused record in quarantine with its reason', async () => {
    await ingest('mediation', [
      feedItem('mediation', now, { id: 'M-order', acceptedAt: at(-60), closedAt: at(-90) }),
    ]);
    const { records } = await (await server.api('/api/quarantine?feed=mediation')).json();
    expect(records.find((r: { record: { id: string } }) => r.record.id === 'M-order').reason).toBe(
      `closedAt: ${at(-90)} is before acceptedAt (${at(-60)})`,
    );
  });
});
