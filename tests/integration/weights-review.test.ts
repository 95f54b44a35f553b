/**
 * The quarterly review through the API: a draft tried on the live values and on a published month,
 * its rank intervals and the removal of each indicator, saved, changed, published for next quarter,
 * and the audit trail that says who did what and why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Weights } from '../../shared/index/types.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const NOW = new Date('2026-11-25T02:00:00Z');

describe.each(databaseTargets)('the weights review on $name', (target) => {
  let server: TestServer;
  let inForce: Weights;

  const post = (path: string, body: unknown, token?: string | null) =>
    server.api(path, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** The set in force with the public evaluation weighing three times as much. */
  const publicHeavy = (): Weights => ({
    ...inForce,
    blocks: { ...inForce.blocks, public: inForce.blocks.public * 3 },
  });

  beforeAll(async () => {
    server = await startTestServer({ target, seed: true, simulator: true, clock: () => NOW });
    await server.warmedUp;
    const published = await server.api('/api/reports/monthly/2026-10/publish', { method: 'POST' });
    expect(published.status).toBeLessThan(300);
    inForce = server.ctx.city.weights.weights;
  });
  afterAll(() => server?.stop());

  it('says when next quarter starts', async () => {
    const list = await (await server.api('/api/weight-sets')).json();
    expect(list).toMatchObject({ today: '2026-11-25', nextQuarter: '2027-01-01' });
  });

  it('tries the set in force on the live values: nobody moves', async () => {
    const answer = await (
      await post('/api/weight-sets/what-if', { weights: inForce, period: 'live' })
    ).json();
    expect(answer).toMatchObject({ period: 'live', asOf: '2026-11-25', meanAbsoluteRankShift: 0 });
    expect(answer.streets).toHaveLength(9);
    for (const street of answer.streets) {
      expect(street.draft).toEqual(street.current);
      expect(street.rankShift).toBe(0);
      expect(street.topChanges).toEqual([]);
    }
  });

  it('tries a draft on a published month as published, with what moved most', async () => {
    const report = await (await server.api('/api/reports/monthly/2026-10')).json();
    const response = await post('/api/weight-sets/what-if', { weights: publicHeavy(), period: '2026-10' });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer).toMatchObject({
      period: '2026-10',
      asOf: '2026-10-31',
      inForce: { id: report.figures.weightSet.id },
    });
    for (const street of answer.streets) {
      const published = report.figures.streets.find((s: { code: string }) => s.code === street.code);
      expect(street.current.index).toBeCloseTo(published.index, 9);
      expect(street.current.rank).toBe(published.rank);
      expect(street.name.zh).toBe(published.name.zh);
      // Only the public block's weight moved: each street's index moves toward its public score.
      expect(street.draft.index).not.toBeCloseTo(street.current.index, 6);
      expect(street.topChanges.length).toBeGreaterThan(0);
      const [first, ...rest] = street.topChanges as { delta: number; current: number; draft: number }[];
      for (const change of rest) expect(Math.abs(change.delta)).toBeLessThanOrEqual(Math.abs(first!.delta));
      expect(first!.delta).toBeCloseTo(first!.draft - first!.current, 9);
    }
    const shifts = answer.streets.map((s: { rankShift: number }) => Math.abs(s.rankShift));
    expect(answer.meanAbsoluteRankShift).toBeCloseTo(
      shifts.reduce((a: number, b: number) => a + b, 0) / 9,
      9,
    );
  });

  it('refuses bad weights and periods naming the field', async () => {
    const negative = await post('/api/weight-sets/what-if', {
      weights: { ...inForce, blocks: { ...inForce.blocks, public: -1 } },
    });
    expect(negative.status).toBe(400);
    expect((await negative.json()).message).toMatch(/^weights\.blocks\.public: /);
    const unknown = await post('/api/weight-sets/what-if', {
      weights: { ...inForce, indicators: { ...inForce.indicators, nope: 1 } },
    });
    expect((await unknown.json()).message).toMatch(/^weights\.indicators\.nope: unknown indicator/);
    const period = await post('/api/weight-sets/what-if', { weights: inForce, period: 'last month' });
    expect((await period.json()).message).toMatch(/^period: /);
    const unpublished = await post('/api/weight-sets/what-if', { weights: inForce, period: '2026-09' });
    expect(unpublished.status).toBe(404);
    const draws = await post('/api/weight-sets/sensitivity', { weights: inForce, draws: 0 });
    expect(draws.status).toBe(400);
    expect((await draws.json()).message).toMatch(/^draws: /);
    const noise = await post('/api/weight-sets/sensitivity', { weights: inForce, noise: 2 });
    expect((await noise.json()).message).toMatch(/^noise: /);
  });

  it("gives every street's rank interval, reproducibly, and each indicator's removal", async () => {
    const ask = async (seed: number) =>
      (await post('/api/weight-sets/sensitivity', { weights: publicHeavy(), period: 'live', seed })).json();
    const answer = await ask(7);
    expect(answer).toMatchObject({ period: 'live', draws: 1000, noise: 0.25, seed: 7 });
    expect(answer.streets).toHaveLength(9);
    for (const street of answer.streets) {
      expect(street.p5).toBeLessThanOrEqual(street.median);
      expect(street.median).toBeLessThanOrEqual(street.p95);
      expect(street.p5).toBeGreaterThanOrEqual(1);
      expect(street.p95).toBeLessThanOrEqual(9);
      expect(street.name.zh).toEqual(expect.any(String));
    }
    expect(await ask(7)).toEqual(answer);
    const weighted = Object.entries(publicHeavy().indicators).filter(([, w]) => w > 0);
    expect(answer.removal).toHaveLength(weighted.length);
    for (const removal of answer.removal) {
      expect(removal.name.zh).toEqual(expect.any(String));
      expect(Object.keys(removal.shifts).sort()).toEqual(server.ctx.city.streets.map((s) => s.code).sort());
    }
  });

  it('saves a draft, changes it, publishes it for next quarter, and the trail says who and why', async () => {
    const created = await post('/api/weight-sets', { name: '2027 Q1 草案', weights: inForce, note: '起草' });
    expect(created.status).toBe(201);
    const draft = await created.json();
    expect(draft.status).toBe('draft');
    const edited = await server.api(`/api/weight-sets/${draft.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '2027 Q1', weights: publicHeavy(), note: '公众评价加权' }),
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({
      name: '2027 Q1',
      weights: { blocks: { public: inForce.blocks.public * 3 } },
    });
    const published = await post(`/api/weight-sets/${draft.id}/publish`, {
      effectiveFrom: '2027-01-01',
      reason: '季度评审会议决定',
    });
    expect(published.status).toBe(200);
    expect(await published.json()).toMatchObject({ effectiveFrom: '2027-01-01', status: 'scheduled' });
    const again = await server.api(`/api/weight-sets/${draft.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'late', weights: inForce }),
    });
    expect(again.status).toBe(409);

    const leader = await server.issue('leader');
    const { events } = await (await server.api('/api/weight-sets/audit', { token: leader })).json();
    const mine = events.filter((event: { weightSetId: number }) => event.weightSetId === draft.id);
    expect(mine.map((event: { action: string }) => event.action)).toEqual(['published', 'edited', 'drafted']);
    expect(mine[0]).toMatchObject({
      name: '2027 Q1',
      actor: expect.stringContaining('admin'),
      detail: { effectiveFrom: '2027-01-01', reason: '季度评审会议决定' },
    });
    expect(mine[1].detail).toMatchObject({ note: '公众评价加权' });
  });

  it('lets a leader review but not edit, and refuses walls and streets', async () => {
    const leader = await server.issue('leader', [], 'the mayor');
    // What the workbench asks to know whether to offer editing.
    expect(await (await server.api('/api/session', { token: leader })).json()).toEqual({
      name: 'the mayor',
      role: 'leader',
      streets: [],
      permissions: ['read', 'acknowledge', 'review'],
    });
    expect((await (await server.api('/api/session')).json()).permissions).toContain('admin');
    expect((await post('/api/weight-sets/what-if', { weights: inForce }, leader)).status).toBe(200);
    expect((await post('/api/weight-sets', { name: 'x', weights: inForce }, leader)).status).toBe(403);
    for (const role of ['wall', 'street', 'officer'] as const) {
      const token = await server.issue(role, role === 'street' ? ['lianran'] : []);
      expect((await post('/api/weight-sets/what-if', { weights: inForce }, token)).status, role).toBe(403);
      expect((await post('/api/weight-sets/sensitivity', { weights: inForce }, token)).status, role).toBe(
        403,
      );
      expect((await server.api('/api/weight-sets/audit', { token })).status, role).toBe(403);
    }
  });
});
