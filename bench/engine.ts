/**
 * The index engine at Anning's size and at 500 streets (computeIndex, the weights review's rank
 * sensitivity and indicator removal), and GET /api/index end to end.
 */
import { parseEnv } from '../server/config/env.js';
import { createLogger } from '../server/logger.js';
import { demoIndicatorValues } from '../server/seed/demo.js';
import { startServer } from '../server/server.js';
import type { CityConfig } from '../shared/city.js';
import { computeIndex, rankSensitivity, removeIndicators } from '../shared/index/index.js';
import type { RawValues } from '../shared/index/types.js';

export interface Timing {
  what: string;
  p50: number;
  p99: number;
}

async function time(what: string, runs: number, run: () => unknown): Promise<Timing> {
  for (let i = 0; i < Math.min(20, runs); i++) await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  return { what, p50: at(0.5), p99: at(0.99) };
}

function engineInput(city: CityConfig, streets: number) {
  const wide = Array.from({ length: streets }, (_, i) => ({
    ...city.streets[i % city.streets.length]!,
    code: `s${i}`,
  }));
  const raw: RawValues = {};
  for (const row of demoIndicatorValues({ ...city, streets: wide }, '2026-11-25'))
    (raw[row.streetCode] ??= {})[row.indicatorId] = row.value;
  return {
    streets: wide.map(({ code, population }) => ({ code, population })),
    indicators: city.indicators,
    weights: city.weights.weights,
    raw,
    grades: city.grades,
  };
}

export async function benchEngine(city: CityConfig): Promise<Timing[]> {
  const anning = engineInput(city, city.streets.length);
  const large = engineInput(city, 500);
  return [
    await time(
      `computeIndex, ${city.streets.length} streets × ${city.indicators.length} indicators`,
      2000,
      () => computeIndex(anning),
    ),
    await time(`computeIndex, 500 streets × ${city.indicators.length} indicators`, 200, () =>
      computeIndex(large),
    ),
    await time(`rankSensitivity, 1,000 draws, ${city.streets.length} streets`, 200, () =>
      rankSensitivity({ ...anning, draws: 1000 }),
    ),
    await time('rankSensitivity, 1,000 draws, 500 streets', 20, () =>
      rankSensitivity({ ...large, draws: 1000 }),
    ),
    await time(`removeIndicators, ${city.streets.length} streets`, 2000, () => removeIndicators(anning)),
    await time('removeIndicators, 500 streets', 200, () => removeIndicators(large)),
  ];
}

export async function benchApi(city: CityConfig): Promise<Timing> {
  const server = await startServer({
    env: parseEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
    city,
    logger: createLogger('silent'),
    inMemory: true,
    jobs: false,
  });
  const token = server.issued.find((t) => t.role === 'wall')!.token;
  const url = `http://127.0.0.1:${server.port}/api/index`;
  try {
    return await time('GET /api/index over HTTP (PGlite)', 300, async () => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
    });
  } finally {
    await server.stop();
  }
}
