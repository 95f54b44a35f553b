/**
 * The wall's operational panels, defined once: the rows each panel carries in the live snapshot
 * (`Panels`) and the feed whose data it shows (`PANELS`). The compiler holds the two together both
 * ways; the live protocol's diff and street filter walk whatever panels a snapshot carries, the hub
 * refreshes the panels when one of {@link PANEL_FEEDS} stores a batch, the server reads one query a
 * panel, and the display greys a panel whose feed is stale — all from here.
 */
import type { FeedName } from './feeds/index.js';

/** 反诈中心 today (local date), per street. */
export interface FraudToday {
  street: string;
  cases: number;
  lossYuan: number;
  warnings: number;
  dissuaded: number;
  interceptions: number;
  interceptedYuan: number;
}

/**
 * 便民服务窗口: one hall on one local day — today, or, before the halls open, the last day they
 * took tickets (a 24/7 wall shows the last working day's figures at night, labelled with their day).
 */
export interface WindowHall {
  hall: string;
  street: string;
  /** The local date (YYYY-MM-DD) whose tickets these figures count. */
  day: string;
  /** Tickets taken that day and not yet called. */
  waiting: number;
  /** Mean minutes from ticket to call, over the day's called tickets; null before the first. */
  meanWaitMinutes: number | null;
  /** Share (%) of the day's finished tickets finished within their time limit; null before the first. */
  onTimeRate: number | null;
  finished: number;
}

/** 人民调解 per street: accepted today and over 30 days, the 30-day success rate, open cases. */
export interface MediationLive {
  street: string;
  acceptedToday: number;
  accepted30d: number;
  /** Share (%) of the cases closed in 30 days that succeeded; null without closed cases. */
  successRate: number | null;
  pending: number;
}

/** A panel's row belongs to one street: a street viewer is sent only its streets' rows. */
export interface StreetRow {
  street: string;
}

/**
 * Panels as the live protocol carries them: named lists of street rows. The snapshot's panels must
 * be one, so a panel whose rows name no street does not compile (it would need its own filter).
 */
export type PanelSet = Record<string, readonly StreetRow[]>;

/**
 * The panels of the live snapshot. A type rather than an interface so that it is a {@link PanelSet}
 * (an interface gets no implicit index signature).
 */
export type Panels = {
  fraud: FraudToday[];
  windows: WindowHall[];
  mediation: MediationLive[];
};

export type PanelKey = keyof Panels;

export interface PanelDefinition {
  /** The feed whose data the panel shows: a batch of it refreshes the panel, its staleness greys it. */
  feed: FeedName;
}

/** Every panel, exactly the keys of {@link Panels}: one missing, or one too many, does not compile. */
export type PanelDefinitions = { [K in PanelKey]: PanelDefinition };

export const PANELS = {
  fraud: { feed: 'fraud' },
  windows: { feed: 'service-window' },
  mediation: { feed: 'mediation' },
} as const satisfies PanelDefinitions;

/** The panels' keys, in the definition's order. */
export const PANEL_KEYS = Object.keys(PANELS) as PanelKey[];

/** Every panel with no rows: the wall before the first read. */
export function emptyPanels(): Panels {
  return Object.fromEntries(PANEL_KEYS.map((key) => [key, []])) as Record<PanelKey, never[]>;
}

/** The feeds whose batches change a panel. */
export const PANEL_FEEDS: readonly FeedName[] = PANEL_KEYS.map((key) => PANELS[key].feed);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The panels whose rows changed from one snapshot to the next, whole; null when none did. It walks
 * every panel the snapshots carry, so a panel cannot be left out of the deltas.
 */
export function changedPanels<P extends PanelSet>(before: P, after: P): Partial<P> | null {
  const changed: Partial<P> = {};
  for (const key of Object.keys(after) as (keyof P)[])
    if (!same(after[key], before[key])) changed[key] = after[key];
  return Object.keys(changed).length > 0 ? changed : null;
}

/**
 * Each panel's rows of the given streets only. Every panel the view carries is filtered, so none
 * reaches a street viewer whole.
 */
export function panelsForStreets(panels: Partial<PanelSet>, streets: readonly string[]): Partial<PanelSet> {
  const mine: Partial<PanelSet> = {};
  for (const [key, rows] of Object.entries(panels))
    if (rows) mine[key] = rows.filter((row) => streets.includes(row.street));
  return mine;
}
