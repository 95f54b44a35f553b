/**
 * The city model: given the city configuration and a seed, which events happen in a span of time,
 * each with its whole life. Pure: no clock, no I/O. Events are drawn per (feed, street, quarter
 * hour) from a generator seeded by those coordinates, so any span — thirty days at start, one
 * second per tick — yields exactly the events that any other partition of the same time would.
 */
import type { CityConfig } from '../../shared/city.js';
import {
  FEED_CATALOGUE,
  FEEDS,
  type FeedName,
  type FraudEvent,
  type Incident,
} from '../../shared/feeds/index.js';
import { INCIDENT_STREAMS, KIND_OF, streetProfiles, type StreetProfile } from './calibration.js';
import {
  fraudTimeline,
  incidentTimeline,
  mediationTimeline,
  surveyTimeline,
  ticketTimeline,
  type AnyTimeline,
  type Timeline,
} from './lifecycles.js';
import { hashSeed, Rng } from '../../shared/random.js';
import { LocalClock, QUARTER_MS, QUARTERS_PER_DAY, quarterWeight } from './rhythm.js';

export type { AnyTimeline } from './lifecycles.js';

/** The seed used when none is given. */
export const DEFAULT_SEED = 20261125;

const FRAUD_TYPES = ['case', 'warning', 'interception'] as const;

/** A city ready to generate: its street profiles for the seed and its local clock. */
export interface CityModel {
  city: CityConfig;
  seed: number;
  streets: readonly StreetProfile[];
  clock: LocalClock;
}

/** Builds the model of a city for a seed (same seed, same city). */
export function createCityModel(city: CityConfig, seed: number = DEFAULT_SEED): CityModel {
  return { city, seed, streets: streetProfiles(city, seed), clock: new LocalClock(city.city.timezone) };
}

/** `20261125T0315Z`: the UTC quarter an item was drawn in, readable in its id. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '') + 'Z';
}

/**
 * The simulator's part of each feed: how many items a street has a day, before the daily rhythm
 * (rhythm.ts) spreads them, and the whole life of one (lifecycles.ts).
 */
interface FeedSimulation<F extends FeedName> {
  /** Expected events per day in a street, before the daily rhythm spreads them. */
  dailyRate(p: StreetProfile): number;
  /** One item created at `at`, with its whole life. */
  build(model: CityModel, p: StreetProfile, rng: Rng, id: string, at: number): Timeline<F>;
}

const SIMULATIONS: { [F in FeedName]: FeedSimulation<F> } = {
  incident: {
    dailyRate: (p) => p.incident.perDay.reduce((a, b) => a + b, 0),
    build: (_model, p, rng, id, at) => {
      const stream = INCIDENT_STREAMS[rng.weighted(p.incident.perDay)]!;
      return incidentTimeline(p, rng, id, at, stream.category, stream.kind);
    },
  },
  fraud: {
    dailyRate: (p) => p.fraud.casesPerDay + p.fraud.warningsPerDay + p.fraud.interceptionsPerDay,
    build: (_model, p, rng, id, at) => {
      const f = p.fraud;
      const type = FRAUD_TYPES[rng.weighted([f.casesPerDay, f.warningsPerDay, f.interceptionsPerDay])]!;
      return fraudTimeline(p, rng, id, at, type);
    },
  },
  'service-window': {
    dailyRate: (p) => p.window.ticketsPerDay,
    build: (_model, p, rng, id, at) => ticketTimeline(p, rng, id, at),
  },
  mediation: {
    dailyRate: (p) => p.mediation.casesPerDay,
    build: (model, p, rng, id, at) => mediationTimeline(p, rng, id, at, model.clock),
  },
  survey: {
    dailyRate: (p) => p.survey.perDay,
    build: (_model, p, rng, id, at) => surveyTimeline(p, rng, id, at),
  },
};

/** Orders timelines by creation, then feed, then id: the order they enter the feeds. */
export function byCreation(a: AnyTimeline, b: AnyTimeline): number {
  return (
    a.createdAt - b.createdAt ||
    FEEDS.indexOf(a.feed) - FEEDS.indexOf(b.feed) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * Every item created in [from, to) in every feed and street, with its whole life (versions whose
 * time may lie after `to`), in creation order.
 */
export function generateTimelines(model: CityModel, from: number, to: number): AnyTimeline[] {
  const out: AnyTimeline[] = [];
  if (to <= from) return out;
  const first = Math.floor(from / QUARTER_MS);
  const last = Math.ceil(to / QUARTER_MS);
  // In the feeds' order (shared/feeds), whose position seeds their generators.
  FEEDS.forEach((feed, feedIndex) => {
    for (const street of model.streets) {
      const perQuarter = SIMULATIONS[feed].dailyRate(street) / QUARTERS_PER_DAY;
      for (let quarter = first; quarter < last; quarter++) {
        const start = quarter * QUARTER_MS;
        const weight = quarterWeight(feed, model.clock.minuteOfDay(start));
        if (weight === 0) continue;
        const rng = new Rng(hashSeed(model.seed, feedIndex, street.index, quarter));
        const count = rng.poisson(perQuarter * weight);
        // Draw every time first, then each item from its own generator: cutting the quarter at
        // `from` or `to` then changes which items are kept, never what they are.
        const times = Array.from({ length: count }, () => start + Math.floor(rng.next() * QUARTER_MS));
        times.forEach((at, n) => {
          if (at < from || at >= to) return;
          const id = `${FEED_CATALOGUE.idPrefix[feed]}-${street.code}-${stamp(start)}-${String(n).padStart(2, '0')}`;
          const itemRng = new Rng(hashSeed(model.seed, feedIndex, street.index, quarter, n + 1));
          out.push(SIMULATIONS[feed].build(model, street, itemRng, id, at));
        });
      }
    }
  });
  return out.sort(byCreation);
}

/** Extra events of one category in one street, spread evenly over a span: a scenario's spike. */
export interface SpikeSpec {
  feed: 'incident' | 'fraud';
  street: string;
  /** An incident category, or a fraud type (case, warning, interception). */
  category: Incident['category'] | FraudEvent['type'];
  count: number;
  from: number;
  overMs: number;
  /** Tells spikes apart in their ids: `INC-jinfang-SPK1-007`. */
  tag: string | number;
}

/** The items of a spike, with their whole lives. Throws on an unknown street or category. */
export function spikeTimelines(model: CityModel, spike: SpikeSpec): AnyTimeline[] {
  const profile = model.streets.find((s) => s.code === spike.street);
  if (!profile) throw new RangeError(`no street "${spike.street}" in ${model.city.city.code}`);
  const rng = new Rng(hashSeed(model.seed, 0x5b1c, profile.index, spike.from, spike.count));
  return Array.from({ length: spike.count }, (_, n) => {
    const at = spike.from + Math.floor((spike.overMs * (n + rng.next())) / spike.count);
    const id = `${FEED_CATALOGUE.idPrefix[spike.feed]}-${profile.code}-SPK${spike.tag}-${String(n).padStart(3, '0')}`;
    if (spike.feed === 'fraud') {
      if (!(FRAUD_TYPES as readonly string[]).includes(spike.category))
        throw new RangeError(`"${spike.category}" is not a fraud type (${FRAUD_TYPES.join(', ')})`);
      return fraudTimeline(profile, rng, id, at, spike.category as FraudEvent['type']);
    }
    if (!(spike.category in KIND_OF)) throw new RangeError(`"${spike.category}" is not an incident category`);
    const category = spike.category as Incident['category'];
    return incidentTimeline(profile, rng, id, at, category, KIND_OF[category]);
  });
}
