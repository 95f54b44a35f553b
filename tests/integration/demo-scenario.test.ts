/**
 * The demo as a person sees it, on a clock the test moves: the simulator's scripted theft spike in
 * 金方 lowers its index, and the change of the theft indicator's contribution explains most of it;
 * the fraud feed's scripted outage shows in its health.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveIndex, LiveStreet } from '../../shared/api.js';
import { explainChange } from '../../shared/index/index.js';
import type { StreetResult } from '../../shared/index/types.js';
import { loadCityConfig } from '../../server/config/city.js';
import { loadScenario } from '../../server/simulator/scenario.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MINUTE = 60_000;

const asResult = (street: LiveStreet): StreetResult => ({ ...street, grade: street.grade?.id ?? null });

describe.each(databaseTargets)('the demo scenario on $name', (target) => {
  let server: TestServer;
  let now = new Date('2026-11-25T02:00:00Z');

  beforeAll(async () => {
    const scenario = await loadScenario(
      'config/scenarios/anning-demo.json',
      await loadCityConfig('config/anning.json'),
    );
    server = await startTestServer({ target, seed: true, simulator: { scenario }, clock: () => now });
    await server.warmedUp;
  });
  afterAll(() => server?.stop());

  /** Moves the city and the server on by some minutes, polling every feed as the schedule would. */
  async function advance(minutes: number) {
    for (let m = 0; m < minutes; m++) {
      now = new Date(now.getTime() + MINUTE);
      server.simulator!.tick();
      await server.ctx.feeds.runAll();
    }
  }
  const live = async (): Promise<LiveIndex> => (await server.api('/api/index')).json();

  it('lowers 金方’s index with the theft spike, and theft explains most of the drop', async () => {
    const before = (await live()).streets.find((s) => s.code === 'jinfang')!;
    await advance(6);
    const after = (await live()).streets.find((s) => s.code === 'jinfang')!;
    const change = explainChange(asResult(before), asResult(after));
    expect(change.delta).toBeLessThan(-1);
    const [first] = change.indicators;
    expect(first!.id).toBe('theft');
    expect(first!.change / change.delta!).toBeGreaterThan(0.5);
    const theftAfter = after.indicators.find((i) => i.id === 'theft')!;
    const theftBefore = before.indicators.find((i) => i.id === 'theft')!;
    // 80 more thefts among 92,000 residents: about 8.7 per 10k more.
    expect(theftAfter.raw! - theftBefore.raw!).toBeGreaterThan(8);
  });

  it('shows the fraud feed failing during its scripted outage, and recovering after it', async () => {
    const fraud = async () =>
      (await (await server.api('/api/feeds')).json()).feeds.find((f: { feed: string }) => f.feed === 'fraud');
    // The outage runs from minute 5 to minute 7; six minutes have passed.
    expect((await fraud()).lastError).toMatch(/HTTP 503/);
    await advance(2);
    expect((await fraud()).consecutiveFailures).toBe(0);
  });
});
