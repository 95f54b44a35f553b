/**
 * `npm run bench`: measures what the design's targets speak of and prints one table.
 * Today: the index engine (pure) at Anning's size and a 500-street city, and GET /api/index end to
 * end on the embedded database.
 */
import { loadCityConfig } from '../server/config/city.js';
import { parseEnv } from '../server/config/env.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/server.js';
import type { CityConfig } from '../shared/city.js';
import { computeIndex } from '../shared/index/index.js';
import type { RawValues } from '../shared/index/types.js';
import { demoIndicatorValues } from '../server/seed/demo.js';

interface Row {
  what: string;
  n: number;
  p50: number;
  p99: number;
  unit: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function time(what: string, n: number, run: () => unknown): Promise<Row> {
  for (let i = 0; i < Math.min(20, n); i++) await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { what, n, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), unit: 'ms' };
}

/** A city of many streets, cloned from the configuration, for the engine's scaling. */
function widen(city: CityConfig, streets: number): CityConfig {
  return {
    ...city,
    streets: Array.from({ length: streets }, (_, i) => ({
      ...city.streets[i % city.streets.length]!,
      code: `s${i}`,
    })),
  };
}

function engineInput(city: CityConfig) {
  const raw: RawValues = {};
  for (const row of demoIndicatorValues(city, '2026-11-25'))
    (raw[row.streetCode] ??= {})[row.indicatorId] = row.value;
  return {
    streets: city.streets.map(({ code, population }) => ({ code, population })),
    indicators: city.indicators,
    weights: city.weights.weights,
    raw,
    grades: city.grades,
  };
}

const city = await loadCityConfig('config/anning.json');
const rows: Row[] = [];

const anning = engineInput(city);
rows.push(await time('computeIndex, 9 streets × 27 indicators', 2000, () => computeIndex(anning)));
const large = engineInput(widen(city, 500));
rows.push(await time('computeIndex, 500 streets × 27 indicators', 200, () => computeIndex(large)));

const server = await startServer({
  env: parseEnv({ PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'on', LOG_LEVEL: 'silent' }),
  city,
  logger: createLogger('silent'),
  inMemory: true,
});
const token = server.issued.find((t) => t.role === 'wall')!.token;
const url = `http://127.0.0.1:${server.port}/api/index`;
rows.push(
  await time('GET /api/index over HTTP, PGlite, 30 days of values', 300, async () => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
  }),
);
await server.stop();

const width = Math.max(...rows.map((r) => r.what.length));
console.log(
  `\n${'measure'.padEnd(width)}  ${'runs'.padStart(6)}  ${'p50'.padStart(9)}  ${'p99'.padStart(9)}`,
);
for (const r of rows)
  console.log(
    `${r.what.padEnd(width)}  ${String(r.n).padStart(6)}  ${r.p50.toFixed(3).padStart(6)} ${r.unit}  ${r.p99.toFixed(3).padStart(6)} ${r.unit}`,
  );
