import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  diffSnapshots,
  forStreets,
  type LiveDelta,
  type LiveSnapshot,
} from '../../shared/live.js';
import {
  emptyPanels,
  PANEL_FEEDS,
  PANEL_KEYS,
  PANELS,
  type FraudToday,
  type PanelDefinitions,
  type Panels,
} from '../../shared/panels.js';

// The definitions are checked against the snapshot's panels both ways (tsc reads this file):
// @ts-expect-error -- a panel of Panels left out of the definitions does not compile
const _missing: PanelDefinitions = { fraud: { feed: 'fraud' }, windows: { feed: 'service-window' } };
// @ts-expect-error -- a panel the snapshot does not carry does not compile
const _extra: PanelDefinitions = { ...PANELS, parking: { feed: 'incident' } };

/** A panel of this test alone: free parking spaces per street. */
interface ParkingRow {
  street: string;
  free: number;
}
type WithParking = Panels & { parking: ParkingRow[] };

const fraud = (street: string, cases: number): FraudToday => ({
  street,
  cases,
  lossYuan: 0,
  warnings: 0,
  dissuaded: 0,
  interceptions: 0,
  interceptedYuan: 0,
});

const snapshot = <P extends Panels>(panels: P): LiveSnapshot<P> => ({
  seq: 7,
  at: '2026-11-25T02:00:00.000Z',
  date: '2026-11-25',
  timezone: 'Asia/Shanghai',
  weightSet: { id: 1, name: 'w' },
  city: { index: 85, grade: null, trend24h: [], trend30d: [] },
  streets: [],
  feeds: [],
  ticker: [],
  panels,
  alerts: [],
});

const empty = emptyPanels();
const parked = (a: number, b: number): LiveSnapshot<WithParking> =>
  snapshot({
    ...empty,
    parking: [
      { street: 'a', free: a },
      { street: 'b', free: b },
    ],
  });
const next = <P extends Panels>(change: Omit<LiveDelta<P>, 'seq' | 'prevSeq' | 'at'>): LiveDelta<P> => ({
  ...change,
  seq: 8,
  prevSeq: 7,
  at: '2026-11-25T02:00:01.000Z',
});

describe('the wall panels', () => {
  it('sends a panel the snapshot carries when its rows change, and applying it gives the new rows', () => {
    const before = parked(12, 30);
    const after = parked(11, 30);
    const change = diffSnapshots(before, after)!;
    expect(change).toEqual({ panels: { parking: after.panels.parking } });
    expect(applyDelta(before, next(change))).toEqual({ ...after, seq: 8, at: '2026-11-25T02:00:01.000Z' });
  });

  it('sends nothing of a panel whose rows did not change', () => {
    expect(diffSnapshots(parked(12, 30), parked(12, 30))).toBeNull();
    const change = diffSnapshots(parked(12, 30), {
      ...parked(12, 30),
      panels: { ...parked(12, 30).panels, fraud: [fraud('a', 1)] },
    })!;
    expect(change).toEqual({ panels: { fraud: [fraud('a', 1)] } });
  });

  it('sends each of the defined panels when it alone changed', () => {
    const rows: Panels = {
      fraud: [fraud('a', 2)],
      windows: [
        {
          hall: 'h',
          street: 'a',
          day: '2026-11-25',
          waiting: 3,
          meanWaitMinutes: 4,
          onTimeRate: 90,
          finished: 5,
        },
      ],
      mediation: [{ street: 'a', acceptedToday: 1, accepted30d: 9, successRate: 80, pending: 2 }],
    };
    for (const key of PANEL_KEYS) {
      const change = diffSnapshots(snapshot(empty), snapshot({ ...empty, [key]: rows[key] }));
      expect(change).toEqual({ panels: { [key]: rows[key] } });
    }
  });

  it("shows a street viewer only its streets' rows of every panel, a test's own included", () => {
    const view = forStreets(
      { ...parked(12, 30), panels: { ...parked(12, 30).panels, fraud: [fraud('a', 1), fraud('b', 2)] } },
      ['b'],
    );
    expect(view.panels.parking).toEqual([{ street: 'b', free: 30 }]);
    expect(view.panels.fraud).toEqual([fraud('b', 2)]);
    const delta = forStreets(next(diffSnapshots(parked(12, 30), parked(11, 29))!), ['a']);
    expect(delta.panels).toEqual({ parking: [{ street: 'a', free: 11 }] });
  });

  it('refreshes the panels on a batch of the fraud, service-window and mediation feeds', () => {
    expect(PANEL_FEEDS).toEqual(['fraud', 'service-window', 'mediation']);
  });
});
