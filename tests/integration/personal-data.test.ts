/**
 * Free text and ids of feed records never carry personal data into storage, the wall or the
 * quarantine: free-text fields are checked against the city's vocabulary, ids that hold a phone or
 * ID number are replaced by an opaque hash, and quarantined records and reasons are scrubbed.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '../../shared/live.js';
import {
  incidents,
  mediationCases,
  quarantine,
  surveyResponses,
  windowTickets,
} from '../../server/db/schema/index.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { connectedSocket } from '../support/live.js';
import { startTestServer, type TestServer } from '../support/server.js';

const FREE_TEXT = '张三 13812345678 身份证530181199001011234';
const PERSONAL = ['张三', '13812345678', '530181199001011234'];

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const expectNoPersonalData = (what: unknown) => {
  const text = JSON.stringify(what);
  for (const value of PERSONAL) expect(text).not.toContain(value);
};

describe.each(databaseTargets)('personal data in feed records on $name', (target) => {
  let server: TestServer;
  let feedToken: string;
  const now = new Date('2026-11-25T02:00:00Z');

  beforeAll(async () => {
    server = await startTestServer({ target, clock: () => now });
    feedToken = await server.issue('feed');
  });
  afterAll(() => server?.stop());

  const ingest = (feed: string, items: unknown[]) =>
    server.api(`/api/ingest/${feed}`, { ...json({ items }), token: feedToken });

  /** The wall's snapshot once its ticker shows an item with this key. */
  async function snapshotWith(key: (k: string) => boolean): Promise<LiveSnapshot> {
    const socket = await connectedSocket(server.baseUrl, server.wallToken);
    try {
      const deadline = Date.now() + 5000;
      for (;;) {
        const snapshot = await new Promise<LiveSnapshot>((resolve) => {
          socket.once('snapshot', resolve);
          socket.emit('resync');
        });
        if (snapshot.ticker.some((item) => key(item.key))) return snapshot;
        if (Date.now() > deadline) throw new Error('the ticker never showed the item');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      socket.disconnect();
    }
  }

  it('stores an incident whose community is a name, a phone and an ID number without its community, and shows them nowhere', async () => {
    const item = feedItem('incident', now, { id: 'INC-PD-1', community: FREE_TEXT });
    const response = await ingest('incident', [item]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ stored: 1, quarantined: [] });

    const [row] = await server.ctx.database.db.select().from(incidents).where(eq(incidents.id, 'INC-PD-1'));
    expect(row!.community).toBeNull();

    const snapshot = await snapshotWith((key) => key === 'incident:INC-PD-1');
    expect(snapshot.ticker.find((t) => t.key === 'incident:INC-PD-1')!.community).toBeNull();
    expectNoPersonalData(snapshot);
    expectNoPersonalData(await (await server.api('/api/quarantine')).json());
  });

  it('stores a hall, a service or a mediation type that is not the city’s own as unknown, and a survey’s community as none', async () => {
    const responses = await Promise.all([
      ingest('service-window', [
        feedItem('service-window', now, { id: 'W-PD-hall', hall: FREE_TEXT }),
        feedItem('service-window', now, { id: 'W-PD-service', service: FREE_TEXT }),
      ]),
      ingest('mediation', [
        feedItem('mediation', now, { id: 'M-PD-1', type: FREE_TEXT, community: FREE_TEXT }),
      ]),
      ingest('survey', [feedItem('survey', now, { id: 'S-PD-1', community: FREE_TEXT })]),
    ]);
    for (const response of responses) expect(response.status).toBe(200);

    const { db } = server.ctx.database;
    const tickets = await db.select().from(windowTickets);
    expect(tickets.find((t) => t.id === 'W-PD-hall')).toMatchObject({ hall: 'unknown', service: '户籍办理' });
    expect(tickets.find((t) => t.id === 'W-PD-service')).toMatchObject({
      hall: '金方便民服务中心',
      service: 'unknown',
    });
    const [mediation] = await db.select().from(mediationCases).where(eq(mediationCases.id, 'M-PD-1'));
    expect(mediation).toMatchObject({ type: 'unknown', community: null });
    const [survey] = await db.select().from(surveyResponses).where(eq(surveyResponses.id, 'S-PD-1'));
    expect(survey!.community).toBeNull();
    expectNoPersonalData([tickets, mediation, survey]);

    const snapshot = await snapshotWith((key) => key === 'mediation:M-PD-1');
    expect(snapshot.ticker.find((t) => t.key === 'mediation:M-PD-1')!.category).toBe('unknown');
    expectNoPersonalData(snapshot);
  });

  it('stores an item whose id holds a phone number under an opaque id that its later versions still update', async () => {
    const first = feedItem('incident', now, {
      id: 'INC-13812345678',
      status: 'open',
      updatedAt: '2026-11-25T01:00:00Z',
    });
    const later = { ...first, status: 'closed', updatedAt: '2026-11-25T01:30:00Z' };
    expect((await ingest('incident', [first])).status).toBe(200);
    expect((await ingest('incident', [later])).status).toBe(200);

    const rows = await server.ctx.database.db.select().from(incidents);
    const opaque = rows.filter((row) => row.reportedAt.getTime() === Date.parse(String(first.reportedAt)));
    const mine = opaque.filter((row) => !row.id.startsWith('INC-PD') && row.id !== first.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.status).toBe('closed');
    expectNoPersonalData(rows);
    expectNoPersonalData(await snapshotWith((key) => key === `incident:${mine[0]!.id}`));
  });

  it('keeps none of the personal data of a quarantined record, in the record or its reason', async () => {
    const response = await ingest('incident', [
      feedItem('incident', now, {
        id: 'INC-Q-13812345678',
        category: 'burglary',
        community: FREE_TEXT,
        street: 'jinfang 13812345678',
      }),
      feedItem('incident', now, { id: 'INC-Q-2', community: FREE_TEXT, street: 'jinfang 13812345678' }),
    ]);
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.quarantined).toEqual([
      { line: 1, reason: expect.stringMatching(/^category: /) },
      { line: 2, reason: 'street: unknown street "jinfang [phone number]"' },
    ]);

    const stored = await server.ctx.database.db
      .select()
      .from(quarantine)
      .where(eq(quarantine.feed, 'incident'));
    expect(stored).toHaveLength(2);
    for (const row of stored)
      expect(row.record).toMatchObject({ community: null, street: 'jinfang [phone number]' });
    expect(stored.map((row) => row.record.id)).toContain('INC-Q-2');
    expectNoPersonalData(stored);
    expectNoPersonalData(await (await server.api('/api/quarantine?feed=incident')).json());
  });
});
