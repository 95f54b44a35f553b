import { describe, expect, it } from 'vitest';
import { fixed, formatIndex, formatRank, formatRaw } from '../../display/src/lib/format.js';
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
