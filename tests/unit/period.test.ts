import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, localDate, parsePeriod, startOfLocalDate } from '../../shared/period.js';

describe('periods', () => {
  it('reads a month as its first and last day, leap years included', () => {
    expect(parsePeriod('2024-02')).toEqual({
      period: '2024-02',
      kind: 'month',
      start: '2024-02-01',
      end: '2024-02-29',
    });
    expect(parsePeriod('2026-11-25')).toEqual({
      period: '2026-11-25',
      kind: 'day',
      start: '2026-11-25',
      end: '2026-11-25',
    });
  });

  it('says what is wrong with a malformed period', () => {
    expect(parsePeriod('2026-13')).toEqual({ error: '"2026-13" has no month 13' });
    expect(parsePeriod('2026-02-30')).toEqual({ error: '"2026-02-30" has no day 30' });
    expect(parsePeriod('Nov 2026')).toEqual({
      error: '"Nov 2026" is not a month YYYY-MM or a day YYYY-MM-DD',
    });
  });

  it('refuses a period outside 1970 to 9999, which no stored time can reach', () => {
    expect(parsePeriod('0000-01')).toEqual({ error: '"0000-01" is outside 1970-01-01 to 9999-12-31' });
    expect(parsePeriod('1969-12-31')).toEqual({ error: '"1969-12-31" is outside 1970-01-01 to 9999-12-31' });
    expect(parsePeriod('1970-01')).toMatchObject({ start: '1970-01-01', end: '1970-01-31' });
    expect(parsePeriod('9999-12-31')).toMatchObject({ period: '9999-12-31' });
    expect(parsePeriod('10000-01')).toEqual({
      error: '"10000-01" is not a month YYYY-MM or a day YYYY-MM-DD',
    });
  });

  it('reckons local dates in the city time zone', () => {
    // 17:30 UTC on the 24th is already the 25th in Anning (UTC+8).
    expect(localDate(new Date('2026-11-24T17:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-25');
    expect(localDate(new Date('2026-11-24T17:30:00Z'), 'Europe/London')).toBe('2026-11-24');
  });

  it('moves and measures dates across month ends', () => {
    expect(addDays('2026-11-25', 7)).toBe('2026-12-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-10-27', '2026-11-25')).toBe(29);
  });
});

describe('local midnight', () => {
  it('is the instant a local date begins, daylight saving included', () => {
    expect(startOfLocalDate('2026-11-25', 'Asia/Shanghai').toISOString()).toBe('2026-11-24T16:00:00.000Z');
    expect(startOfLocalDate('2026-07-01', 'Europe/London').toISOString()).toBe('2026-06-30T23:00:00.000Z');
    expect(startOfLocalDate('2026-01-01', 'Europe/London').toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
