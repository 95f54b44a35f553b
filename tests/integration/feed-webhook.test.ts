/**
 * A system that pushes instead of being polled: `POST /api/webhook/:feed`, signed with the feed's
 * secret, through the same mapping and validation as polling; anything unsigned, forged or late is
 * refused and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../server/feeds/signature.js';
import { incidents } from '../../server/db/schema/index.js';
import { feedPushSchema } from '../../shared/feed-push.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

const NOW = new Date('2026-11-25T02:30:00Z');
const SECRET_ENV = 'PINGAN_SECRET_WEBHOOK_TEST';
const SECRET = 'the-police-system-shares-this';

describe.each(databaseTargets)('signed pushes on $name', (target) => {
  let server: TestServer;
  const stored = async () => (await server.ctx.database.db.select().from(incidents)).length;

  /** Their own shape: `{data: {events: [...]}}`, 警情 in their field names. */
  const theirs = (id: string, street = '金方') => ({
    bh: id,
    jd: street,
    lb: '盗窃',
    ...Object.fromEntries(
      Object.entries(feedItem('incident', NOW, { id, street: 'jinfang' })).filter(
        ([key]) => !['id', 'street', 'category'].includes(key),
      ),
    ),
  });
  const push = (payload: unknown, sign_: (body: string, timestamp: string) => Record<string, string>) => {
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(NOW.getTime() / 1000));
    return server.api('/api/webhook/incident', {
      token: null,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign_(body, timestamp) },
      body,
    });
  };
  const signed = (body: string, timestamp: string) => ({
    'x-signature': sign(server.ctx.city.feeds.incident.push!, SECRET, body, timestamp),
    'x-timestamp': timestamp,
  });

  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    const city = await testCity({
      incident: {
        push: feedPushSchema.parse({
          secret: `env:${SECRET_ENV}`,
          signatureHeader: 'X-Signature',
          timestampHeader: 'X-Timestamp',
          items: 'data.events',
        }),
        mapping: {
          fields: { id: 'bh', street: 'jd', category: 'lb' },
          values: { category: { 盗窃: 'theft' } },
        },
      },
    });
    server = await startTestServer({ target, city, clock: () => NOW });
    await server.warmedUp;
  });
  afterAll(() => server?.stop());

  it('stores a signed push of their own shape through the feed mapping', async () => {
    const response = await push({ data: { events: [theirs('JQ-1'), theirs('JQ-2', '外星街道')] } }, signed);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      stored: 1,
      quarantined: [{ line: 2, reason: 'street: unknown street "外星街道"' }],
    });
    const [row] = await server.ctx.database.db.select().from(incidents);
    expect(row).toMatchObject({ id: 'JQ-1', street: 'jinfang', category: 'theft' });
  });

  it('refuses an unsigned, forged or late push, or one to a feed that takes none, storing nothing', async () => {
    const before = await stored();
    const payload = { data: { events: [theirs('JQ-3')] } };
    const unsigned = await push(payload, () => ({}));
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).message).toBe('x-signature: the request is not signed');
    const forged = await push(payload, (body, timestamp) => signed(body.replace('JQ-3', 'JQ-4'), timestamp));
    expect((await forged.json()).message).toMatch(/^x-signature: the signature does not match the body/);
    const late = await push(payload, (body) => signed(body, String(NOW.getTime() / 1000 - 3600)));
    expect((await late.json()).message).toMatch(/^x-timestamp: signed 3600 s from the server's clock/);
    // A feed token is not a signature here.
    const token = await server.api('/api/webhook/incident', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(token.status).toBe(401);
    const other = await server.api('/api/webhook/fraud', { token: null, method: 'POST', body: '[]' });
    expect(other.status).toBe(404);
    expect((await other.json()).message).toMatch(
      /the fraud feed takes no signed pushes: configure feeds.fraud.push/,
    );
    expect(await stored()).toBe(before);
  });

  it('says where the items should be when a signed push has none there', async () => {
    const response = await push({ data: { list: [] } }, signed);
    expect(response.status).toBe(400);
    expect((await response.json()).message).toBe(
      'data.events: expected the pushed items there, as an array (or a bare array)',
    );
  });
});
