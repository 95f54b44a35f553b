/**
 * The monthly publication: a month's index computed from its own data, frozen when published,
 * compared with the month before (环比) and the same month a year before (同比). A published month is
 * never recomputed; a correction is a new version with its reason.
 */
import type { Logger } from 'pino';
import { rulesFor } from '../../shared/alerts/rules/index.js';
import type { CityConfig } from '../../shared/city.js';
import type { Weights } from '../../shared/index/types.js';
import { addDays, localDate, parsePeriod, startOfLocalDate, type Period } from '../../shared/period.js';
import {
  compareMonths,
  ladderAsOf,
  monthlyFigures,
  previousMonth,
  sameMonthLastYear,
  type MonthlyFigures,
  type MonthlyReport,
  type Publication,
} from '../../shared/reports/monthly.js';
import type { LiveIndex } from '../../shared/api.js';
import { DomainError } from '../domain-errors.js';
import type { EventSink } from '../events.js';
import type { PublishedMonth, ReportRepository } from '../repositories/reports.js';

/** Why a month cannot be published (yet), in a sentence. */
export class MonthNotOverError extends DomainError {
  constructor(message: string) {
    super('month_not_over', message);
  }
}

/** A month that has not been published, or has no such version. */
export class NotPublishedError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export interface ReportDeps {
  reports: ReportRepository;
  /** The index of a calendar month, and the weights of the set it used. */
  index: { month(period: Period): Promise<{ index: LiveIndex; weights: Weights }> };
  city: CityConfig;
  clock: () => Date;
  logger: Logger;
  /** Told `month.published` after a month is published (or corrected). */
  events: EventSink;
}

const publication = (row: PublishedMonth): Publication => ({
  version: row.version,
  reason: row.reason,
  publishedBy: row.publishedBy,
  publishedAt: row.publishedAt.toISOString(),
  hash: row.hash,
});

export class ReportService {
  private readonly population: Map<string, number>;

  constructor(private readonly deps: ReportDeps) {
    this.population = new Map(deps.city.streets.map((s) => [s.code, s.population]));
  }

  /** A month as a period; throws a sentence for anything else. */
  static period(text: string): Period {
    const period = parsePeriod(text);
    if ('error' in period) throw new RangeError(period.error);
    if (period.kind !== 'month') throw new RangeError(`"${text}" is a day; expected a month, YYYY-MM`);
    return period;
  }

  /** Whether a month is over in the city's time zone, and if not, when it will be. */
  private monthEnd(period: Period): Date {
    return startOfLocalDate(addDays(period.end, 1), this.deps.city.city.timezone);
  }

  private refuseUnlessOver(period: Period): void {
    const end = this.monthEnd(period);
    const now = this.deps.clock();
    if (end <= now) return;
    const start = startOfLocalDate(period.start, this.deps.city.city.timezone);
    const state = start > now ? 'is in the future' : 'is still running';
    throw new MonthNotOverError(
      `${period.period} ${state}: it can be published once it is over, from ${addDays(period.end, 1)} 00:00 (${this.deps.city.city.timezone})`,
    );
  }

  /** The figures of a month computed now from its data, unpublished. */
  async compute(period: Period): Promise<MonthlyFigures> {
    const { index, weights } = await this.deps.index.month(period);
    return monthlyFigures(period.period, index, weights, this.population);
  }

  /**
   * Publishes a month that is over: the first time, or as a correction when a reason is given.
   * Publishing a published month again without a reason changes nothing.
   */
  async publish(
    period: Period,
    by: string,
    reason: string | null = null,
  ): Promise<{ publication: Publication; created: boolean }> {
    this.refuseUnlessOver(period);
    const known = reason === null ? (await this.deps.reports.versions(period.period))[0] : undefined;
    if (known) return { publication: publication(known), created: false };
    const figures = await this.compute(period);
    const { row, created } = await this.deps.reports
      .publish(figures, by, this.deps.clock(), reason)
      .catch(async (error: unknown) => {
        // Another node published the same month first: theirs stands.
        const [first] = reason === null ? await this.deps.reports.versions(period.period) : [];
        if (first) return { row: first, created: false };
        throw error;
      });
    if (created) {
      this.deps.logger.info(
        { month: period.period, version: row.version, reason, by, hash: row.hash },
        row.version === 1 ? 'month published' : 'month corrected',
      );
      await this.deps.events.emit('month.published', { month: period.period });
    }
    return { publication: publication(row), created };
  }

  /** Publishes the month before `now`'s, when it is not published yet (the job on the 1st). */
  async publishPrevious(by = 'schedule'): Promise<Publication | null> {
    const today = localDate(this.deps.clock(), this.deps.city.city.timezone).slice(0, 7);
    const period = ReportService.period(previousMonth(today));
    const { publication: published, created } = await this.publish(period, by);
    return created ? published : null;
  }

  /**
   * A published month (its latest version, or `version`) with its versions, 环比 and 同比; or with
   * `draft`, the month computed now (a running month so far), compared with published months.
   */
  async report(period: Period, options: { draft?: boolean; version?: number } = {}): Promise<MonthlyReport> {
    const month = period.period;
    const against = [previousMonth(month), sameMonthLastYear(month)];
    const [versions, earlier, grades] = await Promise.all([
      this.deps.reports.versions(month),
      this.deps.reports.latest(against),
      this.deps.reports.grades(),
    ]);
    let figures: MonthlyFigures;
    let shown: PublishedMonth | null = null;
    if (options.draft) {
      const start = startOfLocalDate(period.start, this.deps.city.city.timezone);
      if (start > this.deps.clock())
        throw new MonthNotOverError(`${month} is in the future: it has no data yet`);
      figures = await this.compute(period);
    } else {
      if (versions.length === 0)
        throw new NotPublishedError(
          `${month} is not published; publish it with POST /api/reports/monthly/${month}/publish, or see a preview with ?draft=1`,
        );
      shown =
        options.version === undefined
          ? versions.at(-1)!
          : (versions.find((v) => v.version === options.version) ?? null);
      if (!shown)
        throw new NotPublishedError(`${month} has no version ${options.version} (it has ${versions.length})`);
      figures = shown.figures;
    }
    const [mom, yoy] = against.map((other) =>
      compareMonths(figures, earlier.get(other)?.figures ?? null, other),
    );
    return {
      month,
      status: shown ? 'published' : 'draft',
      complete: this.monthEnd(period) <= this.deps.clock(),
      publication: shown ? publication(shown) : null,
      versions: versions.map(publication),
      figures,
      monthOnMonth: mom!,
      yearOnYear: yoy!,
      ladder: ladderAsOf(
        month,
        grades,
        figures.streets.map((s) => s.code),
        [...this.deps.city.grades].sort((a, b) => a.min - b.min)[0]?.id,
        (street) => rulesFor(this.deps.city.alerts, street).redMonths,
      ),
    };
  }

  async months() {
    return this.deps.reports.months();
  }

  /** Each street's grade in every published month: what the red-month ladder counts. */
  async grades() {
    return this.deps.reports.grades();
  }
}
