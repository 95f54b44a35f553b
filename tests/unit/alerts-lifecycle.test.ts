import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  alertRulesSchema,
  lifecycleParams,
  observeIndexDrop,
  rulesFor,
  step,
  type AlertEffect,
  type AlertState,
  type LifecycleParams,
  type Silence,
} from '../../shared/alerts/index.js';
import { Rng } from '../../shared/random.js';

const T0 = Date.parse('2026-11-25T02:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);
const BASELINE = 86.8;

/** An index-drop observation of jinfang `drop` points below its baseline, under `rules`. */
function dropOf(drop: number, config = alertRulesSchema.parse({})) {
  const observation = observeIndexDrop('jinfang', BASELINE - drop, BASELINE, rulesFor(config).indexDrop);
  if (!observation) throw new Error('expected an observation');
  return observation;
}

interface Run {
  state: AlertState | null;
  effects: AlertEffect[];
  /** Every alert id seen, in order. */
  ids: string[];
}

/**
 * Feeds a series of (minute, drop) through the lifecycle; `acks` acknowledges at the given minutes.
 */
function run(
  series: readonly (readonly [number, number])[],
  options: {
    config?: ReturnType<typeof alertRulesSchema.parse>;
    params?: Partial<LifecycleParams>;
    acks?: number[];
  } = {},
): Run {
  const config = options.config ?? alertRulesSchema.parse({});
  const params = { ...lifecycleParams('indexDrop', rulesFor(config)), ...options.params };
  let state: AlertState | null = null;
  const effects: AlertEffect[] = [];
  const ids: string[] = [];
  for (const [minute, drop] of series) {
    if (state && options.acks?.includes(minute)) {
      const result = acknowledge(state, '金方街道 李主任', '已安排巡逻', at(minute));
      if (result.ok) state = result.state;
    }
    const result = step(state, dropOf(drop, config), at(minute), params);
    state = result.state;
    effects.push(...result.effects);
    if (state && ids.at(-1) !== state.id) ids.push(state.id);
  }
  return { state, effects, ids };
}

/** Minutes 0, 5, 10, … up to `last`, all at the same drop. */
const steady = (drop: number, last: number, every = 5) =>
  Array.from({ length: Math.floor(last / every) + 1 }, (_, i) => [i * every, drop] as const);

const kinds = (effects: AlertEffect[]) => effects.map((e) => `${e.kind}@${(Date.parse(e.at) - T0) / 60_000}`);

describe('the alert lifecycle', () => {
  it('an index drop fires only after its pending period, with one notification', () => {
    const pending = run([
      [0, 4],
      [5, 4],
    ]);
    expect(pending.state?.status).toBe('pending');
    expect(pending.effects).toEqual([]);

    const fired = run(steady(4, 10));
    expect(fired.state?.status).toBe('firing');
    expect(kinds(fired.effects)).toEqual(['notify@10']);
    expect(fired.effects[0]).toMatchObject({ severity: 'warning', audience: ['street'], upgrade: false });
  });

  it('a dip that recovers before the pending period ends alerts nobody, and a new breach opens a new alert', () => {
    const { state, effects, ids } = run([
      [0, 4],
      [5, 1],
      [6, 4],
    ]);
    expect(effects).toEqual([]);
    expect(ids).toEqual([
      'indexDrop:jinfang:2026-11-25T02:00:00.000Z',
      'indexDrop:jinfang:2026-11-25T02:06:00.000Z',
    ]);
    expect(state?.status).toBe('pending');
  });

  it('a firing drop resolves only once the index is back within points − hysteresis of its baseline', () => {
    const base = steady(4, 10);
    expect(run([...base, [15, 2.5]]).state?.status).toBe('firing');
    const back = run([...base, [15, 2.5], [20, 2]]);
    expect(back.state).toMatchObject({ status: 'resolved', resolvedAt: at(20).toISOString() });
    expect(kinds(back.effects)).toEqual(['notify@10', 'resolved-notify@20']);
  });

  it('a street hovering at the threshold (sine and noise) produces one alert, not many', () => {
    const rng = new Rng(7);
    // A day at one-minute steps, the drop swinging 2.4–3.6 around the 3-point threshold.
    const series = Array.from(
      { length: 24 * 60 },
      (_, minute) => [minute, 3 + 0.45 * Math.sin(minute / 7) + 0.1 * rng.normal()] as const,
    );
    const hovering = run(series);
    expect(hovering.ids).toHaveLength(1);
    expect(hovering.effects.filter((e) => e.kind === 'notify')).toHaveLength(1);

    // The same series without hysteresis or pending period flaps: what the defaults prevent.
    const flapping = run(series, {
      config: alertRulesSchema.parse({ indexDrop: { hysteresis: 0, pendingMinutes: 0 } }),
    });
    expect(flapping.ids.length).toBeGreaterThan(20);
  });

  it('any series that never comes back within points − hysteresis makes exactly one alert', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 2.01, max: 5.9, noNaN: true }), { minLength: 12, maxLength: 200 }),
        (drops) => {
          const series = [3.5, ...drops, 3.5].map((drop, minute) => [minute, drop] as const);
          const { ids, effects } = run(series);
          expect(ids).toHaveLength(1);
          expect(effects.filter((e) => e.kind === 'notify')).toHaveLength(1);
          expect(effects.some((e) => e.kind === 'resolved-notify')).toBe(false);
        },
      ),
    );
  });

  it('repeats the notification every repeatMinutes while firing and unacknowledged', () => {
    const { effects } = run(steady(4, 100), { params: { pendingMinutes: 0, escalateMinutes: 0 } });
    expect(kinds(effects)).toEqual(['notify@0', 'repeat@30', 'repeat@60', 'repeat@90']);
  });

  it('escalates to leaders once when not acknowledged within escalateMinutes', () => {
    const { effects, state } = run(steady(4, 130), { params: { pendingMinutes: 0 } });
    const escalations = effects.filter((e) => e.kind === 'escalate');
    expect(kinds(escalations)).toEqual(['escalate@60']);
    expect(escalations[0]?.audience).toEqual(['leaders']);
    expect(state?.escalatedAt).toBe(at(60).toISOString());
  });

  it('an acknowledgement stops repeats and escalation', () => {
    const { effects, state } = run(steady(4, 200), { params: { pendingMinutes: 0 }, acks: [20] });
    expect(kinds(effects)).toEqual(['notify@0']);
    expect(state).toMatchObject({
      status: 'acknowledged',
      acknowledgement: { by: '金方街道 李主任', comment: '已安排巡逻', at: at(20).toISOString() },
    });
  });

  it('a rise to critical notifies again and reopens an acknowledged alert', () => {
    const series = [...steady(4, 30), [35, 6.5]] as const;
    const { effects, state } = run(series, { params: { pendingMinutes: 0 }, acks: [20] });
    expect(kinds(effects)).toEqual(['notify@0', 'notify@35']);
    expect(effects[1]).toMatchObject({ severity: 'critical', upgrade: true });
    expect(state?.status).toBe('firing');
  });

  it('refuses to acknowledge an alert that is resolved, pending or already acknowledged, saying why', () => {
    const resolved = run([...steady(4, 10), [15, 0]]).state!;
    const refusal = acknowledge(resolved, 'someone', 'ok', at(20));
    expect(refusal).toMatchObject({ ok: false, code: 'resolved' });
    expect(refusal.ok ? '' : refusal.reason).toContain('resolved at 2026-11-25T02:15:00.000Z');

    expect(acknowledge(run([[0, 4]]).state!, 'x', '', at(1))).toMatchObject({ ok: false, code: 'pending' });
    const acked = run(steady(4, 20), { acks: [20] }).state!;
    expect(acknowledge(acked, 'y', '', at(25))).toMatchObject({ ok: false, code: 'acknowledged' });
  });

  it('a silence withholds notifications until it ends, then sends one notify if still firing and unacknowledged', () => {
    const silences: Silence[] = [{ street: 'jinfang', endsAt: at(45).toISOString() }];
    const { effects } = run(steady(4, 120), { params: { pendingMinutes: 0, silences } });
    // Fired at 0 and due a repeat at 30, all withheld; one notify at 45; repeats and the escalation
    // then count from that notify.
    expect(kinds(effects)).toEqual(['notify@45', 'repeat@75', 'repeat@105', 'escalate@105']);
  });

  it('an alert acknowledged or resolved during its silence sends nothing when the silence ends', () => {
    const silences: Silence[] = [{ rule: 'indexDrop', endsAt: at(45).toISOString() }];
    const acked = run(steady(4, 120), { params: { pendingMinutes: 0, silences }, acks: [20] });
    expect(acked.effects).toEqual([]);
    const resolved = run([...steady(4, 30), [35, 0]], { params: { pendingMinutes: 0, silences } });
    expect(resolved.effects).toEqual([]);
    expect(resolved.state?.status).toBe('resolved');
  });

  it('a silence of another street, another rule, or one already over changes nothing', () => {
    const others: Silence[] = [
      { street: 'lianran', endsAt: at(500).toISOString() },
      { rule: 'rank', endsAt: at(500).toISOString() },
      { endsAt: at(-1).toISOString() },
      { startsAt: at(200).toISOString(), endsAt: at(500).toISOString() },
    ];
    const { effects } = run(steady(4, 40), {
      params: { pendingMinutes: 0, escalateMinutes: 0, silences: others },
    });
    expect(kinds(effects)).toEqual(['notify@0', 'repeat@30']);
  });
});
