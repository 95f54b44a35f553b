import { describe, expect, it } from 'vitest';
import {
  matches,
  quietUntil,
  step,
  subscriptionSchema,
  type AlertEffect,
  type Observation,
  type QuietHours,
  type Severity,
  type Subscription,
} from '../../shared/alerts/index.js';

const problems = (input: unknown) =>
  (subscriptionSchema.safeParse(input).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

const minimal = { name: '金方街道负责人', kind: 'person', channels: [{ kind: 'socket' }] };

/** A firing alert's first notification, as the lifecycle makes it. */
function fired(observation: Observation): AlertEffect {
  const { effects } = step(null, observation, new Date('2026-11-25T02:00:00Z'), {
    pendingMinutes: 0,
    repeatMinutes: 30,
    escalateMinutes: 60,
  });
  if (effects.length !== 1) throw new Error('expected one effect');
  return effects[0]!;
}

const indexDrop = (street: string, severity: Severity = 'warning') =>
  fired({
    key: { rule: 'indexDrop', street },
    condition: 'breach',
    severity,
    detail: { rule: 'indexDrop', index: 80, baseline: 86, drop: 6, points: 3, baselineDays: 7 },
  });

const feedStale = fired({
  key: { rule: 'feedStale', street: null, feed: 'fraud' },
  condition: 'breach',
  severity: 'warning',
  detail: { rule: 'feedStale', feed: 'fraud', lastSuccessAt: null, staleMinutes: null, minutes: 15 },
});

const subscription = (fields: Partial<Subscription> = {}): Subscription =>
  subscriptionSchema.parse({ ...minimal, ...fields });

describe('subscription schema', () => {
  it('fills the defaults: street audience, every street, rule and severity, enabled', () => {
    expect(subscriptionSchema.parse(minimal)).toEqual({
      name: '金方街道负责人',
      kind: 'person',
      audiences: ['street'],
      streets: [],
      rules: [],
      severities: [],
      channels: [{ kind: 'socket', config: {} }],
      enabled: true,
    });
  });

  it('names the field and the reason of every mistake', () => {
    expect(problems({ name: '', kind: 'robot', audiences: [], channels: [] })).toEqual([
      'name: is required',
      expect.stringMatching(/^kind: .*"person"\|"group"/),
      'audiences: at least one audience is required',
      'channels: at least one channel is required',
    ]);
    expect(problems({ name: 'x', kind: 'group' })).toEqual([
      expect.stringMatching(/^channels: .*expected array/),
    ]);
    expect(
      problems({
        ...minimal,
        rules: ['indexDrop', 'theft'],
        severities: ['info'],
        channels: [{ kind: 'fax' }],
      }),
    ).toEqual([
      expect.stringMatching(/^rules\.1: .*"indexDrop"/),
      expect.stringMatching(/^severities\.0: .*"warning"\|"critical"/),
      expect.stringMatching(/^channels\.0\.kind: .*"webhook"/),
    ]);
    expect(problems({ ...minimal, phone: '13800000000' })).toEqual([expect.stringMatching(/phone/)]);
  });

  it('refuses quiet hours that are not HH:MM, or that start where they end', () => {
    expect(problems({ ...minimal, quietHours: { start: '24:00', end: '7:00' } })).toEqual([
      'quietHours.start: expected a local time HH:MM, 00:00 to 23:59',
      'quietHours.end: expected a local time HH:MM, 00:00 to 23:59',
    ]);
    expect(problems({ ...minimal, quietHours: { start: '22:00', end: '22:00' } })).toEqual([
      expect.stringMatching(/^quietHours\.end: must differ from start/),
    ]);
    expect(
      subscriptionSchema.parse({ ...minimal, quietHours: { start: '22:00', end: '07:00' } }).quietHours,
    ).toEqual({ start: '22:00', end: '07:00', critical: 'deliver' });
  });
});

describe('which alerts reach a subscription', () => {
  it("a street head hears of their own street's drops and not of other streets'", () => {
    const head = subscription({ streets: ['jinfang'] });
    expect(matches(head, indexDrop('jinfang'))).toBe(true);
    expect(matches(head, indexDrop('lianran'))).toBe(false);
    expect(matches(subscription(), indexDrop('lianran'))).toBe(true);
  });

  it('needs a shared audience: a stale feed reaches operators only', () => {
    expect(feedStale.audience).toEqual(['operators']);
    expect(matches(subscription(), feedStale)).toBe(false);
    expect(matches(subscription({ audiences: ['operators'] }), feedStale)).toBe(true);
    expect(matches(subscription({ audiences: ['leaders', 'operators'] }), indexDrop('jinfang'))).toBe(false);
  });

  it('an alert without a street reaches only subscriptions without a street filter', () => {
    expect(matches(subscription({ audiences: ['operators'], streets: ['jinfang'] }), feedStale)).toBe(false);
  });

  it('filters by rule and severity, and a disabled subscription hears nothing', () => {
    expect(matches(subscription({ rules: ['gradeDown'] }), indexDrop('jinfang'))).toBe(false);
    expect(matches(subscription({ rules: ['gradeDown', 'indexDrop'] }), indexDrop('jinfang'))).toBe(true);
    expect(matches(subscription({ severities: ['critical'] }), indexDrop('jinfang'))).toBe(false);
    expect(matches(subscription({ severities: ['critical'] }), indexDrop('jinfang', 'critical'))).toBe(true);
    expect(matches(subscription({ enabled: false }), indexDrop('jinfang'))).toBe(false);
  });
});

describe('quiet hours', () => {
  const night: QuietHours = { start: '22:00', end: '07:00', critical: 'deliver' };
  const lunch: QuietHours = { start: '12:00', end: '14:00', critical: 'deliver' };
  const shanghai = (local: string) => new Date(`${local}+08:00`);
  const until = (quiet: QuietHours | undefined, local: string, severity: Severity = 'warning') =>
    quietUntil(quiet, severity, shanghai(local), 'Asia/Shanghai')?.toISOString() ?? null;

  it('defer a warning from before midnight to the next morning, in the city time zone', () => {
    expect(until(night, '2026-11-25T23:30:00')).toBe('2026-11-25T23:00:00.000Z'); // 07:00 on the 26th in Shanghai
    expect(until(night, '2026-11-25T22:00:00')).toBe('2026-11-25T23:00:00.000Z');
  });

  it('defer a warning after midnight to the same morning', () => {
    expect(until(night, '2026-11-26T03:15:00')).toBe('2026-11-25T23:00:00.000Z');
    expect(until(night, '2026-11-26T06:59:59')).toBe('2026-11-25T23:00:00.000Z');
  });

  it('let a warning through outside quiet hours and from the minute they end', () => {
    expect(until(night, '2026-11-26T07:00:00')).toBeNull();
    expect(until(night, '2026-11-26T21:59:00')).toBeNull();
    expect(until(night, '2026-11-26T12:00:00')).toBeNull();
    expect(until(undefined, '2026-11-26T23:00:00')).toBeNull();
  });

  it('hours within one day defer until their end that day', () => {
    expect(until(lunch, '2026-11-26T12:30:00')).toBe('2026-11-26T06:00:00.000Z');
    expect(until(lunch, '2026-11-26T11:59:00')).toBeNull();
    expect(until(lunch, '2026-11-26T23:00:00')).toBeNull();
  });

  it('deliver a critical alert at once unless told to defer it too', () => {
    expect(until(night, '2026-11-25T23:30:00', 'critical')).toBeNull();
    expect(until({ ...night, critical: 'defer' }, '2026-11-25T23:30:00', 'critical')).toBe(
      '2026-11-25T23:00:00.000Z',
    );
  });

  it('are reckoned in the given time zone: the same instant is night in Shanghai and afternoon in London', () => {
    const instant = new Date('2026-11-25T15:30:00Z');
    expect(quietUntil(night, 'warning', instant, 'Asia/Shanghai')?.toISOString()).toBe(
      '2026-11-25T23:00:00.000Z',
    );
    expect(quietUntil(night, 'warning', instant, 'Europe/London')).toBeNull();
  });

  it('end at the local time after a change of clocks within the night', () => {
    // Berlin moves from UTC+1 to UTC+2 at 02:00 on 2026-03-29: 07:00 that morning is 05:00Z, not 06:00Z.
    const before = new Date('2026-03-28T22:30:00Z'); // 23:30 CET
    expect(quietUntil(night, 'warning', before, 'Europe/Berlin')?.toISOString()).toBe(
      '2026-03-29T05:00:00.000Z',
    );
  });
});
