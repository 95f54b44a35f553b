/**
 * Where a street stands on the red-month ladder, for its page: the latest published month's report,
 * read with the page's token when the page opens and again every hour (months are published once a
 * month). No published month yet, and a failed reading, are said as such.
 */
import type { LadderStanding, MonthlyReport } from '$shared/reports/monthly.js';
import { getJson } from './api.js';

export type LadderStatus = 'loading' | 'ready' | 'none-published' | 'failed';

export const LADDER_REFRESH_MS = 60 * 60_000;

export class RedMonths {
  status = $state<LadderStatus>('loading');
  month = $state<string | null>(null);
  standing = $state.raw<LadderStanding | null>(null);
  problem = $state<string | null>(null);

  readonly #street: string;
  readonly #token: string | null;
  readonly #fetch: typeof fetch;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(street: string, token: string | null, fetchImpl?: typeof fetch) {
    this.#street = street;
    this.#token = token?.trim() || null;
    this.#fetch = fetchImpl ?? ((input, init) => fetch(input, init));
  }

  async load(): Promise<void> {
    if (!this.#token) {
      this.status = 'failed';
      this.problem = 'no token';
      return;
    }
    try {
      const { months } = await getJson<{ months: { month: string }[] }>(
        '/api/reports/monthly',
        this.#token,
        this.#fetch,
      );
      const latest = months[0]?.month;
      if (!latest) {
        this.status = 'none-published';
        return;
      }
      const report = await getJson<MonthlyReport>(`/api/reports/monthly/${latest}`, this.#token, this.#fetch);
      this.month = report.month;
      this.standing = report.ladder.find((l) => l.code === this.#street) ?? null;
      this.problem = null;
      this.status = 'ready';
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      this.status = 'failed';
    }
  }

  start(): void {
    if (this.#timer) return;
    void this.load();
    this.#timer = setInterval(() => void this.load(), LADDER_REFRESH_MS);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

export const LADDER_WORDS = {
  zh: {
    title: '连续红色月份',
    loading: '正在读取月度发布…',
    none: '尚无已发布的月份',
    failed: '月度发布读取失败',
    asOf: (month: string) => `截至 ${month} 发布`,
    months: (n: number) => `连续 ${n} 个月处于最低等级`,
    clear: '最近一个发布月份不在最低等级',
    steps: (warnAt: number, interviewAt: number) => [
      `满 ${warnAt} 个月：约谈预警`,
      `满 ${interviewAt} 个月：约谈`,
    ],
    step: { none: '未达预警', warning: '已发约谈预警', interview: '启动约谈' },
  },
  en: {
    title: 'Red months in a row',
    loading: 'Reading the monthly publication…',
    none: 'No month published yet',
    failed: 'Could not read the monthly publication',
    asOf: (month: string) => `As published for ${month}`,
    months: (n: number) => `${n} month${n === 1 ? '' : 's'} in a row at the lowest grade`,
    clear: 'The latest published month is not at the lowest grade',
    steps: (warnAt: number, interviewAt: number) => [
      `${warnAt} months: warning notice`,
      `${interviewAt} months: leaders' interview`,
    ],
    step: { none: 'below the warning step', warning: 'warning notice sent', interview: "leaders' interview" },
  },
} as const;
