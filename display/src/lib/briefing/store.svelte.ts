/**
 * The briefing's data, fetched once per month chosen: the published months, the chosen month's
 * report, the reports of the eleven months before it that are published (the trend and the
 * red-month ladder), the month's surveys and alerts, the catalogue and the streets. And the index
 * as recorded on a chosen past day, for the day picker.
 */
import { DEFAULT_RULES } from '$shared/alerts/rules/index.js';
import type { AlertView } from '$shared/api.js';
import type { MonthlyFigures, MonthlyReport } from '$shared/reports/monthly.js';
import type { SurveysPayload } from '$shared/surveys.js';
import { ApiFailure, getJson, type IndicatorCatalogue, type Regions } from '../api.js';
import { SvelteMap } from 'svelte/reactivity';
import { alertsOfMonth, dayRange, ladderThresholds, monthWindow, type LadderThresholds } from './model.js';

/** `GET /api/reports/monthly`. */
export interface PublishedMonth {
  month: string;
  versions: number;
  publishedAt: string;
}

/** Months of the trend, the chosen one included. */
export const TREND_MONTHS = 12;

export type BriefingStatus =
  | 'loading'
  | 'ready'
  /** No month is published yet. */
  | 'no-months'
  /** `?month=` names a month that is not published. */
  | 'not-published'
  | 'no-token'
  | 'token-refused'
  | 'forbidden'
  | 'failed';

export interface BriefingData {
  months: PublishedMonth[];
  report: MonthlyReport;
  /** Published figures by month, of the trend's window (the chosen month included). */
  published: Map<string, MonthlyFigures>;
  /** Months of the window that are not published. */
  missing: string[];
  /** null when the surveys could not be read; `surveysProblem` says why. */
  surveys: SurveysPayload | null;
  surveysProblem: string | null;
  alerts: AlertView[];
  thresholds: LadderThresholds;
  catalogue: IndicatorCatalogue;
  regions: Regions;
}

/** The index as recorded on one day: the city's and each street's last recorded value of that day. */
export interface RecordedDay {
  day: string;
  city: number | null;
  streets: { code: string; index: number | null; rank: number | null }[];
}

interface HistoryAnswer {
  points: { at: string; index: number | null; rank: number | null; provisional: boolean }[];
}

export class BriefingStore {
  status = $state<BriefingStatus>('loading');
  problem = $state<string | null>(null);
  data = $state.raw<BriefingData | null>(null);
  /** The month shown (the newest published unless asked for another). */
  month = $state<string | null>(null);
  recorded = $state.raw<RecordedDay | null>(null);
  recordedProblem = $state<string | null>(null);
  private readonly token: string | null;
  private serial = 0;

  constructor(token: string | null) {
    this.token = token;
  }

  private get<T>(path: string): Promise<T> {
    return getJson<T>(path, this.token ?? '');
  }

  /** Loads a month (null: the newest published). */
  async load(month: string | null): Promise<void> {
    const serial = ++this.serial;
    if (!this.token) {
      this.status = 'no-token';
      return;
    }
    this.status = 'loading';
    try {
      const [list, catalogue, regions] = await Promise.all([
        this.get<{ months: PublishedMonth[] }>('/api/reports/monthly'),
        this.get<IndicatorCatalogue>('/api/indicators'),
        this.get<Regions>('/api/streets'),
      ]);
      if (serial !== this.serial) return;
      const chosen = month ?? list.months[0]?.month ?? null;
      this.month = chosen;
      if (list.months.length === 0 || chosen === null) {
        this.status = 'no-months';
        return;
      }
      if (!list.months.some((m) => m.month === chosen)) {
        this.data = null;
        this.status = 'not-published';
        return;
      }
      const window = monthWindow(chosen, TREND_MONTHS);
      const inWindow = window.filter((m) => list.months.some((p) => p.month === m));
      const [reports, surveys, alerts] = await Promise.all([
        Promise.all(inWindow.map((m) => this.get<MonthlyReport>(`/api/reports/monthly/${m}`))),
        this.get<SurveysPayload>(`/api/surveys?month=${chosen}`).then(
          (payload) => ({ payload, problem: null }),
          (error: unknown) => ({
            payload: null,
            problem: error instanceof Error ? error.message : String(error),
          }),
        ),
        this.get<{ alerts: AlertView[] }>('/api/alerts?state=all&limit=1000'),
      ]);
      if (serial !== this.serial) return;
      const published = new SvelteMap(reports.map((r) => [r.month, r.figures]));
      const report = reports.find((r) => r.month === chosen)!;
      const thresholds = ladderThresholds(report, {
        warnAt: DEFAULT_RULES.redMonths.warnAt,
        interviewAt: DEFAULT_RULES.redMonths.interviewAt,
      });
      this.data = {
        months: list.months,
        report,
        published,
        missing: window.filter((m) => !published.has(m)),
        surveys: surveys.payload,
        surveysProblem: surveys.problem,
        alerts: alertsOfMonth(alerts.alerts, chosen, regions.city.timezone),
        thresholds,
        catalogue,
        regions,
      };
      this.status = 'ready';
    } catch (error) {
      if (serial !== this.serial) return;
      this.fail(error);
    }
  }

  /** The index as recorded on a local day of the city: the last snapshot of the day, city and streets. */
  async loadDay(day: string): Promise<void> {
    const data = this.data;
    if (!data) return;
    this.recordedProblem = null;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      this.recorded = null;
      return;
    }
    const { from, to } = dayRange(day, data.regions.city.timezone);
    const lastOf = (answer: HistoryAnswer) => answer.points.findLast((p) => p.index !== null) ?? null;
    const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    try {
      const [city, ...streets] = await Promise.all([
        this.get<HistoryAnswer>(`/api/index/history?${range}`),
        ...data.regions.streets.map((s) =>
          this.get<HistoryAnswer>(`/api/index/history?street=${encodeURIComponent(s.code)}&${range}`),
        ),
      ]);
      this.recorded = {
        day,
        city: lastOf(city!)?.index ?? null,
        streets: data.regions.streets.map((s, i) => {
          const last = lastOf(streets[i]!);
          return { code: s.code, index: last?.index ?? null, rank: last?.rank ?? null };
        }),
      };
    } catch (error) {
      this.recorded = null;
      this.recordedProblem = error instanceof Error ? error.message : String(error);
    }
  }

  private fail(error: unknown) {
    this.problem = error instanceof Error ? error.message : String(error);
    if (error instanceof ApiFailure && error.kind === 'token') this.status = 'token-refused';
    else if (error instanceof ApiFailure && error.kind === 'forbidden') this.status = 'forbidden';
    else this.status = 'failed';
  }
}
