/**
 * The monthly publication on PGlite and PostgreSQL, on a fixed clock in early December 2026: a
 * month's index from the month's own events and values, frozen when published, corrected only as a
 * new version, compared month on month and year on year, and read by the red-month ladder.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FEEDS } from '../../shared/feeds/index.js';
import { computeIndex } from '../../shared/index/index.js';
import type { MonthComparison, MonthlyReport } from '../../shared/reports/monthly.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { ENV, streetHead } from '../support/outbox.js';
import { startHttpReceiver, type HttpReceiver } from '../support/receivers.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import type { Notification } from '../../server/alerts/channels/channel.js';
import { ReportService } from '../../server/services/reports.js';
import { alertOutbox } from '../../server/db/schema/index.js';

const NOW = new Date('2026-12-03T02:00:00Z');

/** A theft in 金方 (or another street) at an instant. */
const theft = (street: string, at: string) =>
  feedItem('incident', new Date(at), { street, reportedAt: at, updatedAt: at, community: undefined });

/** Thefts of November 2026, in the city's time zone (UTC+8): the last one is December 1st there. */
const NOVEMBER = [
  theft('jinfang', '2026-11-03T02:00:00Z'),
  theft('jinfang', '2026-11-15T02:00:00Z'),
  theft('jinfang', '2026-11-30T15:30:00Z'), // 23:30 on the 30th
  theft('qinglong', '2026-11-20T02:00:00Z'),
  theft('jinfang', '2026-11-30T16:30:00Z'), // 00:30 on December 1st
];
/** One item of every feed in a street on a day: each block of its index has data that month. */
const dayOfEveryFeed = (street: string, day: string) => {
  const at = new Date(`${day}T04:00:00Z`);
  const overrides = { street, updatedAt: at.toISOString() };
  return Object.fromEntries(
    FEEDS.map((feed) => [feed, feedItem(feed, new Date(at.getTime() + 60 * 60_000), overrides)]),
  );
};
const MONTHS_WITH_DATA = ['2025-11-10', '2026-08-10', '2026-09-10', '2026-10-10', '2026-11-10'];
const MONTHLY_ITEMS = MONTHS_WITH_DATA.flatMap((day) => [
  dayOfEveryFeed('jinfang', day),
  dayOfEveryFeed('qinglong', day),
]);

/** Pushes the items of every month, feed by feed, and the manual values of each month. */
async function storeMonths(server: TestServer) {
  const push = async (feed: string, items: unknown[]) => {
    const answer = await server.api(`/api/ingest/${feed}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
  };
  await push('incident', [...NOVEMBER, ...MONTHLY_ITEMS.map((items) => items.incident)]);
  for (const feed of FEEDS.filter((feed) => feed !== 'incident'))
    await push(
      feed,
      MONTHLY_ITEMS.map((items) => items[feed]),
    );
  const values = MONTHS_WITH_DATA.flatMap((day, i) =>
    ['jinfang', 'qinglong'].flatMap((street) => [
      { indicator: 'cameras_online', street, period: day.slice(0, 7), value: 80 + i * 2 },
      { indicator: 'legal_education', street, period: day.slice(0, 7), value: 1 + i / 10 },
    ]),
  );
  const imported = await server.api('/api/indicator-values', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(values),
  });
  expect(imported.status, await imported.clone().text()).toBe(201);
}

/** Anning with every grade but the lowest out of reach: a street with an index is red (差) every month. */
async function redCity() {
  const city = await testCity();
  city.grades = city.grades.map((grade) =>
    grade.min > 0 ? { ...grade, min: 100 + grade.min / 100 } : grade,
  );
  return city;
}

describe.each(databaseTargets)('the monthly publication on $name', (target) => {
  let server: TestServer;

  const post = (path: string, body?: unknown) =>
    server.api(path, {
      method: 'POST',
      ...(body !== undefined && {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    });
  const report = async (month: string, query = ''): Promise<MonthlyReport> => {
    const response = await server.api(`/api/reports/monthly/${month}${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return response.json();
  };
  const street = (r: MonthlyReport, code: string) => r.figures.streets.find((s) => s.code === code)!;
  const raw = (r: MonthlyReport, code: string, indicator: string) =>
    street(r, code).indicators.find((i) => i.id === indicator)!.raw;

  beforeAll(async () => {
    server = await startTestServer({ target, city: await redCity(), clock: () => NOW });
    await server.warmedUp;
    await storeMonths(server);
  });
  afterAll(() => server?.stop());

  it("computes a month from its own events and values, in the city's time zone", async () => {
    const draft = await report('2026-11', '?draft=1');
    expect(draft).toMatchObject({ status: 'draft', complete: true, publication: null, versions: [] });
    const population = (code: string) => server.ctx.city.streets.find((s) => s.code === code)!.population;
    // Four thefts in 金方 in November (the one past midnight on the 30th is December's), two in 青龙.
    expect(raw(draft, 'jinfang', 'theft')).toBeCloseTo((4 / population('jinfang')) * 10_000, 9);
    expect(raw(draft, 'qinglong', 'theft')).toBeCloseTo((2 / population('qinglong')) * 10_000, 9);
    expect(raw(draft, 'jinfang', 'cameras_online')).toBe(88);
    expect(street(draft, 'jinfang').index).toEqual(expect.any(Number));
    // A street without any item that month has no index, not one computed from zeros.
    expect(street(draft, 'lianran').index).toBeNull();
    expect(street(draft, 'jinfang').population).toBe(population('jinfang'));
    // The engine on the figures' own raw values, under the frozen weights, gives the same indices.
    const again = computeIndex({
      streets: draft.figures.streets.map((s) => ({ code: s.code, population: s.population })),
      indicators: server.ctx.city.indicators,
      weights: draft.figures.weightSet.weights,
      raw: Object.fromEntries(
        draft.figures.streets.map((s) => [
          s.code,
          Object.fromEntries(s.indicators.map((i) => [i.id, i.raw])),
        ]),
      ),
      grades: server.ctx.city.grades,
    });
    expect(again.streets.map((s) => s.index)).toEqual(draft.figures.streets.map((s) => s.index));
    expect(again.city).toBeCloseTo(draft.figures.city!, 9);
  });

  it("lets a month's imported statistics of a feed's indicator stand in place of its events, not in the live index", async () => {
    const before = await report('2026-10', '?draft=1');
    const imported = await post('/api/indicator-values', [
      { indicator: 'theft', street: 'qinglong', period: '2026-10', value: 4.25 },
    ]);
    expect(imported.status, await imported.clone().text()).toBe(201);
    const after = await report('2026-10', '?draft=1');
    expect(raw(after, 'qinglong', 'theft')).toBe(4.25);
    expect(street(after, 'qinglong').indicators.find((i) => i.id === 'theft')).not.toEqual(
      street(before, 'qinglong').indicators.find((i) => i.id === 'theft'),
    );
    // 金方's October stays what its events give; the live index never reads a month's statistics.
    expect(raw(after, 'jinfang', 'theft')).toBe(raw(before, 'jinfang', 'theft'));
    const live = await (await server.api('/api/index')).json();
    const liveTheft = live.streets
      .find((s: { code: string }) => s.code === 'qinglong')
      .indicators.find((i: { id: string }) => i.id === 'theft');
    expect(liveTheft.period).toBeNull();
    expect(liveTheft.raw).not.toBe(4.25);
  });

  it('refuses a running or future month, a malformed one, and says when a month is not published', async () => {
    const running = await post('/api/reports/monthly/2026-12/publish');
    expect(running.status).toBe(409);
    expect((await running.json()).message).toMatch(/2026-12 is still running.*2027-01-01 00:00/);
    const future = await post('/api/reports/monthly/2027-02/publish');
    expect((await future.json()).message).toMatch(/2027-02 is in the future/);
    for (const bad of ['2026-13', '2026-11-05', 'last', '0000-01']) {
      const answer = await server.api(`/api/reports/monthly/${bad}`);
      expect(answer.status, bad).toBe(400);
      expect((await answer.json()).message).toMatch(/^month: /);
    }
    const missing = await server.api('/api/reports/monthly/2026-11');
    expect(missing.status).toBe(404);
    expect((await missing.json()).message).toMatch(/2026-11 is not published; publish it with POST/);
    expect((await server.api('/api/reports/monthly/2026-11?version=0')).status).toBe(400);
  });

  it('freezes a published month: later events change a draft, not the publication, until a correction', async () => {
    const first = await post('/api/reports/monthly/2026-11/publish');
    expect(first.status).toBe(201);
    const { publication } = await first.json();
    expect(publication).toMatchObject({ version: 1, reason: null });
    // Publishing again changes nothing.
    const twice = await post('/api/reports/monthly/2026-11/publish');
    expect(twice.status).toBe(200);
    expect((await twice.json()).publication).toEqual(publication);

    const late = await post('/api/ingest/incident', { items: [theft('jinfang', '2026-11-20T02:00:00Z')] });
    expect(late.status).toBe(200);
    const published = await report('2026-11');
    expect(published.publication).toEqual(publication);
    expect(raw(published, 'jinfang', 'theft')).toBeCloseTo(
      raw(await report('2026-11', '?draft=1'), 'jinfang', 'theft')! * 0.8,
      9,
    );

    const corrected = await post('/api/reports/monthly/2026-11/publish', { reason: '补录一起盗窃警情' });
    expect(corrected.status).toBe(201);
    const latest = await report('2026-11');
    expect(latest.publication).toMatchObject({ version: 2, reason: '补录一起盗窃警情' });
    expect(latest.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(latest.publication!.hash).not.toBe(publication.hash);
    const original = await report('2026-11', '?version=1');
    expect(original.publication).toEqual(publication);
    expect(raw(latest, 'jinfang', 'theft')).toBeCloseTo(raw(original, 'jinfang', 'theft')! * (5 / 4), 9);
    expect((await post('/api/reports/monthly/2026-11/publish', { reason: '' })).status).toBe(400);
  });

  it('compares month on month and year on year, each change split exactly into indicators', async () => {
    const before = await report('2026-11');
    expect(before.monthOnMonth).toEqual({
      against: '2026-10',
      available: false,
      reason: '2026-10 is not published',
    });
    for (const month of ['2025-11', '2026-08', '2026-09', '2026-10']) {
      const published = await post(`/api/reports/monthly/${month}/publish`);
      expect(published.status, await published.clone().text()).toBe(201);
    }
    const november = await report('2026-11');
    const check = (comparison: MonthComparison, earlier: MonthlyReport) => {
      if (!comparison.available) throw new Error(`no comparison with ${comparison.against}`);
      const change = comparison.streets.find((s) => s.code === 'jinfang')!;
      expect(change.index).toBeCloseTo(
        street(november, 'jinfang').index! - street(earlier, 'jinfang').index!,
        9,
      );
      const sum = change.indicators.reduce((total, i) => total + i.change, 0);
      expect(sum).toBeCloseTo(change.index!, 9);
      expect(comparison.city).toBeCloseTo(november.figures.city! - earlier.figures.city!, 9);
    };
    check(november.monthOnMonth, await report('2026-10'));
    check(november.yearOnYear, await report('2025-11'));
    expect(november.yearOnYear.against).toBe('2025-11');
    const listed = await (await server.api('/api/reports/monthly')).json();
    expect(listed.months.map((m: { month: string }) => m.month)).toEqual([
      '2026-11',
      '2026-10',
      '2026-09',
      '2026-08',
      '2025-11',
    ]);
  });

  it('exports the ranking as CSV', async () => {
    const response = await server.api('/api/reports/monthly/2026-11.csv');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('pingan-2026-11-v2.csv');
    const lines = (await response.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'rank,street,street_zh,index,grade,mom_index,mom_rank,yoy_index,yoy_rank,provisional',
    );
    expect(lines).toHaveLength(1 + server.ctx.city.streets.length);
    expect(lines[1]).toMatch(/^1,(jinfang|qinglong),/);
  });
});

describe.each(databaseTargets)('the red-month ladder on $name', (target) => {
  let server: TestServer;
  let receiver: HttpReceiver;
  let now = NOW;

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
    server = await startTestServer({ target, city: await redCity(), clock: () => now });
    await server.warmedUp;
    await storeMonths(server);
    const leaders = await server.api('/api/subscriptions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        streetHead(`${receiver.origin}/hook`, {
          name: '市平安办',
          streets: [],
          audiences: ['leaders'],
          rules: ['redMonths'],
        }),
      ),
    });
    expect(leaders.status, await leaders.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
    vi.unstubAllEnvs();
  });

  /** What reached the leaders about 金方 (青龙, with data in the same months, is red as well). */
  const received = () =>
    receiver.requests.map((r) => JSON.parse(r.body) as Notification).filter((n) => n.street === 'jinfang');

  it('sends the leaders a warning notice at three red months and a 约谈 at four, each once', async () => {
    for (const month of ['2026-08', '2026-09'])
      await server.ctx.reports.publish(ReportService.period(month), 'test');
    await server.ctx.alerts.evaluate();
    expect(received()).toEqual([]);

    await server.ctx.reports.publish(ReportService.period('2026-10'), 'test');
    const notice = await until(() => received()[0], 'the warning notice');
    expect(notice).toMatchObject({ street: 'jinfang', severity: 'warning', kind: 'fire' });
    expect(notice.title.zh).toMatch(/连续 3 个月评为差，约谈预警/);
    expect(notice.body.zh).toMatch(/截至2026年10月/);

    // A month later the leaders' meeting has the November figures.
    now = new Date(NOW.getTime() + 60_000);
    await server.ctx.reports.publish(ReportService.period('2026-11'), 'test');
    const interview = await until(() => received()[1], 'the 约谈 notification');
    expect(interview).toMatchObject({ street: 'jinfang', severity: 'critical' });
    expect(interview.title.zh).toMatch(/连续 4 个月评为差，启动约谈/);
    // The months of the run and their published indices.
    const published = await Promise.all(
      ['2026-08', '2026-09', '2026-10', '2026-11'].map((m) =>
        server.ctx.reports.report(ReportService.period(m)),
      ),
    );
    const indices = published.map((r) =>
      r.figures.streets.find((s) => s.code === 'jinfang')!.index!.toFixed(1),
    );
    expect(interview.body.zh).toContain(
      `2026年8月 ${indices[0]} · 2026年9月 ${indices[1]} · 2026年10月 ${indices[2]} · 2026年11月 ${indices[3]}`,
    );
    // Evaluating again, and publishing again, queues nothing more: the outbox holds these two, sent.
    await server.ctx.alerts.evaluate();
    await server.ctx.reports.publish(ReportService.period('2026-11'), 'test');
    await server.ctx.alerts.evaluate();
    const jinfang = async () =>
      (await server.ctx.database.db.select().from(alertOutbox).orderBy(alertOutbox.id)).filter(
        (row) => row.notification.street === 'jinfang',
      );
    const queued = await until(
      async () => (await jinfang()).every((row) => row.status === 'sent') && jinfang(),
      'both notifications marked sent',
    );
    expect(queued.map((row) => row.idempotencyKey)).toEqual([
      notice.idempotencyKey,
      interview.idempotencyKey,
    ]);
    expect(received()).toHaveLength(2);
    // The report of each month says where 金方 stood on the ladder.
    const standing = async (month: string) =>
      (await server.ctx.reports.report(ReportService.period(month))).ladder.find(
        (l) => l.code === 'jinfang',
      )!;
    expect(await standing('2026-09')).toMatchObject({ months: 2, step: 'none' });
    expect(await standing('2026-10')).toMatchObject({ months: 3, step: 'warning' });
    expect(await standing('2026-11')).toMatchObject({
      months: 4,
      step: 'interview',
      run: ['2026-08', '2026-09', '2026-10', '2026-11'].map((month, i) => ({
        month,
        index: published[i]!.figures.streets.find((s) => s.code === 'jinfang')!.index,
      })),
    });
    expect((await standing('2026-11')).run.map((m) => m.month)).toEqual([
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
    ]);
  });
});

describe.each(databaseTargets)('the publication on the 1st on $name', (target) => {
  let server: TestServer;
  let now = new Date('2026-11-30T15:50:00Z'); // 23:50 on November 30th in Anning
  beforeAll(async () => {
    server = await startTestServer({ target, clock: () => now });
    await server.warmedUp;
  });
  afterAll(() => server?.stop());

  it("publishes the month before in the city's time zone, once", async () => {
    // Still November there: the month before is October.
    expect(await server.ctx.reports.publishPrevious()).toMatchObject({ version: 1, publishedBy: 'schedule' });
    expect((await server.ctx.reports.months()).map((m) => m.month)).toEqual(['2026-10']);
    now = new Date('2026-11-30T16:05:00Z'); // 00:05 on December 1st
    expect(await server.ctx.reports.publishPrevious()).toMatchObject({ version: 1 });
    expect(await server.ctx.reports.publishPrevious()).toBeNull();
    expect((await server.ctx.reports.months()).map((m) => m.month)).toEqual(['2026-11', '2026-10']);
  });
});
