import { beforeAll, describe, expect, it } from 'vitest';
import type { CityConfig } from '../../shared/city.js';
import type { Incident } from '../../shared/feeds/index.js';
import { loadCityConfig } from '../../server/config/city.js';
import { createCityModel } from '../../server/simulator/model.js';
import { parseScenario } from '../../server/simulator/scenario.js';
import { Simulation } from '../../server/simulator/simulation.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 2026-11-25 21:00 in Anning: a busy evening. */
const START = Date.parse('2026-11-25T13:00:00Z');

let city: CityConfig;
beforeAll(async () => {
  city = await loadCityConfig('config/anning.json');
});

const simulate = (options: { backfillDays?: number; scenario?: unknown } = {}) =>
  new Simulation(createCityModel(city, 11), START, {
    backfillDays: options.backfillDays ?? 0,
    scenario: options.scenario ? parseScenario(options.scenario, city) : undefined,
  });

describe('simulator simulation', () => {
  it('backfills the requested days of history at start, and nothing from the future', () => {
    const simulation = simulate({ backfillDays: 2 });
    const incidents = simulation.logs.incident.page(undefined, 5000).items;
    const reported = incidents.map((i) => Date.parse(i.reportedAt));
    expect(Math.min(...reported)).toBeLessThan(START - 2 * 24 * HOUR + HOUR);
    expect(Math.min(...reported)).toBeGreaterThanOrEqual(START - 2 * 24 * HOUR);
    expect(Math.max(...incidents.map((i) => Date.parse(i.updatedAt)))).toBeLessThanOrEqual(START);
  });

  it('publishes each change when its time comes, an update under the same id with a later updatedAt', () => {
    const simulation = simulate();
    expect(simulation.logs.incident.size).toBe(0);
    simulation.advance(START + 5 * MINUTE);
    const opened = simulation.logs.incident.page(undefined, 5000);
    expect(opened.items.length).toBeGreaterThan(5);
    const first = opened.items[0]!;
    for (const item of opened.items)
      expect(Date.parse(item.updatedAt)).toBeLessThanOrEqual(START + 5 * MINUTE);

    simulation.advance(START + 6 * HOUR);
    const later = simulation.logs.incident.page(opened.next, 5000).items;
    const again = later.find((i) => i.id === first.id) as Incident;
    expect(again.status).toBe('closed');
    expect(Date.parse(again.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
    expect(again.reportedAt).toBe(first.reportedAt);
  });

  it('ends in the same state whether time moves in one jump or in one-second ticks', () => {
    const jump = simulate();
    jump.advance(START + 20 * MINUTE);
    const ticked = simulate();
    for (let t = START; t <= START + 20 * MINUTE; t += 1000) ticked.advance(t);
    for (const feed of ['incident', 'fraud', 'survey'] as const) {
      const state = (s: Simulation) =>
        s.logs[feed]
          .page(undefined, 5000)
          .items.map((i) => JSON.stringify(i))
          .sort();
      expect(state(ticked)).toEqual(state(jump));
    }
  });

  it('fires a scenario spike at its time and spreads it over its span', () => {
    const simulation = simulate({
      scenario: {
        events: [{ at: '3m', kind: 'spike', street: 'jinfang', category: 'theft', count: 30, over: '2m' }],
      },
    });
    const spiked = () =>
      simulation.logs.incident
        .page(undefined, 5000)
        .items.filter((i) => i.id.includes('-SPK') && i.street === 'jinfang' && i.category === 'theft')
        .length;
    simulation.advance(START + 3 * MINUTE - 1);
    expect(spiked()).toBe(0);
    simulation.advance(START + 4 * MINUTE);
    expect(spiked()).toBe(15);
    simulation.advance(START + 5 * MINUTE);
    expect(spiked()).toBe(30);
  });

  it('opens and closes a scenario outage on time, and a control outage from now', () => {
    const simulation = simulate({
      scenario: { events: [{ at: '5m', kind: 'outage', feed: 'fraud', for: '2m', mode: 'error' }] },
    });
    expect(simulation.outageAt('fraud', START + 5 * MINUTE - 1)).toBeUndefined();
    expect(simulation.outageAt('fraud', START + 5 * MINUTE)?.mode).toBe('error');
    expect(simulation.outageAt('incident', START + 6 * MINUTE)).toBeUndefined();
    expect(simulation.outageAt('fraud', START + 7 * MINUTE - 1)?.mode).toBe('error');
    expect(simulation.outageAt('fraud', START + 7 * MINUTE)).toBeUndefined();
    simulation.outage('survey', 'garbage', 1000, START + HOUR);
    expect(simulation.outageAt('survey', START + HOUR + 999)?.mode).toBe('garbage');
    expect(simulation.outageAt('survey', START + HOUR + 1000)).toBeUndefined();
    expect(simulation.status(START + 6 * MINUTE).scenario).toEqual([
      expect.objectContaining({ kind: 'outage', feed: 'fraud', state: 'active' }),
    ]);
  });
});
