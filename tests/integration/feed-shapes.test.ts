/**
 * Foreign feeds read with no code, by their configuration alone: our envelope (cursor), page numbers
 * over a POST with the list nested in `data.list`, offsets behind a bearer token, and a time cursor
 * in epoch milliseconds behind basic auth. Each is read completely and exactly once across a
 * restart, the requests after it going on from the stored position; wrong credentials show in the
 * feed's health as `HTTP 401 from <scheme and host>`, with no secret.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../server/config/env.js';
import { feedConfigSchema, type CityConfig } from '../../shared/city.js';
import { formatTime } from '../../shared/time-formats.js';
import { databaseTargets, type DatabaseTarget } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import {
  startForeignFeed,
  type ForeignFeed,
  type ForeignRequest,
  type ForeignShape,
} from '../support/foreign-feeds.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

const NOW = new Date('2026-11-25T02:00:00Z');
/** The restart happens an hour later: what it asks for comes from the stored position, not the clock. */
const LATER = new Date(NOW.getTime() + 3_600_000);
const DAY_MS = 86_400_000;
const HORIZON = new Date(NOW.getTime() - 30 * DAY_MS);
/** Item i was updated 30 s after item i − 1, from two hours before NOW. */
const updatedAt = (i: number) => new Date(NOW.getTime() - 2 * 3_600_000 + i * 30_000);
const OLD = new Date(NOW.getTime() - 40 * DAY_MS);

const BEARER_TOKEN = 'offset-feed-token-7c6b5a49';
const BASIC_PASSWORD = 'basic-feed-pw-3e2d1c0b';
const BASIC = `Basic ${Buffer.from(`wall:${BASIC_PASSWORD}`).toString('base64')}`;

interface ShapeCase {
  name: string;
  shape: ForeignShape;
  /** The feed's configuration (beside pageSize 10, backfillDays 30, no retries). */
  config: Record<string, unknown>;
  credentials?: string;
  timeField?: string;
  /** What never shows in the feed's health, even when the feed quotes back what it refused. */
  secrets: string[];
  /** A record in the feed's own shape. */
  record(id: string, at: Date): Record<string, unknown>;
  /** What a request asked for: its position, and the backfill horizon where it sends one. */
  asked(request: ForeignRequest): unknown;
  /** What the first request of the first start asks for, and the first one after the restart. */
  firstAsk: unknown;
  resumeAsk: unknown;
}

const ours = (id: string, at: Date) =>
  feedItem('incident', NOW, {
    id,
    updatedAt: at.toISOString(),
    reportedAt: new Date(at.getTime() - 600_000).toISOString(),
  });
const shanghai = (at: Date) => formatTime(at, { format: 'iso', zone: 'Asia/Shanghai' });

// Before the restart: 2 records older than the backfill and 23 inside it (pages of 10, 10, 3 or 5).
// After it: 5 more.
const cases: ShapeCase[] = [
  {
    name: 'our envelope, with an opaque cursor',
    shape: 'cursor',
    config: {},
    secrets: [],
    record: ours,
    asked: ({ query }) => query,
    firstAsk: { limit: '10' },
    resumeAsk: { since: '25', limit: '10' },
  },
  {
    name: 'page numbers over a POST, the list in data.list, from a begin time in local time',
    shape: 'page',
    config: {
      method: 'POST',
      body: { pageNo: '{page}', pageSize: '{limit}', beginTime: '{start}', filter: { kind: 'all' } },
      paging: {
        mode: 'page',
        items: 'data.list',
        firstPage: 1,
        totalPath: 'data.total',
        start: { param: 'beginTime', format: 'YYYY-MM-DD HH:mm:ss' },
      },
      mapping: {
        fields: {
          id: 'jqbh',
          updatedAt: 'gxsj',
          // Local times in Anning, street by its full name, categories in Chinese, kind derived.
          reportedAt: { path: 'bjsj', time: 'YYYY-MM-DD HH:mm:ss' },
          street: 'jd',
          category: { path: 'lb', map: { 盗窃: 'theft' }, otherwise: 'other' },
          kind: { from: 'category', map: { theft: 'criminal' }, otherwise: 'other' },
          status: { path: 'zt', map: { 待派警: 'open' } },
        },
      },
    },
    timeField: 'gxsj',
    secrets: [],
    record: (id, at) => ({
      jqbh: id,
      gxsj: shanghai(at),
      bjsj: formatTime(new Date(at.getTime() - 600_000), {
        format: 'YYYY-MM-DD HH:mm:ss',
        zone: 'Asia/Shanghai',
      }),
      jd: '金方街道',
      lb: '盗窃',
      zt: '待派警',
    }),
    asked: ({ body }) => body,
    // now − backfillDays in Anning's local time, kept from the first start: page numbers count from it.
    firstAsk: { pageNo: 1, pageSize: 10, beginTime: '2026-10-26 10:00:00', filter: { kind: 'all' } },
    resumeAsk: { pageNo: 3, pageSize: 10, beginTime: '2026-10-26 10:00:00', filter: { kind: 'all' } },
  },
  {
    name: 'offsets behind a bearer token, at most one request per 20 ms',
    shape: 'offset',
    config: {
      auth: { type: 'bearer', token: 'env:PINGAN_SECRET_OFFSET_TOKEN' },
      minIntervalMs: 20,
      paging: { mode: 'offset', items: 'results' },
    },
    credentials: `Bearer ${BEARER_TOKEN}`,
    secrets: [BEARER_TOKEN],
    record: ours,
    asked: ({ query }) => query,
    firstAsk: { offset: '0', limit: '10' },
    resumeAsk: { offset: '25', limit: '10' },
  },
  {
    name: 'a time cursor in epoch milliseconds behind basic auth',
    shape: 'updatedAfter',
    config: {
      auth: { type: 'basic', username: 'wall', password: 'env:PINGAN_SECRET_BASIC_PW' },
      query: { region: 'anning' },
      paging: { mode: 'updatedAfter', param: 'updated_after', format: 'epoch_ms', overlapSeconds: 60 },
    },
    credentials: BASIC,
    secrets: [BASIC_PASSWORD, BASIC.slice('Basic '.length)],
    record: ours,
    asked: ({ query }) => query,
    firstAsk: { updated_after: String(HORIZON.getTime()), limit: '10', region: 'anning' },
    // The newest updatedAt stored before the restart, minus the minute of overlap.
    resumeAsk: { updated_after: String(updatedAt(22).getTime() - 60_000), limit: '10', region: 'anning' },
  },
];

async function cityWith(config: Record<string, unknown>): Promise<CityConfig> {
  const city = await testCity();
  city.feeds.incident = feedConfigSchema.parse({
    intervalSeconds: 10,
    pageSize: 10,
    backfillDays: 30,
    retries: 0,
    // No retries, so that the requests can be counted: a busy machine must not time one out.
    timeoutMs: 60_000,
    ...config,
  });
  return city;
}

const incidentIds = async (server: TestServer) =>
  (await server.ctx.database.db.query.incidents.findMany()).map((row) => row.id).sort();

/** Items this server stored (new or changed): what it read again and upserted would count too. */
const storedCount = async (server: TestServer) =>
  (await server.ctx.metrics.feedItems.get()).values
    .filter((v) => v.labels.feed === 'incident' && v.labels.outcome === 'stored')
    .reduce((sum, v) => sum + v.value, 0);

const incidentHealth = async (server: TestServer) =>
  (
    (await (await server.api('/api/feeds', { token: server.wallToken })).json()) as {
      feeds: { feed: string; lastError: string | null; status: string }[];
    }
  ).feeds.find((f) => f.feed === 'incident')!;

describe.each(databaseTargets)('foreign feed shapes on $name', (target: DatabaseTarget) => {
  beforeAll(() => {
    vi.stubEnv('PINGAN_SECRET_OFFSET_TOKEN', BEARER_TOKEN);
    vi.stubEnv('PINGAN_SECRET_BASIC_PW', BASIC_PASSWORD);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  describe.each(cases)('$name', (shape) => {
    let source: ForeignFeed;
    let server: TestServer | null = null;
    const ids = Array.from({ length: 28 }, (_, i) => `INC-${shape.shape}-${String(i).padStart(2, '0')}`);

    beforeAll(async () => {
      source = await startForeignFeed(shape.shape, {
        credentials: shape.credentials,
        timeField: shape.timeField,
      });
      source.items.push(
        shape.record(`INC-${shape.shape}-old-1`, OLD),
        shape.record(`INC-${shape.shape}-old-2`, OLD),
      );
      for (let i = 0; i < 23; i++) source.items.push(shape.record(ids[i]!, updatedAt(i)));
    });
    afterAll(async () => {
      await server?.stop();
      await source?.stop();
    });

    it('is read completely and exactly once across a restart, going on from the stored position', async () => {
      const database = await target.create({ persistent: true });
      const city = await cityWith(shape.config);
      const options = { target, database, city, feedUrls: { incident: source.url }, pollSchedule: false };
      try {
        const first = await startTestServer({ ...options, clock: () => NOW });
        await first.warmedUp;
        expect(source.requests.length, JSON.stringify(await incidentHealth(first))).toBeGreaterThan(0);
        // The first request asks only for the backfill's days, where the feed can be told.
        expect(shape.asked(source.requests[0]!)).toEqual(shape.firstAsk);
        expect(await incidentIds(first)).toEqual(ids.slice(0, 23));
        // Every report time, local or not, lands ten minutes before its update, and in 金方.
        for (const row of await first.ctx.database.db.query.incidents.findMany()) {
          expect(row.updatedAt.getTime() - row.reportedAt.getTime(), row.id).toBe(600_000);
          expect(row.street, row.id).toBe('jinfang');
        }
        expect(await storedCount(first)).toBe(23);
        expect((await incidentHealth(first)).status).toBe('ok');
        await first.stop();

        for (let i = 23; i < 28; i++) source.items.push(shape.record(ids[i]!, updatedAt(i)));
        source.requests.length = 0;
        server = await startTestServer({ ...options, clock: () => LATER });
        await server.warmedUp;
        expect(source.requests.length, JSON.stringify(await incidentHealth(server))).toBeGreaterThan(0);
        expect(shape.asked(source.requests[0]!)).toEqual(shape.resumeAsk);
        expect(await incidentIds(server)).toEqual(ids);
        // Only the five new items were stored: nothing read before the restart was stored again.
        expect(await storedCount(server)).toBe(5);
      } finally {
        await server?.stop();
        server = null;
        await database.drop();
      }
    });

    it.runIf(shape.credentials)(
      'shows wrong credentials in its health as HTTP 401 from its host, quoting no secret',
      async () => {
        server = await startTestServer({
          target,
          city: await cityWith(shape.config),
          clock: () => NOW,
          feedUrls: { incident: source.url },
          pollSchedule: false,
        });
        await server.warmedUp;
        expect((await incidentHealth(server)).status).toBe('ok');
        source.credentials = 'Bearer rotated-by-the-other-side';
        await server.ctx.feeds.pollers.get('incident')!.run();
        const origin = new URL(source.url).origin;
        expect((await incidentHealth(server)).lastError).toMatch(
          new RegExp(`^HTTP 401 from ${origin}(: |$)`),
        );
        const feeds = await (await server.api('/api/feeds', { token: server.wallToken })).text();
        const health = await (await server.api('/api/health', { token: null })).text();
        expect(health).toContain(`HTTP 401 from ${origin}`);
        for (const secret of shape.secrets) {
          expect(feeds).not.toContain(secret);
          expect(health).not.toContain(secret);
        }
      },
    );
  });
});

describe.each(databaseTargets)('a time cursor’s overlap on $name', (target: DatabaseTarget) => {
  let source: ForeignFeed;
  let server: TestServer;

  beforeAll(async () => {
    source = await startForeignFeed('updatedAfter');
    for (let i = 0; i < 23; i++) source.items.push(ours(`INC-overlap-${i}`, updatedAt(i)));
    server = await startTestServer({
      target,
      city: await cityWith({ paging: { mode: 'updatedAfter', format: 'epoch_ms', overlapSeconds: 60 } }),
      clock: () => NOW,
      feedUrls: { incident: source.url },
      pollSchedule: false,
    });
    await server.warmedUp;
  });
  afterAll(async () => {
    await server?.stop();
    await source?.stop();
  });

  it('reads again what the overlap covers but stores it once, and takes an item updated since', async () => {
    // Each page after the first starts a minute before the newest item of the one before: two again.
    expect(source.requests.map((r) => r.query.updated_after)).toEqual([
      String(HORIZON.getTime()),
      String(updatedAt(9).getTime() - 60_000),
      String(updatedAt(17).getTime() - 60_000),
    ]);
    expect(await storedCount(server)).toBe(23);

    // A run with nothing new stores nothing; then one item is closed, and only it is stored.
    await server.ctx.feeds.pollers.get('incident')!.run();
    expect(await storedCount(server)).toBe(23);
    const closed = ours('INC-overlap-4', updatedAt(30));
    source.items[4] = { ...closed, status: 'closed', closedAt: updatedAt(30).toISOString() };
    await server.ctx.feeds.pollers.get('incident')!.run();
    expect(await storedCount(server)).toBe(24);
    const row = await server.ctx.database.db.query.incidents.findFirst({
      where: (incidents, { eq }) => eq(incidents.id, 'INC-overlap-4'),
    });
    expect(row?.status).toBe('closed');
  });
});

describe.each(databaseTargets)('an answer without its items on $name', (target: DatabaseTarget) => {
  it('fails naming the path that does not hold an array', async () => {
    const source = await startForeignFeed('page');
    const server = await startTestServer({
      target,
      city: await cityWith({
        method: 'POST',
        body: { pageNo: '{page}', pageSize: '{limit}' },
        paging: { mode: 'page', items: 'data.rows' },
      }),
      clock: () => NOW,
      feedUrls: { incident: source.url },
      pollSchedule: false,
    });
    try {
      await server.warmedUp;
      expect((await incidentHealth(server)).lastError).toBe(
        `the answer of ${new URL(source.url).origin} is not a feed envelope: ` +
          'data.rows: expected the array of items (paging.items), found nothing',
      );
    } finally {
      await server.stop();
      await source.stop();
    }
  });
});

describe.each(databaseTargets)('a feed behind a CA of its own on $name', (target: DatabaseTarget) => {
  const pem = (name: string) => readFileSync(`tests/support/tls/${name}`, 'utf8');

  it('is read with tls.caFile or tls.ca, and refused without them, naming why', async () => {
    const source = await startForeignFeed('cursor', {
      tls: { key: pem('feed-key.pem'), cert: pem('feed.pem') },
    });
    vi.stubEnv('PINGAN_SECRET_FEED_CA', pem('ca.pem'));
    source.items.push(ours('INC-tls-1', updatedAt(1)));
    const origin = new URL(source.url).origin;
    try {
      for (const tls of [
        { caFile: 'tests/support/tls/ca.pem' },
        { ca: 'env:PINGAN_SECRET_FEED_CA' },
        undefined,
      ]) {
        const server = await startTestServer({
          target,
          city: await cityWith(tls ? { tls } : {}),
          clock: () => NOW,
          feedUrls: { incident: source.url },
          pollSchedule: false,
        });
        try {
          await server.warmedUp;
          const health = await incidentHealth(server);
          if (tls) {
            expect(health.status, JSON.stringify(tls)).toBe('ok');
            expect(await incidentIds(server)).toEqual(['INC-tls-1']);
          } else expect(health.lastError).toMatch(new RegExp(`^cannot reach ${origin}: [A-Z_]+`));
        } finally {
          await server.stop();
        }
      }
    } finally {
      vi.unstubAllEnvs();
      await source.stop();
    }
  });

  it('refuses to start with a CA that is not a PEM certificate or a file that cannot be read', async () => {
    vi.stubEnv('PINGAN_SECRET_NOT_A_CA', 'hello');
    try {
      for (const [tls, problem] of [
        [
          { ca: 'env:PINGAN_SECRET_NOT_A_CA' },
          'feeds.incident.tls.ca: expected a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)',
        ],
        [
          { caFile: 'tests/support/tls/missing.pem' },
          'feeds.incident.tls.caFile: cannot read tests/support/tls/missing.pem: ENOENT',
        ],
      ] as const) {
        const refusal = await startTestServer({
          target,
          city: await cityWith({ url: 'https://127.0.0.1:9/feed', tls }),
          feedUrls: { incident: 'https://127.0.0.1:9/feed' },
        }).then(
          (started) => started.stop().then(() => null),
          (error: unknown) => error,
        );
        expect(refusal).toBeInstanceOf(ConfigError);
        expect((refusal as ConfigError).problems).toEqual([problem]);
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
