/**
 * How often things happen in each street, and how well each street is run. Rates are per 10,000
 * residents per 30 days (the unit of the count indicators), calibrated so that the feed-based
 * indicators of the default configuration land between their goalposts: a well-run street near the
 * satisfactory value (满意值), a badly run one well short of the unacceptable value (不允许值).
 */
import type { CityConfig } from '../../shared/city.js';
import type { Incident } from '../../shared/feeds/index.js';
import { hashSeed, Rng } from '../../shared/random.js';

const PER_10K = 10_000;
const MONTH_DAYS = 30;

/** One kind of incident: its category, its kind and its rate in the best and the worst street. */
export interface IncidentStream {
  category: Incident['category'];
  kind: Incident['kind'];
  /** Per 10k residents per 30 days. */
  best: number;
  worst: number;
}

/**
 * Crime and public order are a thin slice: most calls are traffic, disputes and everything else
 * (help, lost property, noise), which keeps the feed busy at every hour without moving the crime
 * rates. Contact crimes (robbery, snatching, assault) are all criminal.
 */
export const INCIDENT_STREAMS: readonly IncidentStream[] = [
  { category: 'theft', kind: 'criminal', best: 3.5, worst: 5.5 },
  { category: 'robbery', kind: 'criminal', best: 0.06, worst: 0.14 },
  { category: 'snatching', kind: 'criminal', best: 0.05, worst: 0.12 },
  { category: 'assault', kind: 'criminal', best: 0.6, worst: 1.3 },
  { category: 'fraud', kind: 'criminal', best: 0.3, worst: 0.6 },
  { category: 'other', kind: 'criminal', best: 1.0, worst: 1.4 },
  { category: 'vice', kind: 'public_order', best: 0.2, worst: 0.5 },
  { category: 'dispute', kind: 'public_order', best: 3.0, worst: 5.0 },
  { category: 'other', kind: 'public_order', best: 4.5, worst: 7.5 },
  { category: 'fire', kind: 'other', best: 0.8, worst: 1.2 },
  { category: 'traffic', kind: 'other', best: 430, worst: 470 },
  { category: 'dispute', kind: 'other', best: 330, worst: 370 },
  { category: 'other', kind: 'other', best: 660, worst: 700 },
];

/** The kind an extra incident of a category gets (spikes name only the category). */
export const KIND_OF: Record<Incident['category'], Incident['kind']> = {
  theft: 'criminal',
  robbery: 'criminal',
  snatching: 'criminal',
  assault: 'criminal',
  fraud: 'criminal',
  vice: 'public_order',
  dispute: 'other',
  traffic: 'other',
  fire: 'other',
  other: 'other',
};

/** Everything the generator needs to know about one street. */
export interface StreetProfile {
  code: string;
  /** Position in the city configuration; part of every stream's seed. */
  index: number;
  population: number;
  communities: readonly string[];
  /** The street's service hall (便民服务中心). */
  hall: string;
  /** 0 = the best-run street of the city … 1 = the worst; spread evenly so the ranking is never flat. */
  badness: number;
  incident: {
    /** Events per day of each of {@link INCIDENT_STREAMS}, same order. */
    perDay: number[];
    /** Share reached within the 15-minute response target. */
    onTime: number;
    /** Share of criminal / public-order incidents cleared (破案, 查处) when closed. */
    clearCriminal: number;
    clearPublicOrder: number;
    /** Share of cleared criminal cases that were gangs (团伙). */
    gangShare: number;
    /** Share of assaults that are homicides (命案), and of those the share cleared. */
    homicideShare: number;
    homicideClear: number;
  };
  fraud: {
    casesPerDay: number;
    warningsPerDay: number;
    interceptionsPerDay: number;
    /** Median loss of a case, yuan (log-normal, σ = {@link LOSS_SIGMA}). */
    lossMedian: number;
    /** Share of cases where part of the money is later stopped (止付), see {@link STOPPED_SHARE}. */
    stopped: number;
    /** Median amount stopped by one interception, yuan (log-normal, σ = {@link INTERCEPT_SIGMA}). */
    interceptionMedian: number;
    /** Share of warnings that dissuade the victim (劝阻成功). */
    dissuaded: number;
  };
  window: { ticketsPerDay: number; waitMean: number; onTime: number; abandoned: number };
  mediation: { casesPerDay: number; success: number };
  survey: {
    perDay: number;
    /** Mean rating, 1–5. */
    safety: number;
    satisfaction: number;
    police: number;
    urban: number;
    environment: number;
    market: number;
  };
}

export const LOSS_SIGMA = 0.9;
/** Losses above this are capped: one freak case should not decide a month. */
export const LOSS_CAP = 200_000;
export const INTERCEPT_SIGMA = 0.5;
/** The part of a case's loss that is stopped, when some is: uniform in this range (mean ½). */
export const STOPPED_SHARE = { min: 0.2, max: 0.8 } as const;

const lerp = (best: number, worst: number, position: number) => best + (worst - best) * position;
const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x));

/**
 * The profile of every street for a seed: a seeded permutation of evenly spaced qualities, and for
 * each aspect (theft, response, waits…) a little independent jitter, so that streets differ and a
 * street good at one thing is not automatically good at everything.
 */
export function streetProfiles(city: CityConfig, seed: number): StreetProfile[] {
  const n = city.streets.length;
  const order = new Rng(hashSeed(seed, 0xc17)).shuffle(city.streets.map((_, i) => i));
  return city.streets.map((street, index) => {
    const badness = n === 1 ? 0.5 : order.indexOf(index) / (n - 1);
    const rng = new Rng(hashSeed(seed, 0x5e7, index));
    const position = () => clamp(badness + 0.15 * rng.normal(), 0, 1);
    const perDay = (per10kPer30Days: number) => (per10kPer30Days * street.population) / PER_10K / MONTH_DAYS;
    const at = (best: number, worst: number) => lerp(best, worst, position());

    const incidentPerDay = INCIDENT_STREAMS.map((s) => perDay(at(s.best, s.worst)));
    const clearCriminal = at(0.34, 0.22);
    const criminalPerMonth = INCIDENT_STREAMS.reduce(
      (sum, s, i) => sum + (s.kind === 'criminal' ? (incidentPerDay[i] ?? 0) * MONTH_DAYS : 0),
      0,
    );
    const assaultPerDay = incidentPerDay[INCIDENT_STREAMS.findIndex((s) => s.category === 'assault')] ?? 0;
    // Gang cases are counted, not rated per resident: about one a month in every street, whatever its size.
    const gangsPerMonth = at(1.6, 0.6);

    const cases = perDay(at(1.2, 2.8));
    // 止付挽损率 = Σ intercepted / Σ lost comes mostly from money stopped on reported cases (a share
    // of each case's own loss, so a month's ratio cannot run wild); interceptions before any loss
    // are rare and small and add a few points at most.
    const stoppedRecovery = at(0.26, 0.13);

    const satisfaction = at(4.6, 4.15);
    return {
      code: street.code,
      index,
      population: street.population,
      communities: street.communities,
      hall: `${street.name.zh}便民服务中心`,
      badness,
      incident: {
        perDay: incidentPerDay,
        onTime: at(0.97, 0.9),
        clearCriminal,
        clearPublicOrder: at(0.45, 0.33),
        gangShare: Math.min(0.5, gangsPerMonth / Math.max(1, criminalPerMonth * clearCriminal)),
        // About 0.006 homicides per 10k residents a month: a handful a year in the whole city.
        homicideShare: assaultPerDay > 0 ? perDay(0.006) / assaultPerDay : 0,
        homicideClear: 0.97,
      },
      fraud: {
        casesPerDay: cases,
        warningsPerDay: perDay(60),
        interceptionsPerDay: perDay(0.5),
        lossMedian: at(12_000, 14_700),
        stopped: stoppedRecovery / ((STOPPED_SHARE.min + STOPPED_SHARE.max) / 2),
        interceptionMedian: 1500,
        dissuaded: at(0.92, 0.8),
      },
      window: {
        ticketsPerDay: (10 * street.population) / PER_10K,
        waitMean: at(8, 18),
        onTime: at(0.98, 0.92),
        abandoned: at(0.02, 0.05),
      },
      mediation: { casesPerDay: perDay(at(12, 15)), success: at(0.96, 0.9) },
      survey: {
        perDay: (4 * street.population) / PER_10K,
        safety: at(4.65, 4.2),
        satisfaction,
        police: clamp(satisfaction + 0.05, 3.9, 4.75),
        urban: clamp(satisfaction - 0.15, 3.9, 4.75),
        environment: clamp(satisfaction - 0.05, 3.9, 4.75),
        market: clamp(satisfaction - 0.1, 3.9, 4.75),
      },
    };
  });
}

/**
 * A 1–5 rating with the given mean: 1, 2 and 3 fixed at 1%, 2% and 7%, and the remaining 90%
 * split between 4 and 5 so that the mean comes out right (P(4) = 4.76 − mean). Means 3.9–4.75.
 */
export function rating(rng: Rng, mean: number): number {
  const four = 4.76 - clamp(mean, 3.9, 4.75);
  return 1 + rng.weighted([0.01, 0.02, 0.07, four, 0.9 - four]);
}
