/**
 * The life of one item of each feed, decided in full when it is created: an incident is reported,
 * dispatched, reached and closed; a ticket waits, is called and finished (or abandoned); a
 * mediation case is accepted and later settled. Each step is a new version of the same item with a
 * later `updatedAt`; the simulator releases a version when its time comes.
 */
import type { FeedItems, FeedName, Incident } from '../../shared/feeds/index.js';
import {
  INTERCEPT_SIGMA,
  LOSS_CAP,
  LOSS_SIGMA,
  rating,
  STOPPED_SHARE,
  type StreetProfile,
} from './calibration.js';
import type { Rng } from '../../shared/random.js';
import { MEDIATION_HOURS, type LocalClock } from './rhythm.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Every version of one item: the instants they become visible (their `updatedAt`), oldest first,
 * and the item as of each. Versions are built only when asked for: thirty days of history hold
 * hundreds of thousands of versions, of which a feed keeps only each item's latest.
 */
export interface Timeline<F extends FeedName = FeedName> {
  feed: F;
  id: string;
  street: string;
  createdAt: number;
  times: readonly number[];
  /** The item as of version `i` (0 = as created). */
  version(i: number): FeedItems[F];
}

/** A timeline of any feed, narrowed by `feed`. */
export type AnyTimeline = { [F in FeedName]: Timeline<F> }[FeedName];

const iso = (ms: number) => new Date(ms).toISOString();

/** Optional fields are left out, never set to undefined: the items carry nothing beyond the contract. */
function community(profile: StreetProfile, rng: Rng): { community?: string } {
  return profile.communities.length > 0 ? { community: rng.pick(profile.communities) } : {};
}

function timeline<F extends FeedName>(
  feed: F,
  profile: StreetProfile,
  id: string,
  times: number[],
  version: (i: number) => FeedItems[F],
): Timeline<F> {
  return { feed, id, street: profile.code, createdAt: times[0]!, times, version };
}

/** 警情: open → dispatched → arrived → closed (cleared or not, for criminal and public-order ones). */
export function incidentTimeline(
  profile: StreetProfile,
  rng: Rng,
  id: string,
  reportedAt: number,
  category: Incident['category'],
  kind: Incident['kind'],
): Timeline<'incident'> {
  const p = profile.incident;
  const homicide = category === 'assault' && kind === 'criminal' && rng.chance(p.homicideShare);
  const dispatchMinutes = rng.between(0.5, 3);
  // The response target is 15 minutes: on-time arrivals fall before it, late ones well after.
  const arriveMinutes = rng.chance(p.onTime) ? rng.between(dispatchMinutes + 2, 14.5) : rng.between(15.5, 45);
  const arrivedAt = Math.round(reportedAt + arriveMinutes * MINUTE);
  const closedAt = Math.round(
    arrivedAt + (kind === 'other' ? rng.between(10, 90) : rng.between(30, 240)) * MINUTE,
  );
  let outcome: Pick<Incident, 'cleared' | 'gang'> = {};
  if (kind === 'criminal') {
    const cleared = rng.chance(homicide ? p.homicideClear : p.clearCriminal);
    outcome = cleared && !homicide && rng.chance(p.gangShare) ? { cleared, gang: true } : { cleared };
  } else if (kind === 'public_order') {
    outcome = { cleared: rng.chance(p.clearPublicOrder) };
  }
  const base = {
    reportedAt: iso(reportedAt),
    street: profile.code,
    ...community(profile, rng),
    category,
    kind,
    ...(homicide ? { homicide: true } : {}),
  };
  const dispatchedAt = Math.round(reportedAt + dispatchMinutes * MINUTE);
  return timeline('incident', profile, id, [reportedAt, dispatchedAt, arrivedAt, closedAt], (i) => {
    const at = [reportedAt, dispatchedAt, arrivedAt, closedAt][i]!;
    const head = { id, updatedAt: iso(at), ...base };
    if (i === 0) return { ...head, status: 'open' };
    if (i === 1) return { ...head, status: 'dispatched' };
    if (i === 2) return { ...head, status: 'arrived', arrivedAt: iso(arrivedAt) };
    return { ...head, status: 'closed', arrivedAt: iso(arrivedAt), closedAt: iso(closedAt), ...outcome };
  });
}

/**
 * 反诈中心: a case is reported with its loss, and for some the centre later stops part of the money
 * (止付), which updates the case with `interceptedYuan`; an interception stops a transfer before any
 * loss; a warning (预警) is followed by whether the call dissuaded the victim (劝阻).
 */
export function fraudTimeline(
  profile: StreetProfile,
  rng: Rng,
  id: string,
  occurredAt: number,
  type: 'case' | 'warning' | 'interception',
): Timeline<'fraud'> {
  const p = profile.fraud;
  const base = { id, updatedAt: iso(occurredAt), occurredAt: iso(occurredAt), street: profile.code };
  const where = community(profile, rng);
  if (type === 'interception') {
    const interceptedYuan = Math.round(rng.logNormal(p.interceptionMedian, INTERCEPT_SIGMA));
    return timeline('fraud', profile, id, [occurredAt], () => ({ ...base, ...where, type, interceptedYuan }));
  }
  if (type === 'case') {
    const lossYuan = Math.round(Math.min(LOSS_CAP, rng.logNormal(p.lossMedian, LOSS_SIGMA)));
    const reported = { ...base, ...where, type, lossYuan };
    if (!rng.chance(p.stopped)) return timeline('fraud', profile, id, [occurredAt], () => reported);
    const stoppedAt = Math.round(occurredAt + rng.between(1, 48) * HOUR);
    const interceptedYuan = Math.round(lossYuan * rng.between(STOPPED_SHARE.min, STOPPED_SHARE.max));
    return timeline('fraud', profile, id, [occurredAt, stoppedAt], (i) =>
      i === 0 ? reported : { ...reported, updatedAt: iso(stoppedAt), interceptedYuan },
    );
  }
  const decidedAt = Math.round(occurredAt + rng.between(5, 60) * MINUTE);
  const dissuaded = rng.chance(p.dissuaded);
  return timeline('fraud', profile, id, [occurredAt, decidedAt], (i) =>
    i === 0 ? { ...base, ...where, type } : { ...base, updatedAt: iso(decidedAt), ...where, type, dissuaded },
  );
}

/** What a hall offers and its standard time (办结时限), minutes from taking a ticket. */
const SERVICES = [
  { service: '户籍办理', limit: 40 },
  { service: '居住证', limit: 40 },
  { service: '社保医保', limit: 45 },
  { service: '公积金', limit: 45 },
  { service: '民政救助', limit: 60 },
  { service: '营业执照', limit: 60 },
  { service: '不动产登记', limit: 90 },
] as const;

/** P(wait ≤ x) for the shape-2 gamma waits of {@link Rng.gamma2}. */
const waitWithin = (x: number, mean: number) => 1 - Math.exp((-2 * x) / mean) * (1 + (2 * x) / mean);

/** 便民服务窗口: waiting → serving (called) → done, or waiting → abandoned. */
export function ticketTimeline(
  profile: StreetProfile,
  rng: Rng,
  id: string,
  takenAt: number,
): Timeline<'service-window'> {
  const p = profile.window;
  const { service, limit } = rng.pick(SERVICES);
  const base = {
    hall: profile.hall,
    street: profile.code,
    service,
    takenAt: iso(takenAt),
    limitMinutes: limit,
  };
  if (rng.chance(p.abandoned)) {
    const leftAt = Math.round(takenAt + rng.between(10, 40) * MINUTE);
    return timeline('service-window', profile, id, [takenAt, leftAt], (i) =>
      i === 0
        ? { id, updatedAt: iso(takenAt), ...base, status: 'waiting' }
        : { id, updatedAt: iso(leftAt), ...base, status: 'abandoned' },
    );
  }
  const wait = rng.gamma2(p.waitMean);
  // A wait past the limit is late whatever follows; the rest are on time with the probability that
  // brings the street's overall on-time share to its target.
  const canMakeIt = wait <= limit - 3;
  const onTime = canMakeIt && rng.chance(Math.min(1, p.onTime / waitWithin(limit - 3, p.waitMean)));
  const serve = onTime
    ? rng.between(3, Math.min(25, limit - wait))
    : canMakeIt
      ? limit - wait + rng.between(1, 25)
      : rng.between(5, 20);
  const calledAt = Math.round(takenAt + wait * MINUTE);
  const finishedAt = Math.round(calledAt + serve * MINUTE);
  return timeline('service-window', profile, id, [takenAt, calledAt, finishedAt], (i) => {
    if (i === 0) return { id, updatedAt: iso(takenAt), ...base, status: 'waiting' };
    const called = { ...base, calledAt: iso(calledAt) };
    if (i === 1) return { id, updatedAt: iso(calledAt), ...called, status: 'serving' };
    return { id, updatedAt: iso(finishedAt), ...called, finishedAt: iso(finishedAt), status: 'done' };
  });
}

const DISPUTE_TYPES = [
  '邻里纠纷',
  '婚姻家庭',
  '劳动争议',
  '物业纠纷',
  '交通事故',
  '消费纠纷',
  '土地承包',
] as const;

/** 人民调解: pending → success, failed or referred; settled in office hours, half the same day. */
export function mediationTimeline(
  profile: StreetProfile,
  rng: Rng,
  id: string,
  acceptedAt: number,
  clock: LocalClock,
): Timeline<'mediation'> {
  const p = profile.mediation;
  const u = rng.next();
  const delay =
    u < 0.5 ? rng.between(1, 5) * HOUR : u < 0.85 ? rng.between(1, 3) * DAY : rng.between(3, 10) * DAY;
  const settledAt = Math.round(acceptedAt + delay);
  let closedAt = clock.nextWithin(settledAt, MEDIATION_HOURS.from, MEDIATION_HOURS.to);
  // Settlements that would fall at night move to the next morning, spread over its first hours.
  if (closedAt !== settledAt) closedAt += Math.round(rng.between(0, 180) * MINUTE);
  const status = rng.chance(p.success) ? 'success' : rng.chance(0.5) ? 'failed' : 'referred';
  const base = {
    acceptedAt: iso(acceptedAt),
    street: profile.code,
    ...community(profile, rng),
    type: rng.pick(DISPUTE_TYPES),
  };
  return timeline('mediation', profile, id, [acceptedAt, closedAt], (i) =>
    i === 0
      ? { id, updatedAt: iso(acceptedAt), ...base, status: 'pending' }
      : { id, updatedAt: iso(closedAt), ...base, status, closedAt: iso(closedAt) },
  );
}

/** 公众评价: one response, recorded once; most also rate the four departments. */
export function surveyTimeline(
  profile: StreetProfile,
  rng: Rng,
  id: string,
  surveyedAt: number,
): Timeline<'survey'> {
  const p = profile.survey;
  const method = (['door', 'phone', 'online'] as const)[rng.weighted([0.5, 0.4, 0.1])]!;
  const item: FeedItems['survey'] = {
    id,
    updatedAt: iso(surveyedAt),
    surveyedAt: iso(surveyedAt),
    street: profile.code,
    community: profile.communities.length > 0 ? rng.pick(profile.communities) : profile.code,
    method,
    safety: rating(rng, p.safety),
    satisfaction: rating(rng, p.satisfaction),
  };
  if (rng.chance(0.7))
    item.departments = {
      police: rating(rng, p.police),
      urban: rating(rng, p.urban),
      environment: rating(rng, p.environment),
      market: rating(rng, p.market),
    };
  return timeline('survey', profile, id, [surveyedAt], () => item);
}
