/**
 * The contract every feed adapter keeps: valid items store once per id, newer versions win, invalid
 * records are refused with a reason naming the field, and nothing outside the contract is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEEDS, type FeedName } from '../../shared/feeds/index.js';
import { loadCityConfig } from '../../server/config/city.js';
import { openDatabase, type Database } from '../../server/db/client.js';
import { quarantine } from '../../server/db/schema/index.js';
import { recordParser } from '../../server/feeds/records.js';
import { adapterOf } from '../../server/feeds/registry.js';
import { storeBatch } from '../../server/feeds/store.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';

/** A required field of each feed, to leave out. */
const REQUIRED: Record<FeedName, string> = {
  incident: 'category',
  fraud: 'type',
  'service-window': 'hall',
  mediation: 'status',
  survey: 'safety',
};

describe.each(databaseTargets)('feed adapters on $name', (target) => {
  let testDb: TestDatabase;
  let database: Database;
  const now = new Date('2026-11-25T02:00:00Z');

  beforeAll(async () => {
    testDb = await target.create();
    database = await openDatabase({ url: testDb.url });
    await database.migrate();
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  describe.each(FEEDS)('the %s adapter', (feed) => {
    const adapter = adapterOf(feed);
    const parser = async () =>
      recordParser(adapter, { fields: {}, values: {} }, await loadCityConfig('config/anning.json'), {
        idKey: Buffer.from('a key for the tests of feed adapters'),
      });
    const rows = async () => (await database.db.select().from(adapter.table)) as Record<string, unknown>[];

    it('stores a valid item once however often it arrives', async () => {
      const item = feedItem(feed, now, { id: `${feed}-once` });
      const parse = await parser();
      await storeBatch(database.db, adapter, parse.parse([item, item], { now }), 'ingest');
      await storeBatch(database.db, adapter, parse.parse([item], { now }), 'ingest');
      expect((await rows()).filter((r) => r.id === `${feed}-once`)).toHaveLength(1);
    });

    it('keeps the newest version of an item, whatever the order of arrival', async () => {
      const parse = await parser();
      const newer = feedItem(feed, now, {
        id: `${feed}-versions`,
        updatedAt: '2026-11-25T01:00:00Z',
        street: 'caopu',
      });
      const older = { ...newer, updatedAt: '2026-11-24T01:00:00Z', street: 'bajie' };
      await storeBatch(database.db, adapter, parse.parse([newer], { now }), 'ingest');
      await storeBatch(database.db, adapter, parse.parse([older], { now }), 'ingest');
      const [row] = (await rows()).filter((r) => r.id === `${feed}-versions`);
      expect(row!.street).toBe('caopu');
    });

    it('refuses a record without a required field, naming the field', async () => {
      const item = feedItem(feed, now);
      delete item[REQUIRED[feed]];
      const { valid, invalid } = (await parser()).parse([item], { now });
      expect(valid).toHaveLength(0);
      expect(invalid[0]!.reason).toMatch(new RegExp(`^${REQUIRED[feed]}: `));
    });

    it('drops fields outside the contract, in storage and in quarantine', async () => {
      const personal = {
        name: '王小明',
        phone: '13800000000',
        idNumber: '530181199001011234',
        address: '金方路 8 号',
      };
      const parse = await parser();
      const good = { ...feedItem(feed, now, { id: `${feed}-personal` }), ...personal };
      const bad = { ...feedItem(feed, now, { street: 'nowhere' }), ...personal };
      const batch = parse.parse([good, bad], { now });
      await storeBatch(database.db, adapter, batch, 'ingest');
      const stored =
        JSON.stringify(await rows()) + JSON.stringify(await database.db.select().from(quarantine));
      for (const value of Object.values(personal)) expect(stored).not.toContain(value);
      expect(batch.invalid[0]!.reason).toBe('street: unknown street "nowhere"');
    });

    it('refuses a record updated ahead of the server clock, naming the field and the server time', async () => {
      const ahead = feedItem(feed, now, { updatedAt: '2026-11-25T03:00:00Z' });
      const { valid, invalid } = (await parser()).parse([ahead], { now });
      expect(valid).toHaveLength(0);
      expect(invalid[0]!.reason).toBe(
        'updatedAt: 2026-11-25T03:00:00Z is more than 5 minutes ahead of the server clock (2026-11-25T02:00:00.000Z)',
      );
    });

    it('accepts a street by its Chinese name', async () => {
      const { valid } = (await parser()).parse([feedItem(feed, now, { street: '太平新城' })], { now });
      expect(valid[0]!.street).toBe('taiping');
    });
  });
});
