/**
 * Validation of imported indicator values (indicator, street, period, value). Pure: the server parses
 * JSON or CSV into records, this decides which are good and says why the others are not.
 */
import type { CityConfig, IndicatorConfig } from './city.js';
import { parsePeriod } from './period.js';
import { streetResolver } from './streets.js';

/** One row as received: from JSON as it was, from CSV as strings. */
export type IndicatorValueRecord = Record<string, unknown>;

export interface ValidIndicatorValue {
  indicatorId: string;
  streetCode: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  value: number;
}

/** A rejected row: its line (CSV line number, or 1-based position in a JSON array) and why. */
export interface RowProblem {
  line: number;
  field: string;
  reason: string;
}

export interface ValidationOutcome {
  valid: ValidIndicatorValue[];
  problems: RowProblem[];
}

/** The largest value of a rate per 10,000 residents: ten events per resident. */
const MAX_PER_10K = 100_000;
/** The largest of any other imported value: far past any count, mean or amount per resident of a street. */
const MAX_VALUE = 1e9;

/**
 * The largest value an imported indicator can plausibly have, by what it measures (its unit for a
 * `manual` measure): 100 for a percentage, 100,000 for a rate per 10,000 residents, a billion for
 * anything else. Values are never negative. Bounded values keep every sum and score finite.
 */
export function plausibleMaximum(indicator: Pick<IndicatorConfig, 'measure' | 'unit'>): {
  max: number;
  what: string;
} {
  if (indicator.measure === 'ratio' || indicator.unit.en === '%') return { max: 100, what: 'a percentage' };
  if (indicator.measure === 'count_per_10k' || indicator.unit.en === 'per 10k')
    return { max: MAX_PER_10K, what: 'a rate per 10,000 residents' };
  const what = {
    count: 'a count',
    mean: 'a mean',
    sum_per_capita: 'an amount per resident',
    manual: 'an imported value',
  }[indicator.measure];
  return { max: MAX_VALUE, what };
}

function parseValue(raw: unknown): number | string {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : 'is not a finite number';
  if (typeof raw === 'string' && raw.trim() !== '') {
    const value = Number(raw.trim());
    return Number.isFinite(value) ? value : `"${raw}" is not a number`;
  }
  return 'is missing';
}

/**
 * Checks every record; the caller stores nothing unless `problems` is empty (all or nothing).
 * `firstLine` is the line number of the first record (2 for CSV under its header).
 */
export function validateIndicatorValues(
  records: readonly IndicatorValueRecord[],
  city: Pick<CityConfig, 'streets' | 'indicators'>,
  firstLine = 1,
): ValidationOutcome {
  const resolveStreet = streetResolver(city);
  const indicators = new Map(city.indicators.map((i) => [i.id, i]));
  const seen = new Map<string, number>();
  const valid: ValidIndicatorValue[] = [];
  const problems: RowProblem[] = [];

  records.forEach((record, position) => {
    const line = firstLine + position;
    const problem = (field: string, reason: string) => problems.push({ line, field, reason });
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      problem('(row)', 'expected an object with indicator, street, period and value');
      return;
    }
    const before = problems.length;

    const indicatorText = typeof record.indicator === 'string' ? record.indicator.trim() : '';
    const indicator = indicators.get(indicatorText);
    if (!indicatorText) problem('indicator', 'is missing');
    else if (!indicator) problem('indicator', `unknown indicator "${indicatorText}"`);

    // A division code may come as a number (530181001), from JSON as from a spreadsheet.
    const streetText =
      typeof record.street === 'string'
        ? record.street
        : typeof record.street === 'number'
          ? String(record.street)
          : '';
    const streetCode = streetText ? resolveStreet(streetText) : undefined;
    if (!streetText.trim()) problem('street', 'is missing');
    else if (!streetCode) problem('street', `unknown street "${streetText}"`);

    const periodText = typeof record.period === 'string' ? record.period : '';
    const period = periodText ? parsePeriod(periodText) : { error: 'is missing' };
    if ('error' in period) problem('period', period.error);
    else if (indicator && indicator.source !== 'manual' && period.kind !== 'month')
      // A feed's indicator is computed from its items; a whole month's figure (the month's official
      // statistics, from before the feed was connected, or a correction) stands in that month's
      // publication in place of what the items give.
      problem(
        'period',
        `${indicator.id} is computed from the ${indicator.source} feed: a value of it can be imported for a whole month (YYYY-MM) only, not "${period.period}"; send its items to /api/ingest/${indicator.source}`,
      );

    const value = parseValue(record.value);
    if (typeof value === 'string') problem('value', value);
    else if (value < 0) problem('value', `${value} is negative`);
    else if (indicator) {
      const { max, what } = plausibleMaximum(indicator);
      if (value > max)
        problem(
          'value',
          max === 100
            ? `${value} is a percentage over 100`
            : `${value} is over ${max}, the most ${what} can plausibly be`,
        );
    }

    if (
      problems.length > before ||
      !indicator ||
      !streetCode ||
      'error' in period ||
      typeof value === 'string'
    )
      return;
    const key = `${indicator.id}|${streetCode}|${period.period}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problem('(row)', `repeats line ${earlier} (same indicator, street and period)`);
      return;
    }
    seen.set(key, line);
    valid.push({
      indicatorId: indicator.id,
      streetCode,
      period: period.period,
      periodStart: period.start,
      periodEnd: period.end,
      value,
    });
  });
  return { valid, problems };
}
