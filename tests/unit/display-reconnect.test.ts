import { Manager } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { LIVE_RECONNECTION } from '../../display/src/lib/live-store.svelte.js';

/** The waits socket.io's own back-off gives with the wall's options (its Manager, never connected). */
function waits(attempts: number): number[] {
  const manager = new Manager('http://127.0.0.1:9', { ...LIVE_RECONNECTION, autoConnect: false });
  const backoff = (manager as unknown as { backoff: { duration(): number } }).backoff;
  return Array.from({ length: attempts }, () => backoff.duration());
}

describe("the wall's reconnection", () => {
  it('tries again first after 250 to 500 ms, spread at random, then backs off to at most 3 s', () => {
    const first = Array.from({ length: 2_000 }, () => waits(1)[0]!);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...first)).toBeLessThanOrEqual(500);
    // Spread over the range, not one instant for every wall of a command centre.
    expect(new Set(first.map((ms) => Math.floor(ms / 50))).size).toBeGreaterThanOrEqual(4);
    const series = waits(12);
    expect(Math.max(...series)).toBeLessThanOrEqual(3000);
    expect(series.slice(6).every((ms) => ms === 3000)).toBe(true);
  });
});
