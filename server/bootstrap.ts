/**
 * First-start work: the initial weight set from the city configuration, the first tokens, and a
 * month of demo values. Each step only acts on an empty table.
 */
import type { AppContext } from './context.js';
import { demoIndicatorValues } from './seed/demo.js';
import type { LiveIndex } from '../shared/api.js';
import { resultOf } from './repositories/snapshots.js';

export interface IssuedToken {
  role: 'admin' | 'wall';
  token: string;
}

export async function ensureInitialWeightSet(ctx: AppContext): Promise<void> {
  if ((await ctx.weightSets.list()).length > 0) return;
  const { name, effectiveFrom, weights } = ctx.city.weights;
  await ctx.weightSets.create(
    { name, effectiveFrom, weights, note: 'initial weights from the city configuration' },
    'configuration',
  );
  ctx.logger.info({ name, effectiveFrom }, 'initial weight set stored');
}

/**
 * With no tokens stored, creates an admin token (ADMIN_TOKEN when given) and a wall token and
 * returns them, the only time they are seen. ADMIN_TOKEN is (re)registered on every start.
 */
export async function ensureTokens(ctx: AppContext, adminToken?: string): Promise<IssuedToken[]> {
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
export async function seedDemo(ctx: AppContext): Promise<boolean> {
  if ((await ctx.values.count()) > 0) return false;
  const today = ctx.liveIndex.today(ctx.clock());
  const manual = new Set(ctx.city.indicators.filter((i) => i.source === 'manual').map((i) => i.id));
  const rows = demoIndicatorValues(ctx.city, today).filter((row) => manual.has(row.indicatorId));
  await ctx.values.upsertMany(rows, 'demo');
  ctx.logger.info({ values: rows.length }, 'demo values of manual indicators seeded');
  return true;
}

/** Records the live index as a snapshot. */
export async function recordSnapshot(ctx: AppContext, at: Date, live: LiveIndex): Promise<void> {
  await ctx.snapshots.record(at, resultOf(live), live.weightSet.id);
  ctx.metrics.snapshots.inc();
}
