/**
 * The running simulation, without any I/O: the city model turned into five change logs as time
 * passes. `advance(now)` generates what happened since the last call and releases every version
 * whose moment has come; scenario spikes fire and outages open and close against the same `now`,
 * so a test can drive the whole thing with a fake clock.
 */
import {
  FEEDS,
  type FeedItems,
  type FeedName,
  type FraudEvent,
  type Incident,
} from '../../shared/feeds/index.js';
import { ChangeLog } from './log.js';
import { byCreation, generateTimelines, spikeTimelines, type AnyTimeline, type CityModel } from './model.js';
import { TimeQueue } from './queue.js';
import type { OutageMode, Scenario, SpikeEvent, SpikeFeed } from './scenario.js';

const DAY_MS = 86_400_000;

/** One change log per feed. */
export type FeedLogs = { [F in FeedName]: ChangeLog<FeedItems[F]> };

/** A feed failing in one way from `from` until `until` (epoch ms). */
export interface OutageWindow {
  feed: FeedName;
  mode: OutageMode;
  from: number;
  until: number;
  source: 'scenario' | 'control';
}

/** Extra events of one category in one street, spread over `overMs` from now. */
export interface SpikeRequest {
  feed?: SpikeFeed;
  street: string;
  category: string;
  count: number;
  overMs?: number;
}

/** A feed as `GET /control/status` shows it. */
export interface FeedStatus {
  /** Distinct items. */
  items: number;
  /** The cursor of the latest change. */
  head: string;
  outage: { mode: OutageMode; until: string; source: OutageWindow['source'] } | null;
}

interface Due {
  timeline: AnyTimeline;
  /** Which version of the timeline. */
  index: number;
}

export interface SimulationOptions {
  /** History generated before `startedAt`, in days. */
  backfillDays: number;
  scenario?: Scenario;
}

export class Simulation {
  readonly logs = Object.fromEntries(FEEDS.map((feed) => [feed, new ChangeLog()])) as FeedLogs;
  private readonly queue = new TimeQueue<Due>();
  private generatedTo: number;
  private spikes = 0;
  private readonly scenarioSpikes: { event: SpikeEvent; fired: boolean }[] = [];
  private readonly outages: OutageWindow[] = [];

  /** Generates `backfillDays` of history up to `startedAt` at once. */
  constructor(
    readonly model: CityModel,
    readonly startedAt: number,
    options: SimulationOptions,
  ) {
    this.generatedTo = startedAt - options.backfillDays * DAY_MS;
    for (const event of options.scenario?.events ?? []) {
      if (event.kind === 'spike') this.scenarioSpikes.push({ event, fired: false });
      else
        this.outages.push({
          feed: event.feed,
          mode: event.mode,
          from: startedAt + event.at,
          until: startedAt + event.at + event.for,
          source: 'scenario',
        });
    }
    this.advance(startedAt);
  }

  /** Generates up to `now` and publishes every change due by then; returns how many were published. */
  advance(now: number): number {
    const due: Due[] = [];
    for (const spike of this.scenarioSpikes) {
      const at = this.startedAt + spike.event.at;
      if (spike.fired || at > now) continue;
      spike.fired = true;
      const { feed, street, category, count, over } = spike.event;
      this.enqueue(this.spikeTimelines({ feed, street, category, count, overMs: over ?? 0 }, at));
    }
    if (now > this.generatedTo) {
      // The bulk path (30 days at start): only each item's latest version so far is published, the
      // rest wait in the queue.
      for (const timeline of generateTimelines(this.model, this.generatedTo, now)) {
        let latest = -1;
        timeline.times.forEach((at, index) => {
          if (at <= now) latest = index;
          else this.queue.push(at, { timeline, index });
        });
        if (latest >= 0) due.push({ timeline, index: latest });
      }
      this.generatedTo = now;
    }
    due.push(...this.queue.popDue(now));
    return this.publish(due);
  }

  /** Schedules a spike starting at `now` and publishes what is already due; returns the events added. */
  spike(request: SpikeRequest, now: number): number {
    const timelines = this.spikeTimelines(request, now);
    this.enqueue(timelines);
    this.advance(now);
    return timelines.length;
  }

  /** Makes a feed fail in the given way for `ms` from `now`. */
  outage(feed: FeedName, mode: OutageMode, ms: number, now: number): void {
    this.outages.push({ feed, mode, from: now, until: now + ms, source: 'control' });
  }

  /** The outage a feed is in at `now` (the latest begun, when several overlap), if any. */
  outageAt(feed: FeedName, now: number): OutageWindow | undefined {
    let found: OutageWindow | undefined;
    for (const window of this.outages)
      if (
        window.feed === feed &&
        window.from <= now &&
        now < window.until &&
        (!found || window.from >= found.from)
      )
        found = window;
    return found;
  }

  /** What the simulation is doing, for `GET /control/status`. */
  status(now: number) {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      city: this.model.city.city.code,
      seed: this.model.seed,
      startedAt: iso(this.startedAt),
      now: iso(now),
      pendingChanges: this.queue.size,
      feeds: Object.fromEntries(
        FEEDS.map((feed): [FeedName, FeedStatus] => {
          const outage = this.outageAt(feed, now);
          return [
            feed,
            {
              items: this.logs[feed].size,
              head: String(this.logs[feed].head),
              outage: outage ? { mode: outage.mode, until: iso(outage.until), source: outage.source } : null,
            },
          ];
        }),
      ) as Record<FeedName, FeedStatus>,
      scenario: [
        ...this.scenarioSpikes.map(({ event, fired }) => ({
          kind: 'spike',
          feed: event.feed,
          street: event.street,
          category: event.category,
          count: event.count,
          at: iso(this.startedAt + event.at),
          until: iso(this.startedAt + event.at + (event.over ?? 0)),
          state: fired ? 'fired' : 'pending',
        })),
        ...this.outages
          .filter((o) => o.source === 'scenario')
          .map((o) => ({
            kind: 'outage',
            feed: o.feed,
            mode: o.mode,
            at: iso(o.from),
            until: iso(o.until),
            state: now < o.from ? 'pending' : now < o.until ? 'active' : 'over',
          })),
      ],
    };
  }

  private spikeTimelines(request: SpikeRequest, from: number): AnyTimeline[] {
    return spikeTimelines(this.model, {
      feed: request.feed ?? 'incident',
      street: request.street,
      category: request.category as Incident['category'] | FraudEvent['type'],
      count: request.count,
      from,
      overMs: request.overMs ?? 0,
      tag: ++this.spikes,
    });
  }

  private enqueue(timelines: AnyTimeline[]): void {
    for (const timeline of timelines)
      timeline.times.forEach((at, index) => this.queue.push(at, { timeline, index }));
  }

  /**
   * Appends the due versions to their feeds in time order. Of several due versions of one item only
   * the latest is appended: the log would supersede the others at once anyway.
   */
  private publish(due: Due[]): number {
    const latest = new Map<string, Due>();
    for (const d of due) {
      const key = `${d.timeline.feed}\u0000${d.timeline.id}`;
      const seen = latest.get(key);
      if (!seen || d.index > seen.index) latest.set(key, d);
    }
    const ordered = [...latest.values()].sort(
      (a, b) => a.timeline.times[a.index]! - b.timeline.times[b.index]! || byCreation(a.timeline, b.timeline),
    );
    for (const { timeline, index } of ordered) {
      // The union narrows per feed; TypeScript cannot follow it through the indexed log.
      (this.logs[timeline.feed] as ChangeLog<FeedItems[FeedName]>).append(timeline.version(index));
    }
    return ordered.length;
  }
}
