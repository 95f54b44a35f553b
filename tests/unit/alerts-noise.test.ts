import { describe, expect, it } from 'vitest';
import { alertRulesSchema, simulateNoise } from '../../shared/alerts/index.js';

const defaults = alertRulesSchema.parse({});
// 9 streets × 1,500 days ≈ 450 street-months of a stationary index, at 5-minute steps.
const run = (config = defaults, noiseSd = 0.7) =>
  simulateNoise({ days: 1500, stepMinutes: 5, noiseSd, seed: 20261125, config });

describe('false alarms of the index-drop rule on noise alone', () => {
  it('the default rules alert a street on noise of sd 0.7 points less than once in 30 months (measured ≈ 0.01 per 30 days)', () => {
    const { perStreetPer30Days } = run();
    expect(perStreetPer30Days).toBeLessThan(1 / 30);
  });

  it('smaller thresholds give more false alarms', () => {
    const at = (points: number) =>
      run(alertRulesSchema.parse({ indexDrop: { points, hysteresis: Math.min(1, points / 2) } }))
        .perStreetPer30Days;
    const [two, twoAndAHalf, three] = [at(2), at(2.5), at(3)];
    expect(two).toBeGreaterThan(twoAndAHalf);
    expect(twoAndAHalf).toBeGreaterThan(three);
    // Two points is under three standard deviations: several alerts a street a month.
    expect(two).toBeGreaterThan(1);
  });

  it('without the pending period the same noise alerts several times as often', () => {
    const immediate = run(alertRulesSchema.parse({ indexDrop: { pendingMinutes: 0 } })).perStreetPer30Days;
    expect(immediate).toBeGreaterThan(2 * run().perStreetPer30Days);
  });

  it('a street twice as noisy needs its own threshold, which an override gives it', () => {
    const config = alertRulesSchema.parse({ overrides: { 'street-1': { indexDrop: { points: 4 } } } });
    const { alerts } = simulateNoise({
      days: 1500,
      stepMinutes: 5,
      noiseSd: 1,
      seed: 1,
      config,
      streets: ['street-1', 'street-2'],
    });
    expect(alerts['street-1']).toBeLessThan((alerts['street-2'] ?? 0) / 10);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const once = simulateNoise({ days: 200, stepMinutes: 5, noiseSd: 1, seed: 3, config: defaults });
    expect(simulateNoise({ days: 200, stepMinutes: 5, noiseSd: 1, seed: 3, config: defaults })).toEqual(once);
    expect(
      simulateNoise({ days: 200, stepMinutes: 5, noiseSd: 1, seed: 4, config: defaults }).alerts,
    ).not.toEqual(once.alerts);
  });
});
