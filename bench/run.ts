/**
 * `npm run bench`: measures what the design's targets speak of, and prints one table.
 * PostgreSQL is measured too when BENCH_DATABASE_URL is set (a database the bench may empty).
 * `BENCH_ONLY=live,live-scale` runs only the phases named (engine, ingest, first-start, live,
 * live-scale, cluster, browser); `BENCH_QUICK=1` runs the live phases with fewer walls and events,
 * and the browser phase shorter.
 */
import { loadCityConfig } from '../server/config/city.js';
import { benchEngine, benchApi } from './engine.js';
import { benchFirstStart } from './first-start.js';
import { benchIngest } from './ingest.js';
import { benchCluster } from './cluster.js';
import { benchLive } from './live.js';
import { benchLiveAtScale } from './live-scale.js';
import { benchBrowser } from './browser.js';

interface Row {
  measure: string;
  value: string;
  note?: string;
}

const PHASES = ['engine', 'ingest', 'first-start', 'live', 'live-scale', 'cluster', 'browser'] as const;
const only = process.env.BENCH_ONLY?.split(',').map((phase) => phase.trim());
const unknown = only?.filter((phase) => !(PHASES as readonly string[]).includes(phase));
if (unknown?.length)
  throw new Error(`BENCH_ONLY: no phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);
const runs = (phase: (typeof PHASES)[number]) => !only || only.includes(phase);

const city = await loadCityConfig('config/anning.json');
const rows: Row[] = [];
const ms = (n: number) => `${n.toFixed(3)} ms`;

if (runs('engine')) {
  for (const timing of await benchEngine(city))
    rows.push({ measure: `${timing.what} p50 / p99`, value: `${ms(timing.p50)} / ${ms(timing.p99)}` });
  const api = await benchApi(city);
  rows.push({ measure: `${api.what} p50 / p99`, value: `${ms(api.p50)} / ${ms(api.p99)}` });
}

const urls = [undefined, process.env.BENCH_DATABASE_URL].filter((u, i) => i === 0 || u);
for (const url of runs('ingest') ? urls : []) {
  const ingest = await benchIngest(city, url);
  const ratio = ingest.pollPerSecond / ingest.rawPerSecond;
  rows.push(
    {
      measure: `ingest through the poll path (${ingest.database}, ${ingest.items} incidents)`,
      value: `${Math.round(ingest.pollPerSecond)} items/s`,
    },
    {
      measure: `raw batched insert of the same rows (${ingest.database})`,
      value: `${Math.round(ingest.rawPerSecond)} items/s`,
    },
    {
      measure: `poll path / raw insert (${ingest.database})`,
      value: `${(ratio * 100).toFixed(0)} %`,
      note: 'target ≥ 50 %',
    },
  );
}

if (runs('first-start')) {
  const start = await benchFirstStart(city);
  const s = (n: number) => `${(n / 1000).toFixed(1)} s`;
  rows.push(
    {
      measure: 'demo first start: listening / warmed up (30 days backfilled, history recorded)',
      value: `${s(start.listening)} / ${s(start.warmedUp)}`,
    },
    {
      measure: `the demo's ${start.months} past months published after the warm-up`,
      value: s(start.demoMonths),
    },
    {
      measure: 'those months / the first start up to warmed up',
      value: `${((100 * start.demoMonths) / start.warmedUp).toFixed(1)} %`,
      note: 'target ≤ 10 %',
    },
  );
}

if (runs('live')) rows.push(...(await benchLive(city)));
if (runs('live-scale')) rows.push(...(await benchLiveAtScale(city)));
if (runs('cluster')) rows.push(...(await benchCluster(process.env.BENCH_DATABASE_URL)));
if (runs('browser')) rows.push(...(await benchBrowser(city)));

const width = Math.max(...rows.map((r) => r.measure.length));
const valueWidth = Math.max(...rows.map((r) => r.value.length));
console.log(`\n${'measure'.padEnd(width)}  ${'value'.padStart(valueWidth)}  note`);
console.log(`${'-'.repeat(width)}  ${'-'.repeat(valueWidth)}  ----`);
for (const r of rows)
  console.log(`${r.measure.padEnd(width)}  ${r.value.padStart(valueWidth)}  ${r.note ?? ''}`);
