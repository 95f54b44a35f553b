import { describe, expect, it } from 'vitest';
import {
  alertRulesSchema,
  canSeeSilence,
  isSilenced,
  rulesFor,
  type Silence,
} from '../../shared/alerts/index.js';
import type { Principal } from '../../shared/roles.js';

const issuesOf = (input: unknown) =>
  (alertRulesSchema.safeParse(input).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('alert rule configuration', () => {
  it('an empty alerts section gives the complete defaults', () => {
    expect(alertRulesSchema.parse({})).toEqual({
      indexDrop: {
        enabled: true,
        points: 3,
        criticalPoints: 6,
        baselineDays: 7,
        pendingMinutes: 10,
        hysteresis: 1,
      },
      gradeDown: { enabled: true, margin: 1, pendingMinutes: 10 },
      rank: { enabled: true, k: 1, pendingMinutes: 30 },
      zeroTolerance: { enabled: true, categories: ['robbery', 'fire'], withinHours: 24 },
      feedStale: { enabled: true, minutes: 15 },
      redMonths: { enabled: true, warnAt: 3, interviewAt: 4 },
      wallDown: { enabled: true, minutes: 5 },
      repeatMinutes: 30,
      escalateMinutes: 60,
      silences: [],
      overrides: {},
    });
  });

  it("a street's override changes what it names and keeps the city's values for the rest", () => {
    const config = alertRulesSchema.parse({
      indexDrop: { pendingMinutes: 20 },
      escalateMinutes: 45,
      overrides: { jinfang: { indexDrop: { points: 4 }, rank: { k: 2 }, repeatMinutes: 15 } },
    });
    const jinfang = rulesFor(config, 'jinfang');
    expect(jinfang.indexDrop).toMatchObject({ points: 4, pendingMinutes: 20, hysteresis: 1 });
    expect(jinfang).toMatchObject({
      rank: { k: 2, pendingMinutes: 30 },
      repeatMinutes: 15,
      escalateMinutes: 45,
    });
    expect(rulesFor(config, 'lianran')).toMatchObject({
      indexDrop: { points: 3 },
      rank: { k: 1 },
      repeatMinutes: 30,
    });
    expect(rulesFor(config)).toEqual(rulesFor(config, 'lianran'));
  });

  it('refuses mistyped keys and unknown categories, naming the key path', () => {
    expect(issuesOf({ indexDrop: { pendingMinute: 5 }, zeroTolerance: { categories: ['robery'] } })).toEqual([
      expect.stringMatching(/^indexDrop: Unrecognized key: "pendingMinute"/),
      expect.stringMatching(/^zeroTolerance\.categories\.0: /),
    ]);
  });

  it("refuses thresholds that contradict each other, in the city's rules or a street's", () => {
    expect(
      issuesOf({
        indexDrop: { criticalPoints: 2 },
        redMonths: { warnAt: 4, interviewAt: 3 },
        overrides: { jinfang: { indexDrop: { points: 1 } } },
      }),
    ).toEqual([
      'indexDrop.criticalPoints: must be at least points',
      'redMonths.interviewAt: must be at least warnAt',
      'overrides.jinfang.indexDrop.hysteresis: must be below points, or the alert can never resolve',
    ]);
  });

  it('a silence covers the alerts it names, from its start until its end', () => {
    const silence: Silence = alertRulesSchema.parse({
      silences: [
        {
          rule: 'indexDrop',
          street: 'jinfang',
          startsAt: '2026-11-25T10:00:00+08:00',
          endsAt: '2026-11-25T12:00:00+08:00',
        },
      ],
    }).silences[0]!;
    const key = { rule: 'indexDrop' as const, street: 'jinfang' };
    const at = (time: string) => new Date(`2026-11-25T${time}:00+08:00`);
    expect(isSilenced([silence], key, at('09:59'))).toBe(false);
    expect(isSilenced([silence], key, at('10:00'))).toBe(true);
    expect(isSilenced([silence], key, at('11:59'))).toBe(true);
    expect(isSilenced([silence], key, at('12:00'))).toBe(false);
    expect(isSilenced([silence], { ...key, street: 'lianran' }, at('11:00'))).toBe(false);
    expect(isSilenced([silence], { ...key, rule: 'rank' }, at('11:00'))).toBe(false);
    expect(
      issuesOf({ silences: [{ startsAt: '2026-11-25T12:00:00Z', endsAt: '2026-11-25T11:00:00Z' }] }),
    ).toEqual(['silences.0.endsAt: a silence must end after it starts']);
  });

  it("a street token sees its streets' silences and the city-wide ones, not another street's or a feed's", () => {
    const token = (role: Principal['role'], streets: string[] = []): Principal => ({
      tokenId: 1,
      name: role,
      role,
      streets,
    });
    const street = token('street', ['jinfang', 'lianran']);
    expect(canSeeSilence(street, { street: 'lianran' })).toBe(true);
    expect(canSeeSilence(street, {})).toBe(true);
    expect(canSeeSilence(street, { street: 'qinglong' })).toBe(false);
    expect(canSeeSilence(street, { feed: 'fraud' })).toBe(false);
    for (const role of ['admin', 'leader', 'officer', 'wall'] as const)
      expect(canSeeSilence(token(role), { feed: 'fraud' })).toBe(true);
  });
});
