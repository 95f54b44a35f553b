import { describe, expect, it } from 'vitest';
import {
  fixed,
  formatAge,
  formatClock,
  formatCount,
  formatDate,
  formatHourMinute,
  formatIndex,
  formatMinutes,
  formatPercent,
  formatRank,
  formatRaw,
  formatYuan,
  secondsBetween,
} from '../../display/src/lib/format.js';
import { axisStart, barScale, barWidth } from '../../display/src/lib/scale.js';

describe('numbers as the wall prints them', () => {
  it('prints every unknown value as a dash, never undefined or NaN', () => {
    for (const value of [null, undefined, NaN, Infinity, -Infinity]) {
      expect(formatIndex(value)).toBe('—');
      expect(formatRank(value)).toBe('—');
      expect(formatRaw(value, 'ratio')).toBe('—');
    }
  });

  it('rounds indices to one decimal and never prints −0.0', () => {
    expect(formatIndex(85.2350155)).toBe('85.2');
    expect(fixed(-0.0001, 1)).toBe('0.0');
  });

  it('gives each measure sensible decimals', () => {
    expect(formatRaw(96.43, 'ratio')).toBe('96.4');
    expect(formatRaw(3, 'count')).toBe('3');
    expect(formatRaw(0.10869, 'count_per_10k')).toBe('0.11');
    expect(formatRaw(12.34, 'mean')).toBe('12.3');
    expect(formatRaw(4.567, 'mean')).toBe('4.57');
  });
});

describe('ranking bars', () => {
  it('start the axis at a round value below the lowest street', () => {
    expect(axisStart([78.6, 92.1, 85])).toBe(70);
    expect(axisStart([null])).toBe(0);
    expect(axisStart([3])).toBe(0);
  });

  it('draw an index as a share of the track, clamped, and nothing for an unknown index', () => {
    const scale = barScale([78.6, 92.1]);
    expect(barWidth(scale, 100)).toBe(100);
    expect(barWidth(scale, 85)).toBeCloseTo(50, 9);
    expect(barWidth(scale, 40)).toBe(0);
    expect(barWidth(scale, null)).toBe(0);
  });
});

describe('figures of the operations panels', () => {
  it('print ages in their largest whole unit', () => {
    expect(formatAge(3.7, 'en')).toBe('3 s');
    expect(formatAge(300, 'en')).toBe('5 min');
    expect(formatAge(7300, 'en')).toBe('2 h');
    expect(formatAge(3 * 86_400, 'en')).toBe('3 d');
    expect(formatAge(300, 'zh')).toBe('5 分钟');
    expect(formatAge(-2, 'zh')).toBe('0 秒');
  });

  it('print yuan in 万 for Chinese and k for English', () => {
    expect(formatYuan(23_500, 'zh')).toBe('¥2.35万');
    expect(formatYuan(860, 'zh')).toBe('¥860');
    expect(formatYuan(23_500, 'en')).toBe('¥23.5k');
    expect(formatYuan(2_500_000, 'en')).toBe('¥2.50M');
    expect(formatYuan(120_000_000, 'zh')).toBe('¥1.20亿');
  });

  it('print counts, shares and minutes, and a dash for anything unknown', () => {
    expect(formatCount(1234.4)).toBe('1,234');
    expect(formatPercent(96.44)).toBe('96.4%');
    expect(formatMinutes(12.34, 'zh')).toBe('12.3 分钟');
    for (const value of [null, undefined, NaN, Infinity]) {
      expect(formatAge(value, 'zh')).toBe('—');
      expect(formatYuan(value, 'zh')).toBe('—');
      expect(formatCount(value)).toBe('—');
      expect(formatPercent(value)).toBe('—');
      expect(formatMinutes(value, 'en')).toBe('—');
    }
  });

  it('print times in the city’s time zone', () => {
    const at = '2026-11-25T04:05:06Z';
    expect(formatClock(at, 'Asia/Shanghai')).toBe('12:05:06');
    expect(formatHourMinute(at, 'Asia/Shanghai')).toBe('12:05');
    expect(formatDate('2026-11-25T17:00:00Z', 'Asia/Shanghai')).toBe('2026-11-26');
    expect(formatClock('garbage', 'Asia/Shanghai')).toBe('—');
    expect(secondsBetween('2026-11-25T04:00:00Z', '2026-11-25T04:01:00Z')).toBe(60);
    expect(secondsBetween(null, 0)).toBeNull();
  });
});
