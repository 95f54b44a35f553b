/**
 * The wall in Chromium for the browser bench: opened at 1920×1080 with the wall token, watched from
 * inside the page (each change of `data-seq`, long tasks), measured through the DevTools protocol
 * (the main thread's task time, the heap after a forced GC, DOM nodes and listeners, the CPU time
 * of Chromium's processes).
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import { sleep, within } from './wait.js';

const FULL_HD = { width: 1920, height: 1080 };

/**
 * Installed before the wall's own scripts (a string: functions would be serialised with the
 * helpers tsx adds to them). Counts each change of the wall's `data-seq` (a delta or snapshot
 * applied), and long tasks (the Long Tasks API: tasks over 50 ms); `reached(seq)` resolves once the
 * wall shows `seq` or later. Counters only, nothing kept per event: the soak reads this page's heap.
 */
const WATCH = `(() => {
  const bench = { applied: 0, longTasks: 0, longest: 0, waiters: [] };
  const seq = () => {
    const wall = document.querySelector('[data-testid="wall"]');
    return wall ? Number(wall.getAttribute('data-seq')) : NaN;
  };
  bench.read = () => ({ applied: bench.applied, longTasks: bench.longTasks, longest: bench.longest, seq: seq() });
  bench.resetLongTasks = () => { bench.longTasks = 0; bench.longest = 0; };
  bench.reached = (target) => new Promise((resolve) => {
    if (seq() >= target) resolve(seq());
    else bench.waiters.push({ target, resolve });
  });
  new MutationObserver((records) => {
    for (const record of records) if (record.attributeName === 'data-seq') bench.applied++;
    const now = seq();
    bench.waiters = bench.waiters.filter((waiter) => now >= waiter.target ? (waiter.resolve(now), false) : true);
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-seq'] });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration > 50) bench.longTasks++;
      bench.longest = Math.max(bench.longest, entry.duration);
    }
  }).observe({ type: 'longtask', buffered: true });
  window.__bench = bench;
})();`;

/** What the page's watch counted. */
export interface Watched {
  /** Changes of `data-seq` since the page opened. */
  applied: number;
  /** Long tasks over 50 ms since the last reset, and the longest (ms). */
  longTasks: number;
  longest: number;
  seq: number;
}

/**
 * Chromium's `Performance.getMetrics`: durations in seconds, counts as they are. `TaskDuration` is
 * the main thread's tasks by the clock (time the thread waited for a core included); `ThreadTime`
 * the main thread's CPU time.
 */
export type Metrics = Record<
  | 'TaskDuration'
  | 'ThreadTime'
  | 'DevToolsCommandDuration'
  | 'ScriptDuration'
  | 'LayoutDuration'
  | 'RecalcStyleDuration'
  | 'JSHeapUsedSize'
  | 'Nodes'
  | 'JSEventListeners',
  number
>;

/** Seconds of CPU of Chromium's processes, by kind (renderer, GPU, browser…). */
export type ProcessCpu = Record<string, number>;

export class WallPage {
  /** Errors the page threw; the bench reports them. */
  readonly errors: string[] = [];

  private constructor(
    readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly browserCdp: CDPSession,
  ) {
    page.on('pageerror', (error) => this.errors.push(error.message));
  }

  /** Opens the wall and waits until it is live with the city's names loaded. */
  static async open(browser: Browser, baseUrl: string, wallToken: string): Promise<WallPage> {
    const page = await browser.newPage({ viewport: FULL_HD });
    await page.addInitScript({ content: WATCH });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const wall = new WallPage(page, cdp, await browser.newBrowserCDPSession());
    page.on('crash', () => wall.errors.push('the page crashed'));
    await within(page.goto(`${baseUrl}/?token=${wallToken}`), 'the wall to load');
    await within(
      page.waitForFunction(
        `document.querySelector('[data-testid="connection"]')?.getAttribute('data-status') === 'live' &&
         (document.querySelector('[data-testid="city-name"]')?.textContent ?? '—').trim() !== '—' &&
         !Number.isNaN(window.__bench.read().seq)`,
        undefined,
        { polling: 100, timeout: 0 },
      ),
      'the wall to be live (connection "live", the city named, data-seq set)',
    );
    return wall;
  }

  async metrics(): Promise<Metrics> {
    const { metrics } = (await this.cdp.send('Performance.getMetrics')) as {
      metrics: { name: string; value: number }[];
    };
    return Object.fromEntries(metrics.map((m) => [m.name, m.value])) as Metrics;
  }

  watched(): Promise<Watched> {
    return this.page.evaluate('window.__bench.read()') as Promise<Watched>;
  }

  async resetLongTasks(): Promise<void> {
    await this.page.evaluate('window.__bench.resetLongTasks()');
  }

  /**
   * Makes one task of 80 ms in the page and waits until the watch has counted it, so that a count
   * of none later means none, not a Long Tasks API that reports nothing here; then resets.
   */
  async checkLongTasks(): Promise<void> {
    await this.page.evaluate(
      `new Promise((resolve) => setTimeout(() => {
        const started = performance.now();
        while (performance.now() - started < 80);
        resolve();
      }))`,
    );
    const deadline = Date.now() + 10_000;
    while ((await this.watched()).longTasks === 0) {
      if (Date.now() > deadline)
        throw new Error('bench/browser: the Long Tasks API did not report a task of 80 ms within 10 s');
      await sleep(100);
    }
    await this.resetLongTasks();
  }

  /** Waits until the wall has applied the delta `seq` (or a later one). */
  async reached(seq: number, what: string): Promise<void> {
    await within(this.page.evaluate(`window.__bench.reached(${seq})`), `the wall to apply ${what}`);
  }

  /** Alerts the wall shows flashing. */
  flashing(): Promise<number> {
    return this.page.evaluate(
      `document.querySelectorAll('[data-testid="alerts-panel"] [data-flashing="true"]').length`,
    ) as Promise<number>;
  }

  /** Waits until the wall shows this many alerts flashing. */
  async untilFlashing(count: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    while ((await this.flashing()) !== count) {
      if (Date.now() > deadline)
        throw new Error(
          `bench/browser: gave up after 60 s waiting for the wall to show ${count} alerts flashing (it shows ${await this.flashing()})`,
        );
      await sleep(200);
    }
  }

  /** The heap after a forced garbage collection (bytes), and the DOM nodes and listeners then. */
  async heapAfterGc(): Promise<{ heap: number; nodes: number; listeners: number }> {
    await this.cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = (await this.cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    const metrics = await this.metrics();
    return { heap: usedSize, nodes: metrics.Nodes, listeners: metrics.JSEventListeners };
  }

  /** CPU seconds of Chromium's processes so far, summed by kind. */
  async processCpu(): Promise<ProcessCpu> {
    const { processInfo } = (await this.browserCdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: { type: string; cpuTime: number }[];
    };
    const cpu: ProcessCpu = {};
    for (const process of processInfo) cpu[process.type] = (cpu[process.type] ?? 0) + process.cpuTime;
    return cpu;
  }

  async close(): Promise<void> {
    await this.page.close().catch(() => {});
  }
}
