import { describe, expect, it } from 'vitest';
import type { LiveStreet } from '../../shared/api.js';
import {
  applyDelta,
  diffSnapshots,
  compareLiveAlerts,
  compareTickerItems,
  forStreets,
  type LiveAlert,
  type LiveSnapshot,
  type TickerItem,
  TICKER_LENGTH,
} from '../../shared/live.js';
import { emptyPanels } from '../../shared/panels.js';

const street = (code: string, index: number): LiveStreet => ({
  code,
  name: { zh: code, en: code },
  index,
  grade: null,
  rank: null,
  provisional: false,
  blocks: { positive: index, negative: index, public: index },
  indicators: [],
});
const news = (key: string, street: string, at: string): TickerItem => ({
  key,
  feed: 'incident',
  category: 'theft',
  street,
  community: null,
  at,
});

const alert = (id: string, street: string | null, patch: Partial<LiveAlert> = {}): LiveAlert => ({
  id,
  rule: street === null ? 'feedStale' : 'indexDrop',
  street,
  feed: street === null ? 'fraud' : null,
  screen: null,
  status: 'firing',
  severity: 'warning',
  text: { zh: { title: id, body: '' }, en: { title: id, body: '' } },
  openedAt: '2026-11-25T01:00:00.000Z',
  firedAt: '2026-11-25T01:10:00.000Z',
  acknowledgement: null,
  ...patch,
});

const base: LiveSnapshot = {
  seq: 7,
  at: '2026-11-25T02:00:00.000Z',
  date: '2026-11-25',
  timezone: 'Asia/Shanghai',
  weightSet: { id: 1, name: 'w' },
  city: { index: 85, grade: null, trend24h: [], trend30d: [] },
  streets: [street('a', 80), street('b', 90)],
  feeds: [],
  ticker: [news('incident:1', 'a', '2026-11-25T01:00:00.000Z')],
  panels: emptyPanels(),
  alerts: [],
};

describe('the live protocol', () => {
  it('sends only what changed, and applying it gives the new state', () => {
    const after: LiveSnapshot = {
      ...base,
      at: '2026-11-25T02:00:01.000Z',
      streets: [street('a', 78.5), street('b', 90)],
      city: { ...base.city, index: 84.2 },
      ticker: [news('incident:2', 'a', '2026-11-25T02:00:00.000Z'), ...base.ticker],
    };
    const change = diffSnapshots(base, after)!;
    expect(change.streets!.map((s) => s.code)).toEqual(['a']);
    expect(change.ticker!.map((t) => t.key)).toEqual(['incident:2']);
    expect(change.feeds).toBeUndefined();
    expect(change.panels).toBeUndefined();
    const applied = applyDelta(base, { ...change, seq: 8, prevSeq: 7, at: after.at });
    expect(applied).toEqual({ ...after, seq: 8 });
  });

  it('places a late ticker item by when it happened, so a full ticker drops the same item on both ends', () => {
    const at = (minute: number) => `2026-11-25T01:${String(minute).padStart(2, '0')}:00.000Z`;
    const full = Array.from({ length: TICKER_LENGTH }, (_, i) => news(`incident:${i}`, 'a', at(59 - i)));
    const before: LiveSnapshot = { ...base, ticker: full };
    // Arrives now, happened at 01:45: between the shown ones, pushing out the oldest (01:30).
    const late = news('incident:late', 'a', '2026-11-25T01:44:30.000Z');
    const after: LiveSnapshot = {
      ...before,
      ticker: [...full.slice(0, 15), late, ...full.slice(15, TICKER_LENGTH - 1)],
    };
    expect([late, ...full].sort(compareTickerItems).slice(0, TICKER_LENGTH)).toEqual(after.ticker);
    expect(after.ticker.at(-1)!.key).toBe(`incident:${TICKER_LENGTH - 2}`);
    const change = diffSnapshots(before, after)!;
    expect(change.ticker).toEqual([late]);
    expect(applyDelta(before, { ...change, seq: 8, prevSeq: 7, at: base.at })).toEqual({ ...after, seq: 8 });
  });

  it('sends of a changed street only the indicators that changed', () => {
    const withIndicators = (score: number): LiveStreet => ({
      ...street('a', 80),
      indicators: [
        {
          id: 'theft',
          raw: 4,
          smoothed: 4,
          score,
          contribution: 3,
          pointsLost: 1,
          period: null,
          stale: false,
        },
        {
          id: 'vice',
          raw: 0.2,
          smoothed: 0.2,
          score: 90,
          contribution: 2,
          pointsLost: 0.2,
          period: null,
          stale: false,
        },
      ],
    });
    const before = { ...base, streets: [withIndicators(85)] };
    const after = { ...base, streets: [withIndicators(70)] };
    const change = diffSnapshots(before, after)!;
    expect(change.streets![0]!.indicators.map((i) => i.id)).toEqual(['theft']);
    expect(applyDelta(before, { ...change, seq: 8, prevSeq: 7, at: base.at })).toEqual({ ...after, seq: 8 });
  });

  it('says nothing when nothing changed', () => {
    expect(diffSnapshots(base, { ...base, at: '2026-11-25T03:00:00.000Z' })).toBeNull();
  });

  it('refuses a delta that does not follow on, so that the client resyncs', () => {
    expect(applyDelta(base, { seq: 9, prevSeq: 8, at: base.at })).toBeNull();
  });

  it('shows a street viewer only its streets', () => {
    const view = forStreets(base, ['b']);
    expect(view.streets.map((s) => s.code)).toEqual(['b']);
    expect(view.ticker).toEqual([]);
  });

  it('carries the alerts whole when one is acknowledged, and applying it shows the acknowledgement', () => {
    const before = { ...base, alerts: [alert('x', 'a')] };
    const acknowledgement = { by: '金方街道', comment: '已派员处置', at: '2026-11-25T01:20:00.000Z' };
    const after = { ...before, alerts: [alert('x', 'a', { status: 'acknowledged', acknowledgement })] };
    const change = diffSnapshots(before, after)!;
    expect(change).toEqual({ alerts: after.alerts });
    const applied = applyDelta(before, { ...change, seq: 8, prevSeq: 7, at: after.at });
    expect(applied?.alerts[0]?.acknowledgement).toEqual(acknowledgement);
  });

  it("shows a street viewer only its streets' alerts, never the operators' feed alerts", () => {
    const view = forStreets({ ...base, alerts: [alert('a1', 'a'), alert('b1', 'b'), alert('f', null)] }, [
      'b',
    ]);
    expect(view.alerts.map((a) => a.id)).toEqual(['b1']);
  });

  it('lists firing before acknowledged, critical before warning, then the newest first', () => {
    const alerts = [
      alert('old', 'a', { firedAt: '2026-11-25T01:00:00.000Z' }),
      alert('ack', 'a', { status: 'acknowledged', severity: 'critical' }),
      alert('new', 'a', { firedAt: '2026-11-25T02:00:00.000Z' }),
      alert('critical', 'b', { severity: 'critical', firedAt: '2026-11-25T00:00:00.000Z' }),
    ];
    expect(alerts.sort(compareLiveAlerts).map((a) => a.id)).toEqual(['critical', 'new', 'old', 'ack']);
  });
});
