/** Percentiles of the measured times. */
export interface Stats {
  p50: number;
  p95: number;
  p99: number;
  samples: number;
}

export function stats(values: ArrayLike<number>): Stats {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), samples: sorted.length };
}
