import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CityConfig } from '../../shared/city.js';
import { loadCityConfig } from '../../server/config/city.js';
import { ConfigError } from '../../server/config/env.js';
import { loadScenario, parseScenario } from '../../server/simulator/scenario.js';

let city: CityConfig;
beforeAll(async () => {
  city = await loadCityConfig('config/anning.json');
});

const spike = {
  at: '3m',
  kind: 'spike',
  feed: 'incident',
  street: 'jinfang',
  category: 'theft',
  count: 30,
  over: '2m',
};
const outage = { at: '5m', kind: 'outage', feed: 'fraud', for: '2m', mode: 'error' };

function problems(json: unknown): string[] {
  try {
    parseScenario(json, city, 'test.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('simulator scenarios', () => {
  it('reads the Anning demo: a theft spike in jinfang at 3 minutes and a fraud outage at 5', async () => {
    const scenario = await loadScenario('config/scenarios/anning-demo.json', city);
    expect(scenario.events).toEqual([
      expect.objectContaining({
        kind: 'spike',
        at: 180_000,
        over: 120_000,
        street: 'jinfang',
        category: 'theft',
      }),
      { kind: 'outage', at: 300_000, for: 120_000, feed: 'fraud', mode: 'error' },
    ]);
    // Enough thefts to drop 金方 past the default 3-point alert (about 5 points; alerts-lifecycle.test.ts),
    // not so many that it reads as a riot.
    const count = (scenario.events[0] as { count: number }).count;
    expect(count).toBeGreaterThanOrEqual(60);
    expect(count).toBeLessThanOrEqual(120);
  });

  it('turns durations into milliseconds and a spike without a feed into incidents at once', () => {
    const scenario = parseScenario({
      events: [{ at: '1.5h', kind: 'spike', street: 'bajie', category: 'vice', count: 2 }],
    });
    expect(scenario.events[0]).toEqual({
      at: 5_400_000,
      kind: 'spike',
      feed: 'incident',
      street: 'bajie',
      category: 'vice',
      count: 2,
    });
    expect(parseScenario({ events: [{ ...outage, at: '250ms', for: '90s' }] }).events[0]).toMatchObject({
      at: 250,
      for: 90_000,
    });
  });

  it('names the path and the problem of every bad event', () => {
    expect(problems({ events: [{ ...spike, at: 'soon' }] })).toEqual([
      'events.0.at: expected a duration such as 500ms, 90s, 3m or 1h',
    ]);
    expect(problems({ events: [spike, { ...outage, mode: 'explode' }] })[0]).toMatch(
      /^events\.1\.mode: .*error.*hang.*html.*garbage/,
    );
    expect(problems({ events: [{ ...spike, category: 'arson' }] })).toEqual([
      'events.0.category: "arson" is not a category of the incident feed (robbery, snatching, theft, vice, assault, fraud, dispute, traffic, fire, other)',
    ]);
    expect(
      problems({
        events: [
          { ...spike, feed: 'fraud', category: 'case' },
          { ...spike, count: 0 },
        ],
      }),
    ).toEqual([expect.stringMatching(/^events\.1\.count: /)]);
    expect(problems({ events: [{ ...spike, street: 'atlantis' }] })).toEqual([
      expect.stringMatching(/^events\.0\.street: no street "atlantis" in anning/),
    ]);
    expect(problems({ events: [{ ...outage, kind: 'flood' }] })).toEqual([
      'events.0.kind: expected an event whose kind is "spike" or "outage"',
    ]);
    expect(problems({ events: [{ ...outage, durée: '2m' }] })[0]).toMatch(/^events\.0: .*durée/);
    expect(problems([spike])[0]).toMatch(/^\(root\): /);
  });

  it('names the file when it cannot be read or is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scenario-'));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"events": [');
    await expect(loadScenario(broken, city)).rejects.toThrow(
      new RegExp(`invalid ${broken}:\\n  not valid JSON`),
    );
    await expect(loadScenario(join(dir, 'missing.json'))).rejects.toThrow(
      /missing\.json:\n {2}cannot read the file/,
    );
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ events: [{ ...outage, for: 'forever' }] }));
    await expect(loadScenario(bad, city)).rejects.toThrow(
      `invalid ${bad}:\n  events.0.for: expected a duration such as 500ms, 90s, 3m or 1h`,
    );
  });
});
