import { describe, expect, it } from 'vitest';
import { formatTime, parseTime, type TimeSpec } from '../../shared/time-formats.js';

const SHANGHAI = 'Asia/Shanghai';
const spec = (format: TimeSpec['format'], zone = SHANGHAI): TimeSpec => ({ format, zone });
const at = (value: unknown, s: TimeSpec) => {
  const parsed = parseTime(value, s);
  return parsed instanceof Date ? parsed.toISOString() : parsed;
};

describe('time formats', () => {
  it('reads ISO with an offset as it is, and without one in the zone', () => {
    expect(at('2026-11-30T14:05:00+08:00', spec('iso'))).toBe('2026-11-30T06:05:00.000Z');
    expect(at('2026-11-30T06:05:00Z', spec('iso'))).toBe('2026-11-30T06:05:00.000Z');
    expect(at('2026-11-30 14:05:00', spec('iso'))).toBe('2026-11-30T06:05:00.000Z');
    expect(at('2026-11-30T14:05:00.250', spec('iso'))).toBe('2026-11-30T06:05:00.250Z');
    expect(at('2026-11-30', spec('iso'))).toBe('2026-11-29T16:00:00.000Z');
    expect(at('yesterday', spec('iso'))).toEqual({ error: '"yesterday" is not an ISO 8601 time' });
    expect(at('2026-02-30 10:00:00', spec('iso'))).toEqual({
      error: '"2026-02-30 10:00:00" is not a valid date and time',
    });
  });

  it('reads epoch seconds and milliseconds, as numbers or strings, and refuses a unit mistake', () => {
    expect(at(1796018700, spec('epoch_s'))).toBe('2026-11-30T06:05:00.000Z');
    expect(at('1796018700000', spec('epoch_ms'))).toBe('2026-11-30T06:05:00.000Z');
    expect(at(1796018700000, spec('epoch_s'))).toEqual({
      error: '1796018700000 is not a time in epoch seconds',
    });
    expect(at('', spec('epoch_ms'))).toEqual({ error: '"" is not a time in epoch milliseconds' });
  });

  it('reads a pattern in a named zone, daylight saving included', () => {
    expect(at('2026/11/30 14:05', spec('YYYY/MM/DD HH:mm'))).toBe('2026-11-30T06:05:00.000Z');
    expect(at('20261130140500', spec('YYYYMMDDHHmmss'))).toBe('2026-11-30T06:05:00.000Z');
    expect(at('2026-07-01 12:00:00', spec('YYYY-MM-DD HH:mm:ss', 'Europe/Berlin'))).toBe(
      '2026-07-01T10:00:00.000Z',
    );
    expect(at('2026-01-01 12:00:00', spec('YYYY-MM-DD HH:mm:ss', 'Europe/Berlin'))).toBe(
      '2026-01-01T11:00:00.000Z',
    );
    expect(at('30.11.2026', spec('YYYY-MM-DD'))).toEqual({ error: '"30.11.2026" does not match YYYY-MM-DD' });
    // A pattern of digits only may come as a number; a pattern with separators may not.
    expect(at(20261130140500, spec('YYYYMMDDHHmmss'))).toBe('2026-11-30T06:05:00.000Z');
    expect(at(20261130.5, spec('YYYYMMDD'))).toEqual({
      error: '20261130.5 is not a time (expected YYYYMMDD in Asia/Shanghai)',
    });
    expect(at(5, spec('YYYY-MM-DD'))).toEqual({
      error: '5 is not a time (expected YYYY-MM-DD in Asia/Shanghai)',
    });
  });

  it('writes an instant back the way it reads it', () => {
    const instant = new Date('2026-11-30T06:05:07.123Z');
    for (const format of ['iso', 'epoch_ms', 'YYYY-MM-DD HH:mm:ss.SSS'] as const) {
      const written = formatTime(instant, spec(format));
      expect(at(written, spec(format)), format).toBe(instant.toISOString());
    }
    expect(formatTime(instant, spec('iso'))).toBe('2026-11-30T14:05:07.123+08:00');
    expect(formatTime(instant, spec('YYYY-MM-DD HH:mm:ss'))).toBe('2026-11-30 14:05:07');
    expect(formatTime(instant, spec('epoch_s'))).toBe(1796018707);
  });
});
