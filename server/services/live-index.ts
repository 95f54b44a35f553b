/**
 * The live index. Raw values are held in memory and refreshed from the database as things change:
 * manual values after an import, a feed's indicators for the streets a batch touched, everything
 * once a minute as windows slide. Reading the index is then pure computation.
 */
import type { Logger } from 'pino';
import type { CityConfig, IndicatorConfig } from '../../shared/city.js';
import { FEEDS, type FeedName } from '../../shared/feeds/index.js';
import {
  computeIndex,
  gradeOf,
  measureValue,
  previewWeights,
  weightSetInForce,
} from '../../shared/index/index.js';
import type { LiveIndex } from '../../shared/api.js';
import type { IndicatorSpec, RawValues, StreetSpec, WeightSet } from '../../shared/index/types.js';
import { addDays, localDate, startOfLocalDate, type Period } from '../../shared/period.js';
import type { Db } from '../db/client.js';
import { DomainError } from '../domain-errors.js';
import type { EventSink } from '../events.js';
import { adapterOf } from '../feeds/registry.js';
import {
  computeFeedAggregates,
  type AggregateSpan,
  type FeedAggregates,
} from '../indicators/feed-aggregates.js';
import type { IndicatorValueRepository, IndicatorValueRow } from '../repositories/indicator-values.js';
import type { WeightSetRepository, WeightSetRow } from '../repositories/weight-sets.js';

export class NoWeightSetError extends DomainError {
  constructor(date: string) {
    super('no_weight_set', `no weight set is in force on ${date}`);
  }
}

export const toWeightSet = (row: WeightSetRow): WeightSet => ({
  id: row.id,
  name: row.name,
  effectiveFrom: row.effectiveFrom,
  weights: row.weights,
});

/** Whether each feed is stale now; indicators of a stale feed are flagged. */
export type FeedStaleness = (feed: FeedName) => boolean;

export interface LiveIndexDeps {
  city: CityConfig;
  db: Db;
  values: IndicatorValueRepository;
  weightSets: WeightSetRepository;
  /** Absent: no feed is ever stale. */
  feedStale?: FeedStaleness;
  logger?: Pick<Logger, 'error'>;
  /** Where `index.changed` is said; absent, nobody is told. */
  events?: EventSink;
}

/** Everything the engine needs about one moment: raw values, and where each came from. */
interface RawState {
  manual: IndicatorValueRow[];
  feeds: Map<FeedName, FeedAggregates>;
  /** Values imported for a month of indicators a feed computes: they stand in place of the feed's. */
  imported?: IndicatorValueRow[];
}

export class LiveIndexService {
  private streetSpecs!: StreetSpec[];
  private indicatorSpecs!: IndicatorSpec[];
  private population!: Map<string, number>;
  private state: RawState = { manual: [], feeds: new Map() };
  /** Feeds with at least one stored item: before that their indicators are unknown, not zero. */
  private readonly feedsWithData = new Set<FeedName>();
  private weightSetCache: Promise<WeightSet[]> | null = null;
  private refreshing: Promise<void> = Promise.resolve();
  private readonly city: CityConfig;
  private readonly db: Db;
  private readonly values: IndicatorValueRepository;
  private readonly weightSets: WeightSetRepository;
  private readonly feedStale: FeedStaleness;
  private readonly logger?: Pick<Logger, 'error'>;
  private readonly events?: EventSink;

  constructor(deps: LiveIndexDeps) {
    const { city } = deps;
    this.city = city;
    this.db = deps.db;
    this.values = deps.values;
    this.weightSets = deps.weightSets;
    this.feedStale = deps.feedStale ?? (() => false);
    this.logger = deps.logger;
    this.events = deps.events;
    this.derive();
  }

  /** What the engine needs of the configuration, taken from it again when it changes. */
  private derive(): void {
    const { city } = this;
    this.streetSpecs = city.streets.map(({ code, population }) => ({ code, population }));
    this.indicatorSpecs = city.indicators.map(({ id, block, measure, smoothing, normalisation }) => ({
      id,
      block,
      measure,
      smoothing,
      normalisation,
    }));
    this.population = new Map(city.streets.map((s) => [s.code, s.population]));
  }

  /**
   * The configuration changed (populations, goalposts, windows, rules): everything is derived and
   * read again, and the index recomputed, as at start.
   */
  async reconfigure(now: Date): Promise<void> {
    this.derive();
    await this.refreshAll(now);
  }

  /** The local date of an instant in the city's time zone. */
  today(at: Date): string {
    return localDate(at, this.city.city.timezone);
  }

  invalidateWeightSets(): void {
    this.weightSetCache = null;
    this.changed();
  }

  /** Says `index.changed` whenever the values in memory (or the weight sets) change. */
  private changed(): void {
    void this.events?.emit('index.changed', {});
  }

  async setInForce(date: string): Promise<WeightSet> {
    const read = (this.weightSetCache ??= this.weightSets.list().then((rows) => rows.map(toWeightSet)));
    // A read that failed (the database away for a moment) is not kept: the next call reads again.
    const sets = await read.catch((error: unknown) => {
      if (this.weightSetCache === read) this.weightSetCache = null;
      throw error;
    });
    const set = weightSetInForce(sets, date);
    if (!set) throw new NoWeightSetError(date);
    return set;
  }

  /**
   * Refreshes run one after another, so that a read begun earlier (a full refresh) never overwrites
   * what a later one stored (a batch's streets): each reads after the one before has applied.
   */
  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.refreshing.then(work, work);
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  /** Re-reads everything: manual values as of today and every feed's indicators for every street. */
  refreshAll(at: Date): Promise<void> {
    return this.serially(async () => {
      this.state = await this.readState(at);
      for (const [feed, aggregates] of this.state.feeds)
        if ([...aggregates.values()].some((perStreet) => perStreet.size > 0)) this.feedsWithData.add(feed);
      this.changed();
    });
  }

  refreshManual(at: Date): Promise<void> {
    return this.serially(async () => {
      this.state = { ...this.state, manual: await this.manualAsOf(at) };
      this.changed();
    });
  }

  /** Recomputes one feed's indicators for the streets a batch touched. */
  refreshFeed(feed: FeedName, at: Date, streets: ReadonlySet<string>): Promise<void> {
    if (streets.size === 0) return Promise.resolve();
    return this.serially(async () => {
      this.feedsWithData.add(feed);
      const fresh = await this.aggregates(feed, at, [...streets]);
      const merged: FeedAggregates = new Map(this.state.feeds.get(feed) ?? []);
      for (const [indicator, perStreet] of fresh)
        merged.set(indicator, new Map([...(merged.get(indicator) ?? []), ...perStreet]));
      this.state = { ...this.state, feeds: new Map(this.state.feeds).set(feed, merged) };
      this.changed();
    });
  }

  /** The live index from the values in memory. */
  async current(at: Date): Promise<LiveIndex> {
    const date = this.today(at);
    return this.present(at, date, this.state, await this.setInForce(date), this.feedStale);
  }

  /** The index as it stood at a past instant, read afresh from the database. */
  async asOf(at: Date): Promise<LiveIndex> {
    const date = this.today(at);
    const [state, set] = await Promise.all([this.readState(at), this.setInForce(date)]);
    return this.present(at, date, state, set, () => false);
  }

  /**
   * The index of a calendar month from the month's own data: events of the month (each feed's
   * indicators over the month, not their rolling windows), the values imported for the month, under
   * the weight set in force on its last day — or, for a month before any set took effect, the first
   * set to take effect (the figures name the set they used). A feed with no item in the month has its
   * indicators missing, not zero. A value imported for the month of an indicator a feed computes (the
   * month's official statistics) stands in place of what the feed's items give.
   */
  async month(period: Period): Promise<{ index: LiveIndex; weights: WeightSet['weights'] }> {
    const { timezone } = this.city.city;
    const span = {
      from: startOfLocalDate(period.start, timezone),
      to: startOfLocalDate(addDays(period.end, 1), timezone),
    };
    const [values, set, ...feeds] = await Promise.all([
      this.values.ofPeriod(period.period),
      this.setInForce(period.end).catch(async (error: unknown) => {
        if (!(error instanceof NoWeightSetError)) throw error;
        const first = (await this.weightSets.list())
          .filter((set) => set.effectiveFrom !== null)
          .sort((a, b) => a.effectiveFrom!.localeCompare(b.effectiveFrom!) || a.id - b.id)[0];
        if (!first) throw error;
        return toWeightSet(first);
      }),
      ...FEEDS.map((feed) => this.aggregates(feed, span)),
    ]);
    const manual = this.manualOnly(values);
    const imported = values.filter((row) => this.indicatorById(row.indicatorId)?.source !== 'manual');
    const state: RawState = { manual, imported, feeds: new Map(FEEDS.map((feed, i) => [feed, feeds[i]!])) };
    const withData = new Set(
      FEEDS.filter((feed) => [...state.feeds.get(feed)!.values()].some((perStreet) => perStreet.size > 0)),
    );
    return {
      index: this.present(span.to, period.end, state, set, () => false, withData),
      weights: set.weights,
    };
  }

  /**
   * What the quarterly review computes a draft on, live: the values in memory now, the engine's
   * streets and indicators, and the set in force today.
   */
  async liveBasis(now: Date) {
    const date = this.today(now);
    const inForce = await this.setInForce(date);
    return {
      date,
      streets: this.streetSpecs,
      indicators: this.indicatorSpecs,
      raw: this.rawValues(this.state),
      grades: this.city.grades,
      inForce,
    };
  }

  /** The indicators as the engine reads them, for a review of a published month's values. */
  engineIndicators(): readonly IndicatorSpec[] {
    return this.indicatorSpecs;
  }

  /**
   * A weight set applied to the values as they stood at the end of a period (or now, for a period
   * not over yet), beside the set then in force.
   */
  async preview(draft: WeightSet, periodEnd: string, now: Date) {
    const end = startOfLocalDate(addDays(periodEnd, 1), this.city.city.timezone);
    const at = end < now ? end : now;
    const [state, current] = await Promise.all([this.readState(at), this.setInForce(periodEnd)]);
    const result = previewWeights({
      streets: this.streetSpecs,
      indicators: this.indicatorSpecs,
      raw: this.rawValues(state),
      grades: this.city.grades,
      current: current.weights,
      draft: draft.weights,
    });
    const names = new Map(this.city.streets.map((s) => [s.code, s.name]));
    const draftByCode = new Map(result.draft.streets.map((s) => [s.code, s]));
    const shiftByCode = new Map(result.rankShift.map((s) => [s.code, s.shift]));
    return {
      current: { id: current.id, name: current.name, city: result.current.city },
      draft: { id: draft.id, name: draft.name, city: result.draft.city },
      streets: result.current.streets.map((street) => ({
        code: street.code,
        name: names.get(street.code),
        current: { index: street.index, rank: street.rank },
        draft: {
          index: draftByCode.get(street.code)?.index ?? null,
          rank: draftByCode.get(street.code)?.rank ?? null,
        },
        /** Positive: the draft moves the street up. */
        rankShift: shiftByCode.get(street.code) ?? null,
      })),
      meanAbsoluteRankShift: result.meanAbsoluteRankShift,
    };
  }

  /** Everything as of an instant. A feed that cannot be read leaves its indicators missing, not the rest. */
  private async readState(at: Date): Promise<RawState> {
    const [manual, ...feeds] = await Promise.all([
      this.manualAsOf(at),
      ...FEEDS.map((feed) =>
        this.aggregates(feed, at).catch((error: unknown): FeedAggregates => {
          this.logger?.error({ err: error, feed }, 'the indicators of a feed could not be computed');
          return new Map();
        }),
      ),
    ]);
    return { manual, feeds: new Map(FEEDS.map((feed, i) => [feed, feeds[i]!])) };
  }

  /** The latest values of the manual indicators as of an instant (a feed's monthly imports are not live values). */
  private async manualAsOf(at: Date): Promise<IndicatorValueRow[]> {
    return this.manualOnly(await this.values.latestAsOf(this.today(at)));
  }

  private manualOnly(rows: IndicatorValueRow[]): IndicatorValueRow[] {
    return rows.filter((row) => this.indicatorById(row.indicatorId)?.source === 'manual');
  }

  private aggregates(feed: FeedName, at: AggregateSpan, streets?: string[]): Promise<FeedAggregates> {
    return computeFeedAggregates(
      this.db,
      adapterOf(feed),
      this.city.indicators,
      at,
      streets,
      (indicator, error) =>
        this.logger?.error({ err: error, feed, indicator }, 'an indicator could not be computed'),
    );
  }

  /** Raw values of a state; a feed's indicators count only once the feed has data (`withData`). */
  private rawValues(state: RawState, withData: ReadonlySet<FeedName> = this.feedsWithData): RawValues {
    const raw: RawValues = {};
    for (const row of state.manual) (raw[row.streetCode] ??= {})[row.indicatorId] = row.value;
    for (const [feed, aggregates] of state.feeds) {
      if (!withData.has(feed)) continue;
      for (const [indicatorId, perStreet] of aggregates) {
        const indicator = this.indicatorById(indicatorId)!;
        for (const [street, input] of perStreet)
          (raw[street] ??= {})[indicatorId] = measureValue(
            indicator.measure,
            input,
            this.population.get(street) ?? 0,
          );
      }
    }
    for (const row of state.imported ?? []) (raw[row.streetCode] ??= {})[row.indicatorId] = row.value;
    return raw;
  }

  private indicatorById(id: string): IndicatorConfig | undefined {
    return this.city.indicators.find((i) => i.id === id);
  }

  private present(
    at: Date,
    date: string,
    state: RawState,
    set: WeightSet,
    feedStale: FeedStaleness,
    withData?: ReadonlySet<FeedName>,
  ): LiveIndex {
    const result = computeIndex({
      streets: this.streetSpecs,
      indicators: this.indicatorSpecs,
      weights: set.weights,
      raw: this.rawValues(state, withData),
      grades: this.city.grades,
    });
    const valueByKey = new Map(
      [...state.manual, ...(state.imported ?? [])].map((row) => [
        `${row.streetCode}|${row.indicatorId}`,
        row,
      ]),
    );
    const config = new Map(this.city.indicators.map((i) => [i.id, i]));
    const streetConfig = new Map(this.city.streets.map((s) => [s.code, s]));
    return {
      at: at.toISOString(),
      date,
      city: result.city,
      cityGrade: gradeOf(result.city, this.city.grades),
      weightSet: { id: set.id, name: set.name, effectiveFrom: set.effectiveFrom },
      streets: result.streets.map((street) => ({
        code: street.code,
        name: streetConfig.get(street.code)!.name,
        index: street.index,
        grade: gradeOf(street.index, this.city.grades),
        rank: street.rank,
        provisional: street.provisional,
        blocks: street.blocks,
        indicators: street.indicators.map((indicator) => {
          const source = config.get(indicator.id)!;
          const row = valueByKey.get(`${street.code}|${indicator.id}`);
          const stale =
            source.source === 'manual'
              ? row !== undefined && addDays(row.periodEnd, source.windowDays) < date
              : feedStale(source.source);
          return {
            id: indicator.id,
            raw: indicator.raw,
            smoothed: indicator.smoothed ?? indicator.raw,
            score: indicator.score,
            contribution: indicator.contribution,
            pointsLost: indicator.pointsLost,
            period: row?.period ?? null,
            stale,
          };
        }),
      })),
    };
  }
}
