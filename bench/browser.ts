/**
 * The wall's rendering in Chromium (DESIGN.md, "Performance targets": ≤ 8 ms of main thread per
 * update, no task over 50 ms, flat heap over a long soak). A whole server as the browser tests
 * start it (`browser/city.ts`), the built wall open at 1920×1080 with the wall token in Chromium
 * driven by playwright-core (tests/support/browser.ts), and incidents pushed through the ingest API:
 *
 * 1. main-thread time per delta: single incidents 1.5 s apart, Chromium's `TaskDuration` read
 *    before the push and after the wall applied the delta that carries it, plus a settle; the same
 *    for deltas that carry only the feeds' freshness;
 * 2. long tasks under a burst of 20 incidents a second;
 * 3. the main thread's share of a core while nothing arrives, without and with flashing alerts;
 * 4. a soak at 5 incidents a second: the heap after a forced GC, DOM nodes and listeners.
 *
 * `BENCH_QUICK=1` runs every part shorter. Nothing here asserts a time: the rows report them.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import type { CityConfig } from '../shared/city.js';
import { chromiumPath, launchBrowser } from '../tests/support/browser.js';
import { BenchCity } from './browser/city.js';
import { sleep, within } from './browser/wait.js';
import { WallPage, type Metrics, type ProcessCpu } from './browser/wall.js';
import { QUICK } from './live/config.js';
import { stats } from './live/stats.js';

const DISPLAY_DIR = 'display/build';

/** How long each part runs, shorter with BENCH_QUICK=1. */
const SETTINGS = QUICK
  ? { deltas: 10, feedDeltas: 4, burstMs: 15_000, idleMs: 10_000, soakMs: 60_000 }
  : { deltas: 30, feedDeltas: 10, burstMs: 60_000, idleMs: 30_000, soakMs: 600_000 };
/** From one measured push to the next. */
const SPACING_MS = 1_500;
/** After the wall applied a delta: its tweens and transitions (500 ms) run out. */
const SETTLE_MS = 600;
const BURST_PER_SECOND = 20;
const SOAK_PER_SECOND = 5;
/** The soak is sampled ten times after its start; the first fifth is its warm-up, left out of the slope. */
const SOAK_SAMPLES = 10;
/** Readings of the heap after GC at each sample, a second apart; the lowest counts. */
const HEAP_READINGS = 3;

export interface BrowserRow {
  measure: string;
  value: string;
  note?: string;
}

/** One measured window around one delta. */
interface Window extends Spent {
  /** Main-thread task time from the cause until the wall had applied the delta (ms). */
  untilApplied: number;
  /** The window's length (ms). */
  length: number;
  /** Deltas the wall applied in it. */
  applied: number;
}

/** Main-thread time (ms) between two readings of the metrics, by kind. */
interface Spent {
  /** Tasks by the clock. */
  task: number;
  /** CPU time of the main thread. */
  cpu: number;
  /** The bench's own DevTools commands, inside `task`. */
  devtools: number;
  script: number;
  layout: number;
  style: number;
}

const spent = (before: Metrics, after: Metrics): Spent => {
  const ms = (name: keyof Metrics) => (after[name] - before[name]) * 1000;
  return {
    task: ms('TaskDuration'),
    cpu: ms('ThreadTime'),
    devtools: ms('DevToolsCommandDuration'),
    script: ms('ScriptDuration'),
    layout: ms('LayoutDuration'),
    style: ms('RecalcStyleDuration'),
  };
};

/**
 * Causes one delta and measures the window from just before it to the wall's applying it plus the
 * settle. `cause` returns the delta's seq, as the bench's own socket saw it.
 */
async function measureDelta(wall: WallPage, what: string, cause: () => Promise<number>): Promise<Window> {
  const { applied: appliedBefore } = await wall.watched();
  const before = await wall.metrics();
  const started = performance.now();
  const seq = await cause();
  await wall.reached(seq, what);
  const applied = await wall.metrics();
  await sleep(SETTLE_MS);
  const after = await wall.metrics();
  const length = performance.now() - started;
  const watched = await wall.watched();
  return {
    ...spent(before, after),
    untilApplied: spent(before, applied).task,
    length,
    applied: watched.applied - appliedBefore,
  };
}

/** `count` windows, one cause every SPACING_MS; those that held another delta too are set apart. */
async function measureDeltas(
  wall: WallPage,
  count: number,
  what: string,
  cause: () => Promise<number>,
): Promise<{ clean: Window[]; mixed: number }> {
  const clean: Window[] = [];
  let mixed = 0;
  for (let i = 0; i < count; i++) {
    const next = performance.now() + SPACING_MS;
    const measured = await measureDelta(wall, `${what} (${i + 1} of ${count})`, cause);
    if (measured.applied === 1) clean.push(measured);
    else mixed++;
    await sleep(next - performance.now());
  }
  return { clean, mixed };
}

interface Idle {
  /** Main-thread task time per second of wall clock (ms/s: 10 ms/s is 1 % of a core). */
  mainPerSecond: number;
  /** The main thread's CPU time per second. */
  cpuPerSecond: number;
  /** Chromium's processes' CPU, share of a core, by kind. */
  cpu: ProcessCpu;
  deltas: number;
  feedsOnly: number;
  flashing: { start: number; end: number };
}

/** Nothing pushed for `ms`: the main thread's task time and the processes' CPU over that time. */
async function measureIdle(wall: WallPage, city: BenchCity, ms: number): Promise<Idle> {
  const flashingStart = await wall.flashing();
  const deltasBefore = city.deltas.count;
  const feedsOnlyBefore = city.deltas.feedsOnlyCount;
  const cpuBefore = await wall.processCpu();
  const before = await wall.metrics();
  const started = performance.now();
  await sleep(ms);
  const after = await wall.metrics();
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await wall.processCpu();
  const cpu: ProcessCpu = {};
  for (const [kind, time] of Object.entries(cpuAfter)) cpu[kind] = (time - (cpuBefore[kind] ?? 0)) / seconds;
  const main = spent(before, after);
  return {
    mainPerSecond: main.task / seconds,
    cpuPerSecond: main.cpu / seconds,
    cpu,
    deltas: city.deltas.count - deltasBefore,
    feedsOnly: city.deltas.feedsOnlyCount - feedsOnlyBefore,
    flashing: { start: flashingStart, end: await wall.flashing() },
  };
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  const sxy = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const percent = (n: number) => `${n.toFixed(1)} %`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const seconds = (n: number) => `${Math.round(n / 1000)} s`;
/** A core's share as a percentage, from ms of main thread per second. */
const ofCore = (msPerSecond: number) => percent(msPerSecond / 10);

/**
 * The rows of one set of windows: task time p50 / p95 and what it is made of, then the main
 * thread's CPU time. `idle`: the quiet wall's task time per second, to say how much of a window
 * of that length the wall spends anyway (its clock, its ages).
 */
function deltaRows(label: string, windows: Window[], mixed: number, idle: Idle): BrowserRow[] {
  if (windows.length === 0)
    return [{ measure: label, value: 'none measured', note: `all ${mixed} windows held another delta too` }];
  const pick = (key: keyof Window) => stats(windows.map((w) => w[key]));
  const task = pick('task');
  const cpu = pick('cpu');
  const length = pick('length').p50;
  return [
    {
      measure: `${label}, task time p50 / p95`,
      value: `${ms(task.p50)} / ${ms(task.p95)}`,
      note:
        `target ≤ 8 ms; ${windows.length} deltas` +
        (mixed ? ` (${mixed} more windows held a second delta: left out)` : '') +
        `; p50 ${ms(pick('untilApplied').p50)} until applied, the rest in the ${SETTLE_MS} ms after; ` +
        `script / layout / style p50 ${ms(pick('script').p50)} / ${ms(pick('layout').p50)} / ` +
        `${ms(pick('style').p50)}; window ${Math.round(length)} ms, in which the idle wall spends ` +
        `${ms((idle.mainPerSecond * length) / 1000)} anyway; the bench's DevTools commands ${ms(pick('devtools').p50)}`,
    },
    {
      measure: `${label}, the main thread's CPU time p50 / p95`,
      value: `${ms(cpu.p50)} / ${ms(cpu.p95)}`,
      note: 'the same windows; time the thread waited for a core not counted',
    },
  ];
}

/** The wall's rendering in Chromium: the browser phase of `npm run bench`. */
export async function benchBrowser(config: CityConfig): Promise<BrowserRow[]> {
  if (!existsSync(`${DISPLAY_DIR}/index.html`))
    throw new Error(
      `bench/browser: ${DISPLAY_DIR}/index.html is missing: run \`npm run build:display\` first`,
    );
  if (!existsSync(chromiumPath))
    throw new Error(`bench/browser: no Chromium at ${chromiumPath} (install chromium, or set CHROMIUM_PATH)`);
  let city: BenchCity | null = null;
  let browser: Browser | null = null;
  const load = loadavg()[0]!;
  try {
    [city, browser] = await Promise.all([
      BenchCity.start(config, DISPLAY_DIR),
      within(launchBrowser(), 'Chromium to start'),
    ]);
    const rows = await measure(config, city, browser);
    rows.push({
      measure: "browser: the machine's load average (1 min) at the start / the end",
      value: `${load.toFixed(1)} / ${loadavg()[0]!.toFixed(1)}`,
      note: 'the server, the bench and Chromium share the cores with whatever else runs',
    });
    return rows;
  } finally {
    await browser?.close().catch(() => {});
    await city?.stop();
  }
}

async function measure(config: CityConfig, city: BenchCity, browser: Browser): Promise<BrowserRow[]> {
  // The month of backfill holds robberies whose alerts fire: the duty officer has handled them.
  await city.acknowledgeAll();
  const wall = await WallPage.open(browser, city.server.baseUrl, city.server.wallToken);
  try {
    await wall.untilFlashing(0);
    await wall.checkLongTasks();
    await sleep(3_000); // the first paint's work done, the fonts in

    // 3. Idle, no alert flashing; then two critical alerts flashing.
    const quiet = await measureIdle(wall, city, SETTINGS.idleMs);
    const [first, second] = config.streets;
    await city.robbery(first!.code);
    await city.robbery(second!.code);
    await wall.untilFlashing(2);
    await sleep(2_000);
    const flashing = await measureIdle(wall, city, SETTINGS.idleMs);
    await city.acknowledgeAll();
    await wall.untilFlashing(0);

    // 1. One delta at a time: an incident each; then deltas of the feeds' freshness alone (a poll
    // of a feed with nothing new: the time of its last success moves).
    const incidents = await measureDeltas(wall, SETTINGS.deltas, 'the delta of one incident', async () => {
      const item = city.incident();
      const carrying = city.deltas.carrying(`incident:${String(item.id)}`);
      await city.push([item]);
      return within(carrying, `the delta carrying incident ${String(item.id)} at the bench's socket`);
    });
    const mediation = city.server.ctx.feeds.pollers.get('mediation');
    if (!mediation) throw new Error('bench/browser: the server polls no mediation feed');
    const feeds = await measureDeltas(wall, SETTINGS.feedDeltas, 'a delta of feed freshness', async () => {
      const feedsOnly = city.deltas.feedsOnly();
      await mediation.run();
      return within(feedsOnly, "a delta of the feeds' freshness alone at the bench's socket");
    });

    // 2. A burst.
    await sleep(2_000);
    await wall.resetLongTasks();
    const mark = async () => ({
      watched: await wall.watched(),
      metrics: await wall.metrics(),
      sent: city.deltas.count,
      at: performance.now(),
    });
    const burstStart = await mark();
    const burst = await city.pace(BURST_PER_SECOND, SETTINGS.burstMs);
    await sleep(2_000); // the last deltas applied
    const burstEnd = await mark();
    const burstApplied = burstEnd.watched.applied - burstStart.watched.applied;
    const burstTask = spent(burstStart.metrics, burstEnd.metrics);
    const burstSeconds = (burstEnd.at - burstStart.at) / 1000;

    // 4. The soak.
    const soak = await runSoak(wall, city);

    const rows: BrowserRow[] = [
      ...deltaRows('browser: main thread per delta of one incident', incidents.clean, incidents.mixed, quiet),
      ...deltaRows(
        "browser: main thread per delta of the feeds' freshness alone",
        feeds.clean,
        feeds.mixed,
        quiet,
      ),
      {
        measure: `browser: long tasks over 50 ms, ${seconds(SETTINGS.burstMs)} at ${BURST_PER_SECOND} incidents/s`,
        value: `${burstEnd.watched.longTasks} (longest ${ms(burstEnd.watched.longest)})`,
        note: 'target none; Long Tasks API',
      },
      {
        measure: 'browser: the burst: deltas applied / incidents pushed',
        value: `${burstApplied} / ${burst.pushed}`,
        note:
          `${(burst.pushed / burst.seconds).toFixed(1)} pushes/s reached; the server sent ${burstEnd.sent - burstStart.sent} deltas` +
          (burst.failed ? `; ${burst.failed} pushes failed: ${burst.firstFailure}` : ''),
      },
      {
        measure: 'browser: main thread during the burst',
        value: `${ofCore(burstTask.task / burstSeconds)} of a core`,
        note: `task time; CPU time ${ofCore(burstTask.cpu / burstSeconds)}; ${ms(burstTask.task / Math.max(1, burstApplied))} per delta applied`,
      },
      idleRow('no alert flashing', quiet),
      { ...idleRow('2 critical alerts flashing', flashing), note: `target < 5 %; ${idleNote(flashing)}` },
      ...soakRows(soak),
    ];
    if (wall.errors.length > 0)
      rows.push({
        measure: 'browser: errors thrown in the wall',
        value: String(wall.errors.length),
        note: wall.errors.slice(0, 3).join(' | '),
      });
    return rows;
  } finally {
    await wall.close();
  }
}

const idleNote = (idle: Idle) => {
  const cpu = (kind: string) => percent((idle.cpu[kind] ?? 0) * 100);
  return (
    `task time, ${seconds(SETTINGS.idleMs)}; CPU time ${ofCore(idle.cpuPerSecond)}; Chromium's renderer processes ${cpu('renderer')}, GPU process ` +
    `${cpu('GPU')}, browser process ${cpu('browser')} of a core; ${idle.deltas} deltas meanwhile ` +
    `(${idle.feedsOnly} of feed freshness alone); ${idle.flashing.start} → ${idle.flashing.end} alerts flashing`
  );
};

const idleRow = (label: string, idle: Idle): BrowserRow => ({
  measure: `browser: idle main thread, ${label}`,
  value: `${ofCore(idle.mainPerSecond)} of a core`,
  note: idleNote(idle),
});

interface SoakSample {
  minutes: number;
  heap: number;
  nodes: number;
  listeners: number;
  applied: number;
}

/** SOAK_PER_SECOND incidents a second for the soak's length, the heap read after GC at each tenth of it. */
async function runSoak(wall: WallPage, city: BenchCity) {
  const every = SETTINGS.soakMs / SOAK_SAMPLES;
  // Whatever is in flight when the heap is read (a delta being applied, a tween) is live then: of
  // a few readings a second apart, the lowest is what the wall keeps.
  const sample = async (started: number): Promise<SoakSample> => {
    const minutes = (performance.now() - started) / 60_000;
    const readings = [];
    for (let i = 0; i < HEAP_READINGS; i++) {
      if (i > 0) await sleep(1_000);
      readings.push(await wall.heapAfterGc());
    }
    const lowest = readings.reduce((low, reading) => (reading.heap < low.heap ? reading : low));
    return { minutes, ...lowest, applied: (await wall.watched()).applied };
  };
  const started = performance.now();
  const samples = [await sample(started)];
  const pushing = city.pace(SOAK_PER_SECOND, SETTINGS.soakMs);
  // Keeps a failed push from being unhandled while the samples are taken.
  pushing.catch(() => {});
  for (let i = 1; i <= SOAK_SAMPLES; i++) {
    await sleep(started + i * every - performance.now());
    samples.push(await sample(started));
  }
  const pushed = await pushing;
  return { samples, pushed };
}

function soakRows({ samples, pushed }: Awaited<ReturnType<typeof runSoak>>): BrowserRow[] {
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const warmUp = SETTINGS.soakMs / 60_000 / 5;
  const after = samples.filter((s) => s.minutes >= warmUp - 1e-3);
  const kbPerMinute = slope(after.map((s) => ({ x: s.minutes, y: s.heap / 1024 })));
  const length = `${(SETTINGS.soakMs / 60_000).toFixed(0)} min at ${SOAK_PER_SECOND} incidents/s`;
  return [
    {
      measure: `browser: soak (${length}): heap after GC, start → end`,
      value: `${mb(first.heap)} → ${mb(last.heap)}`,
      note: `${pushed.pushed} incidents pushed, ${last.applied - first.applied} deltas applied; samples ${samples.map((s) => (s.heap / 1024 / 1024).toFixed(2)).join(', ')} MB`,
    },
    {
      measure: `browser: soak: heap slope after the first ${warmUp.toFixed(warmUp < 1 ? 1 : 0)} min`,
      value: `${kbPerMinute.toFixed(1)} KB/min`,
      note: `target flat (< 50 KB/min); least squares over ${after.length} samples after GC`,
    },
    {
      measure: 'browser: soak: DOM nodes / JS event listeners, start → end',
      value: `${first.nodes} → ${last.nodes} / ${first.listeners} → ${last.listeners}`,
    },
  ];
}
