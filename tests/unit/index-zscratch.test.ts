import { it, expect } from 'vitest';
import fc from 'fast-check';
import { smoothRatesEB } from '../../shared/index/index.js';

it('EB smoothed rate is monotone in own count', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          count: fc.double({ min: 0, max: 500, noNaN: true }),
          population: fc.integer({ min: 0, max: 200000 }),
        }),
        { minLength: 1, maxLength: 8 },
      ),
      fc.nat(7),
      fc.double({ min: 0, max: 200, noNaN: true }),
      (items, k, step) => {
        const i = k % items.length;
        const item = items[i]!;
        const more = items.map((it, j) => (j === i ? { ...it, count: it.count + step } : it));
        const a = smoothRatesEB(items)[i]!;
        const b = smoothRatesEB(more)[i]!;
        expect(b).toBeGreaterThanOrEqual(a - 1e-12 * Math.max(1, Math.abs(a)));
        void item;
      },
    ),
    { numRuns: 200000 },
  );
});
