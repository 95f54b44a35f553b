/**
 * The demo's first start publishes thirteen past months, so that 同比 exists on day one and one
 * street's run of red months has reached its 约谈; a later start publishes nothing again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../shared/reports/monthly.js';
import { runningClock, WORKING_MORNING } from '../support/clock.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

/** A first start backfilling the simulator's month on a busy machine: generous, as hooks are. */
const FIRST_START_MS = 300_000;

/** The thirteen months before November 2026 (the fixed clock's), newest first. */
const MONTHS = [
  '2026-10',
  '2026-09',
  '2026-08',
  '2026-07',
  '2026-06',
  '2026-05',
  '2026-04',
  '2026-03',
  '2026-02',
  '2026-01',
  '2025-12',
  '2025-11',
  '2025-10',
];

describe.each(databaseTargets)("the demo's past months on $name", (target) => {
  let server: TestServer | undefined;
  let kept: TestDatabase | undefined;
  afterAll(async () => {
    await server?.stop();
    await kept?.drop();
  });

  it(
    'publishes thirteen months on a first start, with 同比 and a street at its 约谈, and none again later',
    async () => {
      kept = await target.create({ persistent: true });
      const start = (simulator: boolean) =>
        startTestServer({
          target,
          database: kept,
          seed: true,
          simulator,
          clock: runningClock(WORKING_MORNING),
          env: { DEMO_MONTHS: '13' },
        });
      server = await start(true);
      await server.warmedUp;
      const listed = await (await server.api('/api/reports/monthly')).json();
      expect(listed.months.map((m: { month: string }) => m.month)).toEqual(MONTHS);

      const latest: MonthlyReport = await (await server.api('/api/reports/monthly/2026-10')).json();
      expect(latest.publication).toMatchObject({ version: 1, publishedBy: 'demo' });
      expect(latest.yearOnYear).toMatchObject({ against: '2025-10', available: true });
      expect(latest.monthOnMonth).toMatchObject({ against: '2026-09', available: true });
      for (const street of latest.figures.streets) {
        expect(street.index, street.code).toEqual(expect.any(Number));
        expect(street.provisional, street.code).toBe(false);
      }
      // The street lowest on the live index had four red months in a row up to last month.
      const live = await (await server.api('/api/index')).json();
      const lowest = [...live.streets].sort((a, b) => a.index - b.index)[0].code;
      const standing = latest.ladder.find((s) => s.code === lowest)!;
      expect(standing).toMatchObject({ months: 4, step: 'interview' });
      expect(standing.run.map((m) => m.month)).toEqual(['2026-07', '2026-08', '2026-09', '2026-10']);
      expect(latest.ladder.filter((s) => s.step === 'interview').map((s) => s.code)).toEqual([lowest]);
      // The ladder reaches the alerts: the 约谈 is raised for that street.
      await until(
        async () => {
          const { alerts } = await (await server!.api('/api/alerts?rule=redMonths')).json();
          return alerts.some((a: { street: string; status: string }) => a.street === lowest);
        },
        'the redMonths alert of the street with four red months',
        60_000,
      );

      const values = await server.ctx.values.count({ origin: 'demo' });
      await server.stop();
      server = await start(false);
      await server.warmedUp;
      const again = await (await server.api('/api/reports/monthly')).json();
      expect(again.months).toEqual(listed.months);
      expect(await server.ctx.values.count({ origin: 'demo' })).toBe(values);
    },
    FIRST_START_MS,
  );
});
