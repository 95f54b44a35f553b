/**
 * A foreign system's records, pushed as it writes them, land through the feed's declarative mapping:
 * nested fields, local times and epoch milliseconds, Chinese categories, a derived kind, ratings as
 * text, streets by a short name or a division code.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidents, quarantine, surveyResponses } from '../../server/db/schema/index.js';
import { feedMappingSchema } from '../../shared/feed-mapping.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** The police system's export: its own names, nested, its times local to the city. */
const incidentMapping = feedMappingSchema.parse({
  times: { format: 'YYYY-MM-DD HH:mm:ss' },
  fields: {
    id: 'jqbh',
    updatedAt: { path: 'gxsj', time: 'epoch_ms' },
    reportedAt: 'jq.bjsj',
    category: {
      path: 'jq.lb',
      map: { 盗窃: 'theft', 抢劫: 'robbery', 诈骗: 'fraud', 纠纷: 'dispute', 交通事故: 'traffic' },
      otherwise: 'other',
    },
    kind: {
      from: 'category',
      map: { theft: 'criminal', robbery: 'criminal', fraud: 'criminal', dispute: 'public_order' },
      otherwise: 'other',
    },
    status: {
      path: 'jq.zt',
      map: { 待派警: 'open', 处警中: 'dispatched', 已到场: 'arrived', 已办结: 'closed' },
    },
    cleared: { from: 'status', map: { closed: true }, otherwise: false },
    street: 'dd.jd',
    community: 'dd.sq',
  },
});

/** The survey tool's export: ratings as text or words, times in epoch seconds, no method, no street. */
const surveyMapping = feedMappingSchema.parse({
  times: { format: 'epoch_s' },
  fields: {
    id: 'wjbh',
    updatedAt: 'tjsj',
    surveyedAt: 'tjsj',
    community: 'sq',
    street: { fromCommunity: 'community' },
    method: { const: 'phone' },
    safety: { path: 'pf.aqg', number: true },
    satisfaction: { path: 'pf.myd', map: { 很满意: 5, 满意: 4, 一般: 3, 不满意: 2 }, number: true },
    'departments.police': { path: 'pf.ga', number: true },
  },
});

describe.each(databaseTargets)('a foreign feed through its mapping on $name', (target) => {
  let server: TestServer;
  // 11:00 in Anning: every record below was reported this morning.
  const now = new Date('2026-11-25T03:00:00Z');
  // 10:50 in Anning, as the police system writes it: epoch milliseconds.
  const updatedAtMs = Date.parse('2026-11-25T02:50:00Z');

  beforeAll(async () => {
    const city = await testCity({
      incident: { mapping: incidentMapping },
      survey: { mapping: surveyMapping },
    });
    // Jinfang is still known by its division code, Wenquan configured by its full name.
    city.streets = city.streets.map((street) =>
      street.code === 'jinfang'
        ? { ...street, aliases: ['530181001'] }
        : street.code === 'wenquan'
          ? { ...street, name: { ...street.name, zh: '温泉街道' } }
          : street,
    );
    server = await startTestServer({ target, clock: () => now, city });
  });
  afterAll(() => server?.stop());

  const policeRecord = (id: string, jd: unknown, overrides: Record<string, unknown> = {}) => ({
    jqbh: id,
    gxsj: updatedAtMs,
    jq: { bjsj: '2026-11-25 10:05:00', lb: '盗窃', zt: '处警中', ...overrides },
    dd: { jd, sq: '金方' },
    bjr: { xm: '王小明', dh: '13800000000' },
  });

  it('stores foreign incidents by their mapping and quarantines each bad one naming the field and its value', async () => {
    const response = await server.api(
      '/api/ingest/incident',
      json({
        items: [
          policeRecord('J-1', '温泉'),
          policeRecord('J-2', 530181001, { lb: '纠纷', zt: '已办结' }),
          policeRecord('J-3', 530102003),
          policeRecord('J-4', '金方街道', { bjsj: '2026/11/25 10:05' }),
        ],
      }),
    );
    expect(await response.json()).toEqual({
      stored: 2,
      quarantined: [
        { line: 3, reason: 'street: unknown street "530102003"' },
        { line: 4, reason: 'reportedAt: "2026/11/25 10:05" does not match YYYY-MM-DD HH:mm:ss' },
      ],
    });

    const rows = await server.ctx.database.db.select().from(incidents);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get('J-1')).toMatchObject({
      street: 'wenquan',
      // 温泉 has no 金方社区: not one of its street's communities, so none.
      community: null,
      category: 'theft',
      kind: 'criminal',
      status: 'dispatched',
      cleared: false,
      reportedAt: new Date('2026-11-25T02:05:00Z'),
      updatedAt: new Date(updatedAtMs),
    });
    expect(byId.get('J-2')).toMatchObject({
      street: 'jinfang',
      community: '金方社区',
      category: 'dispute',
      kind: 'public_order',
      status: 'closed',
      cleared: true,
    });

    // Quarantine keeps the contract's fields, mapped, and nothing of the reporter.
    const quarantined = await server.ctx.database.db
      .select()
      .from(quarantine)
      .where(eq(quarantine.feed, 'incident'));
    expect(quarantined.map((row) => row.record)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'J-3', street: '530102003', category: 'theft', kind: 'criminal' }),
        expect.objectContaining({ id: 'J-4', reportedAt: '2026/11/25 10:05' }),
      ]),
    );
    expect(JSON.stringify(quarantined)).not.toMatch(/王小明|13800000000/);
  });

  it('reads ratings written as text or words, and finds the street of the community', async () => {
    const surveyedAt = Math.floor(Date.parse('2026-11-25T01:00:00Z') / 1000);
    const response = await server.api(
      '/api/ingest/survey',
      json([
        { wjbh: 'W-1', tjsj: surveyedAt, sq: '大屯', pf: { aqg: '4', myd: '很满意', ga: ' 5 ' } },
        { wjbh: 'W-2', tjsj: surveyedAt, sq: '大屯社区', pf: { aqg: '4 分', myd: '满意' } },
      ]),
    );
    expect(await response.json()).toEqual({
      stored: 1,
      quarantined: [{ line: 2, reason: 'safety: "4 分" is not a number' }],
    });
    const [row] = await server.ctx.database.db
      .select()
      .from(surveyResponses)
      .where(eq(surveyResponses.id, 'W-1'));
    expect(row).toMatchObject({
      street: 'lianran',
      community: '大屯社区',
      method: 'phone',
      safety: 4,
      satisfaction: 5,
      police: 5,
      surveyedAt: new Date('2026-11-25T01:00:00Z'),
    });
  });
});
