/**
 * False alarms of the index-drop rule on noise alone. A street whose index only wanders around a
 * fixed level should almost never alert its head: this simulation measures how often it does for a
 * given configuration, so thresholds are chosen from a number rather than a feeling.
 *
 * The index is modelled as AR(1) noise around a level: e_t = φ·e_{t−1} + √(1−φ²)·sd·z_t, so its
 * stationary standard deviation is `noiseSd` whatever φ is, and φ = exp(−step / correlationMinutes)
 * (a rolling-window index moves slowly: one event shifts it a little, and so does one leaving the window).
 */
import { hashSeed, Rng } from '../random.js';
import { lifecycleParams, rulesFor, step, type AlertRules } from './rules/index.js';
import { BASELINE_LAG_DAYS, observeIndexDrop } from './rules/indexDrop.js';
import type { AlertState } from './types.js';

export interface NoiseOptions {
  /** Days simulated after the baseline's warm-up. */
  days: number;
  stepMinutes: number;
  /** Stationary standard deviation of the index around its level, in points. */
  noiseSd: number;
  seed: number;
  config: AlertRules;
  /** Street codes (per-street overrides apply), or how many streets; default 9. */
  streets?: number | readonly string[];
  /** Correlation time of the noise; default 60 minutes. */
  correlationMinutes?: number;
  /** The level the index wanders around; default 85. */
  level?: number;
}

export interface NoiseResult {
  /** Alerts that fired per street over the whole run. */
  alerts: Record<string, number>;
  days: number;
  /** Mean over the streets of the alerts per street per 30 days: the false-alarm rate. */
  perStreetPer30Days: number;
}

const DAY_MINUTES = 24 * 60;

/** Runs the index-drop rule (observation and lifecycle, exactly as `evaluate` does) over noise. */
export function simulateNoise(options: NoiseOptions): NoiseResult {
  const { days, stepMinutes, noiseSd, seed, config } = options;
  const streets =
    typeof options.streets === 'object'
      ? [...options.streets]
      : Array.from({ length: options.streets ?? 9 }, (_, i) => `street-${i + 1}`);
  const level = options.level ?? 85;
  const phi = Math.exp(-stepMinutes / (options.correlationMinutes ?? 60));
  const innovation = noiseSd * Math.sqrt(1 - phi * phi);
  const start = Date.UTC(2026, 0, 1);
  const alerts: Record<string, number> = {};

  streets.forEach((street, streetNumber) => {
    const rules = rulesFor(config, street);
    const params = lifecycleParams('indexDrop', rules);
    const window = Math.max(1, Math.round((rules.indexDrop.baselineDays * DAY_MINUTES) / stepMinutes));
    // The baseline leaves out the most recent day, as the server's does (BASELINE_LAG_DAYS).
    const lag = Math.round((BASELINE_LAG_DAYS * DAY_MINUTES) / stepMinutes);
    const span = window + lag;
    const steps = span + Math.round((days * DAY_MINUTES) / stepMinutes);
    const rng = new Rng(hashSeed(seed, streetNumber));
    // The last `span` values in a ring buffer; the baseline is the mean of the oldest `window` of them,
    // kept as a running sum.
    const history = new Float64Array(span);
    let sum = 0;
    let noise = noiseSd * rng.normal();
    let state: AlertState | null = null;
    let fired = 0;

    for (let t = 0; t < steps; t++) {
      noise = phi * noise + innovation * rng.normal();
      const index = level + noise;
      if (t >= span) {
        const observation = observeIndexDrop(street, index, sum / window, rules.indexDrop);
        // step(null, not a breach) is a no-op: skipping it keeps a long run fast.
        if (observation && (state !== null || observation.condition === 'breach')) {
          const result = step(state, observation, new Date(start + t * stepMinutes * 60_000), params);
          fired += result.effects.filter((e) => e.kind === 'notify' && !e.upgrade).length;
          state = result.state?.status === 'resolved' ? null : result.state;
        }
      }
      // Value t − lag enters the baseline's window, value t − span leaves it.
      if (t >= lag) sum += history[(t - lag) % span] ?? 0;
      if (t >= span) sum -= history[t % span] ?? 0;
      history[t % span] = index;
    }
    alerts[street] = fired;
  });

  const total = Object.values(alerts).reduce((a, b) => a + b, 0);
  return {
    alerts,
    days,
    perStreetPer30Days: streets.length === 0 || days <= 0 ? 0 : (total / streets.length) * (30 / days),
  };
}
