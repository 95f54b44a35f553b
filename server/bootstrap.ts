/**
 * First-start work: the initial weight set from the city configuration, the first tokens, and a
 * month of demo values. Each step only acts on an empty table.
 */
import type { AppContext } from './context.js';
import { demoIndicatorValues } from './seed/demo.js';
import { demoMonthlyHistory } from './seed/demo-history.js';
import type { LiveIndex } from '../shared/api.js';
import { rulesFor } from '../shared/alerts/rules/index.js';
import { previousMonth } from '../shared/reports/monthly.js';
import { resultOf } from './repositories/snapshots.js';
import { ReportService } from './services/reports.js';

export interface IssuedToken {
  role: 'admin' | 'wall';
  token: string;
}

export async function ensureInitialWeightSet(
  ctx: Pick<AppContext, 'city' | 'logger' | 'weightSets'>,
): Promise<void> {
  if ((await ctx.weightSets.list()).length > 0) return;
  const { name, effectiveFrom, weights } = ctx.city.weights;
  await ctx.weightSets.create(
    { name, effectiveFrom, weights, note: 'initial weights from the city configuration' },
    'configuration',
  );
  ctx.logger.info({ weightSet: name, effectiveFrom }, 'initial weight set stored');
}

/**
 * With no tokens stored, creates an admin token (ADMIN_TOKEN when given) and a wall token and
 * returns them, the only time they are seen. ADMIN_TOKEN is (re)registered on every start.
 */
export async function ensureTokens(
  ctx: Pick<AppContext, 'tokens'>,
  adminToken?: string,
): Promise<IssuedToken[]> {
  const issued: IssuedToken[] = [];
  const fresh = (await ctx.tokens.countActive()) === 0;
  if (adminToken) {
    const known = await ctx.tokens.authenticate(adminToken);
    if (known?.role !== 'admin')
      await ctx.tokens.create({ name: 'admin (ADMIN_TOKEN)', role: 'admin', token: adminToken });
  } else if (fresh) {
    issued.push({ role: 'admin', token: (await ctx.tokens.create({ name: 'admin', role: 'admin' })).token });
  }
  if (fresh)
    issued.push({ role: 'wall', token: (await ctx.tokens.create({ name: 'wall', role: 'wall' })).token });
  return issued;
}

/** Seeds a month of demo values of the manual indicators (those without a feed) into an empty table. */
export async function seedDemo(
  ctx: Pick<AppContext, 'city' | 'clock' | 'liveIndex' | 'logger' | 'values'>,
): Promise<boolean> {
  if ((await ctx.values.count()) > 0) return false;
  const today = ctx.liveIndex.today(ctx.clock());
  const manual = new Set(ctx.city.indicators.filter((i) => i.source === 'manual').map((i) => i.id));
  const rows = demoIndicatorValues(ctx.city, today).filter((row) => manual.has(row.indicatorId));
  await ctx.values.upsertMany(rows, 'demo');
  ctx.logger.info({ values: rows.length }, 'demo values of manual indicators seeded');
  return true;
}

/** Records the live index as a snapshot. */
export async function recordSnapshot(
  ctx: Pick<AppContext, 'events' | 'snapshots'>,
  at: Date,
  live: LiveIndex,
): Promise<void> {
  await ctx.snapshots.record(at, resultOf(live), live.weightSet.id);
  await ctx.events.emit('history.recorded', { snapshots: 1 });
}

/**
 * The demo's past months, once: with no month published yet, `months` months before the current one
 * get monthly values of every indicator around the simulated city's level now (see
 * seed/demo-history.ts) and are published, oldest first. Waits (returns 0) while a feed has not
 * delivered: the months would lack its indicators; the next start tries again.
 */
export async function publishDemoHistory(
  ctx: Pick<AppContext, 'city' | 'clock' | 'liveIndex' | 'logger' | 'reports' | 'values'>,
  months: number,
  seed: number,
): Promise<number> {
  if (months <= 0 || (await ctx.reports.months()).length > 0) return 0;
  const started = performance.now();
  const now = ctx.clock();
  const live = await ctx.liveIndex.current(now);
  // A source none of whose indicators has a value anywhere has not delivered (a rare event such as a
  // homicide to clear may leave one indicator without a value: that one stays missing).
  const known = new Set(
    live.streets.flatMap((s) => s.indicators.filter((i) => i.raw !== null).map((i) => i.id)),
  );
  const missing = [...new Set(ctx.city.indicators.map((i) => i.source))].filter((source) =>
    ctx.city.indicators.every((i) => i.source !== source || !known.has(i.id)),
  );
  if (missing.length > 0) {
    ctx.logger.info(
      { missing },
      'the demo months wait for every source to deliver; the next start publishes them',
    );
    return 0;
  }
  const periods = [];
  for (
    let month = previousMonth(live.date.slice(0, 7));
    periods.length < months;
    month = previousMonth(month)
  )
    periods.unshift(ReportService.period(month));
  const base = Object.fromEntries(
    live.streets.map((s) => [s.code, Object.fromEntries(s.indicators.map((i) => [i.id, i.raw]))]),
  );
  const { weights } = await ctx.liveIndex.setInForce(live.date);
  const { rows, trouble } = demoMonthlyHistory({
    city: ctx.city,
    base,
    weights,
    months: periods,
    runMonths: (street) => rulesFor(ctx.city.alerts, street).redMonths.interviewAt,
    seed,
  });
  // Values already there (the seeded manual values of a month) stand: days were recorded with them.
  const stored = new Set(
    (await Promise.all(periods.map((p) => ctx.values.ofPeriod(p.period))))
      .flat()
      .map((row) => `${row.indicatorId}|${row.streetCode}|${row.period}`),
  );
  await ctx.values.upsertMany(
    rows.filter((row) => !stored.has(`${row.indicatorId}|${row.streetCode}|${row.period}`)),
    'demo',
  );
  for (const period of periods) await ctx.reports.publish(period, 'demo');
  ctx.logger.info(
    {
      months: periods.length,
      from: periods[0]?.period,
      trouble,
      ms: Math.round(performance.now() - started),
    },
    'demo months published',
  );
  return periods.length;
}
