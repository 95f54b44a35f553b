/**
 * Recorded history follows what the database holds for each past day: a feed that failed at first
 * start, a recording a crash cut short, and indicator values imported later all end up in the
 * recorded days, on a clock the test moves.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { readBaselines } from '../../server/alerts/inputs.js';
import { historyDue, indexSnapshots } from '../../server/db/schema/index.js';
import { CITY } from '../../server/repositories/snapshots.js';
import { parseScenario } from '../../server/simulator/scenario.js';
import { ReportService } from '../../server/services/reports.js';
import { addDays } from '../../shared/period.js';
import { WORKING_MORNING } from '../support/clock.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

/** A server backfilling the simulator's month, twice on a busy machine: generous, as hooks are. */
const SIMULATED_MONTH_MS = 300_000;

const TODAY = '2026-11-25';
const FIRST_DAY = addDays(TODAY, -30);
const YESTERDAY = addDays(TODAY, -1);

/** The recorded snapshots of a street (or the city), oldest first. */
async function recorded(server: TestServer, street: string) {
  return server.ctx.database.db
    .select()
    .from(indexSnapshots)
    .where(and(eq(indexSnapshots.streetCode, street), eq(indexSnapshots.kind, 'recorded')))
    .orderBy(asc(indexSnapshots.at));
}

type SnapshotRow = Awaited<ReturnType<typeof recorded>>[number];

const raw = (row: SnapshotRow, indicator: string) =>
  row.indicators?.find((i) => i.id === indicator)?.raw ?? null;
const dayOf = (row: SnapshotRow) => row.at.toISOString().slice(0, 10);

describe.each(databaseTargets)('recorded history on $name', (target) => {
  let server: TestServer | undefined;
  let kept: TestDatabase | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  afterAll(() => kept?.drop());

  it(
    'records the past month again once a feed that failed at first start has backfilled, so baselines exist',
    async () => {
      let now = WORKING_MORNING;
      const scenario = parseScenario({
        events: [{ at: '0s', kind: 'outage', feed: 'incident', for: '2m', mode: 'error' }],
      });
      server = await startTestServer({ target, seed: true, simulator: { scenario }, clock: () => now });
      await server.warmedUp;
      const streets = server.ctx.city.streets.map((s) => s.code);
      const baselines = () => readBaselines(server!.ctx.database.db, now, streets, server!.ctx.city.alerts);

      const first = await recorded(server, 'jinfang');
      expect(first.map(dayOf)).toEqual(Array.from({ length: 30 }, (_, i) => addDays(FIRST_DAY, i)));
      // Without the police feed, nothing of theft, and no street has a baseline.
      expect(first.every((row) => raw(row, 'theft') === null)).toBe(true);
      expect(Object.values(await baselines()).every((b) => b === null)).toBe(true);

      // The outage ends; the poller's circuit cools down on the server's clock.
      now = new Date(now.getTime() + 10 * 60_000);
      server.simulator!.tick();
      const incident = server.ctx.feeds.pollers.get('incident')!;
      await until(
        async () => {
          await server!.ctx.feeds.runAll();
          return incident.health.backfillDone;
        },
        'the police feed to finish its backfill',
        120_000,
      );

      const again = await until(
        async () => {
          const rows = await recorded(server!, 'jinfang');
          return rows.every((row) => raw(row, 'theft') !== null) && rows;
        },
        'every recorded day to count thefts',
        60_000,
      );
      expect(again).toHaveLength(30);
      expect(again.some((row) => row.provisional)).toBe(false);
      const city = await recorded(server, CITY);
      expect(city).toHaveLength(30);
      expect(Object.values(await baselines()).every((b) => typeof b === 'number')).toBe(true);
    },
    SIMULATED_MONTH_MS,
  );

  it(
    'records after a restart the days a crash left unrecorded, and the days it left marked',
    async () => {
      const clock = () => WORKING_MORNING;
      kept = await target.create({ persistent: true });
      server = await startTestServer({ target, database: kept, seed: true, simulator: true, clock });
      await server.warmedUp;
      const complete = await recorded(server, 'jinfang');
      expect(complete).toHaveLength(30);

      // A crash halfway through the recording, which goes oldest first: the last fifteen days have
      // no snapshot. And one between a late correction's mark of the fourth day and its recording:
      // that day still shows what it showed before the correction.
      const { db } = server.ctx.database;
      const missing = complete.slice(15).map((row) => row.at);
      for (const at of missing) await db.delete(indexSnapshots).where(eq(indexSnapshots.at, at));
      const fourth = complete[3]!;
      await db.update(indexSnapshots).set({ index: 1 }).where(eq(indexSnapshots.at, fourth.at));
      await server.ctx.snapshots.markDue([dayOf(fourth)]);
      await server.stop();

      server = await startTestServer({ target, database: kept, simulator: true, clock });
      await server.warmedUp;
      const after = await recorded(server, 'jinfang');
      expect(after.map(dayOf)).toEqual(complete.map(dayOf));
      expect(after.map((row) => row.index)).toEqual(complete.map((row) => row.index));
      expect(await server.ctx.database.db.select().from(historyDue)).toEqual([]);
      expect(dayOf(after.at(-1)!)).toBe(YESTERDAY);
    },
    SIMULATED_MONTH_MS,
  );

  it(
    'records imported indicator values into the days of their period',
    async () => {
      server = await startTestServer({ target, simulator: true, clock: () => WORKING_MORNING });
      await server.warmedUp;
      const before = await recorded(server, 'jinfang');
      expect(before).toHaveLength(30);
      // No values of the manual indicators were seeded: the recorded days have none.
      expect(before.every((row) => raw(row, 'cameras_online') === null)).toBe(true);

      // The month before the window's first day, then November: every recorded day has a value.
      const rows = ['2026-10', '2026-11'].flatMap((period, i) =>
        server!.ctx.city.streets.map((s) => ({
          indicator: 'cameras_online',
          street: s.code,
          period,
          value: 80 + i * 10,
        })),
      );
      const answer = await server.api('/api/indicator-values', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rows),
      });
      expect(answer.status).toBe(201);
      const after = await until(async () => {
        const recordedNow = await recorded(server!, 'jinfang');
        return recordedNow.every((row) => raw(row, 'cameras_online') !== null) && recordedNow;
      }, 'the recorded days to hold the imported values');
      expect(after.map((row) => raw(row, 'cameras_online'))).toEqual(
        after.map((row) => (dayOf(row) < '2026-11-01' ? 80 : 90)),
      );
      expect(after.map((row) => row.index)).not.toEqual(before.map((row) => row.index));

      // October published, a correction of its values no longer changes its recorded days; November's do.
      await server.ctx.reports.publish(ReportService.period('2026-10'), 'test');
      const corrected = rows.map((row) => ({ ...row, value: row.value + 5 }));
      const again = await server.api('/api/indicator-values', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(corrected),
      });
      expect(again.status).toBe(201);
      const final = await until(async () => {
        const recordedNow = await recorded(server!, 'jinfang');
        // Oldest first: once the last November day has it, October's days have had their turn.
        const november = recordedNow.filter((row) => dayOf(row) >= '2026-11-01');
        return november.every((row) => raw(row, 'cameras_online') === 95) && recordedNow;
      }, "November's recorded days to hold the corrected values");
      expect(final.map((row) => raw(row, 'cameras_online'))).toEqual(
        final.map((row) => (dayOf(row) < '2026-11-01' ? 80 : 95)),
      );
    },
    SIMULATED_MONTH_MS,
  );

  it("takes a day's value from its recording where it has one, and from its live snapshots elsewhere", async () => {
    const clock = () => WORKING_MORNING;
    server = await startTestServer({ target, clock });
    await server.warmedUp;
    const { snapshots } = server.ctx;
    // Without feeds, the start recorded the month with nothing in it.
    await server.ctx.database.db.delete(indexSnapshots);
    const live = await server.ctx.liveIndex.current(clock());
    const result = (index: number) => ({ city: index, streets: [] });
    // Two live snapshots on 11-20 and a recording; only live ones on 11-21.
    await snapshots.record(new Date('2026-11-20T02:00:00Z'), result(50), live.weightSet.id);
    await snapshots.record(new Date('2026-11-20T06:00:00Z'), result(60), live.weightSet.id);
    await snapshots.replaceRecorded(new Date('2026-11-20T12:00:00Z'), result(70), live.weightSet.id);
    await snapshots.replaceRecorded(new Date('2026-11-20T12:00:00Z'), result(72), live.weightSet.id);
    await snapshots.record(new Date('2026-11-21T02:00:00Z'), result(40), live.weightSet.id);
    await snapshots.record(new Date('2026-11-21T06:00:00Z'), result(44), live.weightSet.id);
    const daily = await snapshots.daily(CITY, new Date('2026-11-19T16:00:00Z'), 'Asia/Shanghai');
    expect(daily).toEqual([
      { day: '2026-11-20', index: 72 },
      { day: '2026-11-21', index: 42 },
    ]);
  });
});
