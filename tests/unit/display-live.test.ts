import { describe, expect, it } from 'vitest';
import type { LiveDelta, LiveSnapshot, TickerItem } from '../../shared/live.js';
import { applyDeltas } from '../../display/src/lib/live-apply.js';
import { emptyPanels } from '../../shared/panels.js';

const street = (code: string, index: number) => ({
  code,
  name: { zh: code, en: code },
  index,
  grade: null,
  rank: 1,
  provisional: false,
  blocks: { positive: null, negative: null, public: null },
  indicators: [],
});

const snapshot: LiveSnapshot = {
  seq: 10,
  at: '2026-11-25T04:00:00.000Z',
  date: '2026-11-25',
  timezone: 'Asia/Shanghai',
  weightSet: { id: 1, name: 'Q4' },
  city: { index: 85, grade: null, trend24h: [], trend30d: [] },
  streets: [street('a', 80), street('b', 90)],
  feeds: [],
  ticker: [],
  panels: emptyPanels(),
  alerts: [],
};

const item = (key: string): TickerItem => ({
  key,
  feed: 'incident',
  category: 'theft',
  street: 'a',
  community: null,
  at: '2026-11-25T04:00:00.000Z',
});

const delta = (seq: number, change: Partial<LiveDelta> = {}): LiveDelta => ({
  seq,
  prevSeq: seq - 1,
  at: `2026-11-25T04:00:${String(seq).padStart(2, '0')}.000Z`,
  ...change,
});

describe('deltas applied once per frame', () => {
  it('apply a frame of queued deltas in order, each on the one before', () => {
    const result = applyDeltas(snapshot, [
      delta(11, { streets: [street('a', 81)], ticker: [item('x')] }),
      delta(12, { streets: [street('a', 82)] }),
      delta(13, { ticker: [item('y')] }),
    ]);
    expect(result.resync).toBe(false);
    expect(result.applied).toBe(3);
    expect(result.snapshot.seq).toBe(13);
    expect(result.snapshot.streets.map((s) => s.index)).toEqual([82, 90]);
    expect(result.snapshot.ticker.map((t) => t.key)).toEqual(['y', 'x']);
  });

  it('skip deltas the snapshot already covers, as after a resync', () => {
    const result = applyDeltas(snapshot, [
      delta(9),
      delta(10),
      delta(11, { city: { ...snapshot.city, index: 86 } }),
    ]);
    expect(result).toMatchObject({ resync: false, applied: 1 });
    expect(result.snapshot.city.index).toBe(86);
  });

  it('stop at a gap, keep what applied, and ask for a resync', () => {
    const result = applyDeltas(snapshot, [delta(11, { streets: [street('b', 91)] }), delta(13)]);
    expect(result.resync).toBe(true);
    expect(result.applied).toBe(1);
    expect(result.snapshot.seq).toBe(11);
    expect(result.snapshot.streets[1]!.index).toBe(91);
  });

  it('leave the snapshot as it is when nothing is queued', () => {
    expect(applyDeltas(snapshot, [])).toEqual({ snapshot, resync: false, applied: 0 });
  });
});
