/** The simulator over HTTP, polled the way the product polls a feed. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CityConfig } from '../../shared/city.js';
import { feedItemSchemas, FEEDS, type FeedName } from '../../shared/feeds/index.js';
import { envelopeSchema } from '../../shared/feeds/contract.js';
import { loadCityConfig } from '../../server/config/city.js';
import { loadScenario, parseScenario } from '../../server/simulator/scenario.js';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../server/simulator/server.js';

const MINUTE = 60_000;
/** 2026-11-25 10:00 in Anning: windows open, surveys under way. */
const START = Date.parse('2026-11-25T02:00:00Z');

let city: CityConfig;
let clock = START;
const running: RunningSimulator[] = [];

beforeAll(async () => {
  city = await loadCityConfig('config/anning.json');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** A simulator on a fake clock that only moves when the test says (the timer never fires). */
async function start(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  clock = START;
  const simulator = await startSimulator({
    city,
    seed: 5,
    backfillDays: 1,
    now: () => new Date(clock),
    tickMs: 3_600_000,
    ...options,
  });
  running.push(simulator);
  return simulator;
}

async function poll(simulator: RunningSimulator, feed: FeedName, since?: string, limit?: number) {
  const url = new URL(simulator.feedUrl(feed));
  if (since !== undefined) url.searchParams.set('since', since);
  if (limit !== undefined) url.searchParams.set('limit', String(limit));
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  expect(response.status).toBe(200);
  return envelopeSchema.parse(await response.json());
}

/** Every change after a cursor, page by page, as a poller would read them. */
async function drain(simulator: RunningSimulator, feed: FeedName, since?: string, limit = 997) {
  const items: { id: string; [key: string]: unknown }[] = [];
  let cursor = since;
  for (;;) {
    const page = await poll(simulator, feed, cursor, limit);
    items.push(...(page.items as typeof items));
    cursor = page.next ?? cursor;
    if (!page.hasMore) return { items, cursor };
  }
}

describe('simulator over HTTP', () => {
  it('serves valid items in every feed, and paging with since and limit drains each item exactly once', async () => {
    const simulator = await start();
    for (const feed of FEEDS) {
      const { items, cursor } = await drain(simulator, feed);
      expect(items.length).toBe(simulator.log[feed].size);
      expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
      for (const item of items.slice(0, 200)) feedItemSchemas[feed].parse(item);
      expect(cursor).toBe(String(simulator.log[feed].head));
      expect(await poll(simulator, feed, cursor)).toEqual({ items: [], next: cursor, hasMore: false });
    }
    expect(simulator.log.incident.size).toBeGreaterThan(1000);
  });

  it('delivers after the cursor only what is new or updated as time passes', async () => {
    const simulator = await start();
    const { cursor } = await drain(simulator, 'incident');
    clock += 10 * MINUTE;
    expect(simulator.tick()).toBeGreaterThan(50);
    const { items } = await drain(simulator, 'incident', cursor, 50);
    expect(items.length).toBeGreaterThan(10);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(items.some((i) => i.status === 'open')).toBe(true);
    expect(items.some((i) => i.status !== 'open' && Date.parse(i.reportedAt as string) < START)).toBe(true);
  });

  it('answers 400 naming the parameter for a bad cursor or limit, and 404 for an unknown feed', async () => {
    const simulator = await start();
    const bad = await fetch(`${simulator.feedUrl('incident')}?since=yesterday`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/since/) });
    expect((await fetch(`${simulator.feedUrl('incident')}?limit=-3`)).status).toBe(400);
    expect((await fetch(`${simulator.url}/feeds/weather`)).status).toBe(404);
  });

  it('adds exactly the spiked number of items of the category to the street', async () => {
    const simulator = await start();
    const { cursor } = await drain(simulator, 'incident');
    const response = await fetch(`${simulator.url}/control/spike`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ street: 'jinfang', category: 'theft', count: 27, seconds: 0 }),
    });
    expect(await response.json()).toEqual({ ok: true, added: 27 });
    const { items } = await drain(simulator, 'incident', cursor);
    expect(items).toHaveLength(27);
    for (const item of items)
      expect(item).toMatchObject({ street: 'jinfang', category: 'theft', status: 'open' });

    const wrong = await fetch(`${simulator.url}/control/spike`, {
      method: 'POST',
      body: JSON.stringify({ street: 'jinfang', category: 'meteor', count: 1 }),
    });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).message).toMatch(/^category: /);
  });

  it('fails a feed in each outage mode as described, and recovers when the outage ends', async () => {
    const simulator = await start();
    const check: Record<string, (url: string) => Promise<void>> = {
      error: async (url) => {
        const response = await fetch(url);
        expect(response.status).toBe(503);
        expect(await response.json()).toMatchObject({ code: 'unavailable' });
      },
      html: async (url) => {
        const response = await fetch(url);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await response.text()).toMatch(/^<!DOCTYPE html>/);
      },
      garbage: async (url) => {
        expect(await (await fetch(url)).json()).toEqual({ items: 5 });
      },
      hang: async (url) => {
        await expect(fetch(url, { signal: AbortSignal.timeout(300) })).rejects.toThrow(/timeout|aborted/i);
      },
    };
    for (const [mode, expectFailure] of Object.entries(check)) {
      const response = await fetch(`${simulator.url}/control/outage`, {
        method: 'POST',
        body: JSON.stringify({ feed: 'fraud', mode, seconds: 120 }),
      });
      expect(response.status).toBe(200);
      await expectFailure(simulator.feedUrl('fraud'));
      expect((await poll(simulator, 'incident')).items.length).toBeGreaterThan(0);
      clock += 2 * MINUTE - 1;
      await expectFailure(simulator.feedUrl('fraud'));
      clock += 1;
      expect((await poll(simulator, 'fraud', undefined, 5)).items).toHaveLength(5);
    }
  });

  it('plays the Anning demo: jinfang thefts from minute 3 to 5, then the fraud feed down from minute 5 to 7', async () => {
    const simulator = await start({
      scenario: await loadScenario('config/scenarios/anning-demo.json', city),
    });
    const { cursor } = await drain(simulator, 'incident');
    const spiked = async () =>
      (await drain(simulator, 'incident', cursor)).items.filter((i) => String(i.id).includes('-SPK'));
    clock = START + 3 * MINUTE - 1;
    simulator.tick();
    expect(await spiked()).toHaveLength(0);
    clock = START + 4 * MINUTE;
    simulator.tick();
    const halfway = (await spiked()).length;
    expect(halfway).toBeGreaterThan(10);
    clock = START + 5 * MINUTE;
    simulator.tick();
    const thefts = await spiked();
    expect(thefts.length).toBeGreaterThan(halfway);
    expect(thefts.length).toBe(80);
    for (const item of thefts) expect(item).toMatchObject({ street: 'jinfang', category: 'theft' });
    expect((await fetch(simulator.feedUrl('fraud'))).status).toBe(503);
    clock = START + 7 * MINUTE;
    expect((await fetch(simulator.feedUrl('fraud'))).status).toBe(200);
  });

  it("runs the scenario's outage from its start time for its duration", async () => {
    const scenario = parseScenario(
      { events: [{ at: '5m', kind: 'outage', feed: 'mediation', for: '2m', mode: 'garbage' }] },
      city,
    );
    const simulator = await start({ scenario });
    const body = async () => (await fetch(simulator.feedUrl('mediation'))).json();
    clock = START + 5 * MINUTE - 1;
    expect(await body()).toMatchObject({ hasMore: expect.any(Boolean) });
    clock = START + 5 * MINUTE;
    expect(await body()).toEqual({ items: 5 });
    const status = await (await fetch(`${simulator.url}/control/status`)).json();
    expect(status.feeds.mediation.outage).toMatchObject({ mode: 'garbage', source: 'scenario' });
    clock = START + 7 * MINUTE;
    expect(await body()).toMatchObject({ hasMore: expect.any(Boolean) });
  });

  it('publishes on its own timer as real time passes', async () => {
    const simulator = await start({ now: undefined, tickMs: 20, backfillDays: 0 });
    const spiked = () =>
      simulator.log.incident.page(undefined, 5000).items.filter((i) => i.id.includes('-SPK'));
    // Spread over 300 ms from now: only the timer can publish the later ones.
    simulator.spike({ street: 'qinglong', category: 'robbery', count: 10, overMs: 300 });
    expect(spiked().length).toBeLessThan(10);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(spiked()).toHaveLength(10);
  });

  it('stops promptly even with a hanging request open', async () => {
    const simulator = await start();
    simulator.outage('survey', 'hang', 60_000);
    const hanging = fetch(simulator.feedUrl('survey')).then(
      () => 'answered',
      () => 'cut off',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await simulator.stop();
    // Far from the minute the request would hang for.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await hanging).toBe('cut off');
  });
});
