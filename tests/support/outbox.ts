/**
 * The outbox and its dispatcher on a test database, with a local webhook receiver and a clock the
 * test moves: what the outbox and dispatch tests share. `useOutbox` registers the hooks that give
 * every test a new database, receiver and dispatcher; the notifications come from the pure
 * lifecycle, as the evaluator would hand them over.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';
import { AlertDispatcher, type DispatcherOptions } from '../../server/alerts/dispatcher.js';
import { AckLinks } from '../../server/alerts/links.js';
import { AlertOutbox, type OutboxItem } from '../../server/alerts/outbox.js';
import { SubscriptionRepository } from '../../server/alerts/subscriptions.js';
import { loadCityConfig } from '../../server/config/city.js';
import { openDatabase, type Database, type Db } from '../../server/db/client.js';
import { alertOutbox } from '../../server/db/schema/index.js';
import { createLogger } from '../../server/logger.js';
import { createMetrics } from '../../server/metrics.js';
import {
  explainAlert,
  step,
  type Observation,
  type Severity,
  type SubscriptionInput,
} from '../../shared/alerts/index.js';
import type { CityConfig } from '../../shared/city.js';
import type { DatabaseTarget, TestDatabase } from './databases.js';
import { startHttpReceiver, type HttpReceiver } from './receivers.js';

export const SECRET = 'whsec-0123456789abcdef';
export const QUERY_TOKEN = 'q-token-5f1e2d3c4b5a';
/** The environment the channels' `env:NAME` references are read from. */
export const ENV = { PINGAN_SECRET_HOOK: SECRET };
export const MAX_BACKOFF_MS = 60_000;
export const LEASE_MS = 120_000;
export const T0 = new Date('2026-11-25T02:00:00Z'); // 10:00 in Anning

let city: CityConfig;

/** Anning's configuration, read once. */
export async function anning(): Promise<CityConfig> {
  return (city ??= await loadCityConfig('config/anning.json'));
}

/** The lifecycle's timing in these tests: fire at once, repeat after 30 minutes, escalate after 60. */
export const LIFECYCLE = { pendingMinutes: 0, repeatMinutes: 30, escalateMinutes: 60 };

/**
 * A firing alert's first notification and its text, as the evaluator hands them to the outbox;
 * explained with Anning's configuration as `anning()` read it, unless another is given.
 */
export function fired(observation: Observation, at: Date, config: CityConfig = city): OutboxItem {
  const { state, effects } = step(null, observation, at, LIFECYCLE);
  const effect = effects[0];
  if (!state || !effect) throw new Error('expected the alert to fire');
  return { effect, text: explainAlert(state, { config }) };
}

export const indexDropObservation = (street: string, severity: Severity = 'warning'): Observation => ({
  key: { rule: 'indexDrop', street },
  condition: 'breach',
  severity,
  detail: { rule: 'indexDrop', index: 80.2, baseline: 86.4, drop: 6.2, points: 3, baselineDays: 7 },
});

/** The fraud feed gone stale: an alert for operators, without a street, which an administrator may acknowledge. */
export const staleFraudFeed: Observation = {
  key: { rule: 'feedStale', street: null, feed: 'fraud' },
  condition: 'breach',
  severity: 'warning',
  detail: { rule: 'feedStale', feed: 'fraud', lastSuccessAt: null, staleMinutes: null, minutes: 15 },
};

export const indexDrop = (street: string, at: Date, severity: Severity = 'warning') =>
  fired(indexDropObservation(street, severity), at);

export const robbery = (event: string, at: Date) =>
  fired(
    {
      key: { rule: 'zeroTolerance', street: 'jinfang', event },
      condition: 'breach',
      severity: 'critical',
      detail: { rule: 'zeroTolerance', event, category: 'robbery', community: null, at: at.toISOString() },
    },
    at,
  );

export const webhook = (url: string, timeoutMs = 1000) => ({
  kind: 'webhook' as const,
  config: { url, secret: 'env:PINGAN_SECRET_HOOK', timeoutMs },
});

export const streetHead = (url: string, fields: Partial<SubscriptionInput> = {}): SubscriptionInput => ({
  name: '金方街道负责人',
  kind: 'person',
  streets: ['jinfang'],
  channels: [webhook(url)],
  ...fields,
});

/** A port nothing listens on (yet), and a receiver to start on it later. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A receiver on `port` that records the idempotency key of every request it gets. */
export async function listenOn(port: number, keys: string[]): Promise<Server> {
  const server = createServer((request, response) => {
    keys.push(String(request.headers['idempotency-key']));
    request.resume();
    request.on('end', () => response.writeHead(200).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

/** What one test works with; `now` is the clock every part reads, and the test moves it. */
export class OutboxTest {
  now = T0;
  testDatabase!: TestDatabase;
  database!: Database;
  receiver!: HttpReceiver;
  metrics!: ReturnType<typeof createMetrics>;
  subscriptions!: SubscriptionRepository;
  outbox!: AlertOutbox;
  dispatcher!: AlertDispatcher;

  readonly clock = (): Date => this.now;

  /** The receiver's hook, with a secret in its query that must never show anywhere. */
  hookUrl(): string {
    return `${this.receiver.origin}/hook?token=${QUERY_TOKEN}`;
  }

  /** (Re)opens the test database, as a restarted server would. */
  async open(): Promise<void> {
    this.database = await openDatabase({
      url: this.testDatabase.url,
      pgliteDir: this.testDatabase.pgliteDir,
      pgliteImage: this.testDatabase.pgliteImage,
    });
    await this.database.migrate();
    this.subscriptions = new SubscriptionRepository(this.database.db, city, { clock: this.clock, env: ENV });
    const links = new AckLinks(Buffer.from('k'.repeat(32)), 'https://pingan.example.gov.cn', 72 * 3_600_000);
    this.outbox = new AlertOutbox(this.database.db, city, {
      ackLink: (alert, sub, at) => links.url(alert, sub, at),
    });
    this.dispatcher = this.dispatcherOn(this.database.db);
  }

  dispatcherOn(db: Db, options: Partial<DispatcherOptions> = {}): AlertDispatcher {
    return new AlertDispatcher({
      db,
      city,
      logger: createLogger('silent'),
      metrics: this.metrics,
      clock: this.clock,
      env: ENV,
      maxBackoffMs: MAX_BACKOFF_MS,
      leaseMs: LEASE_MS,
      ...options,
    });
  }

  /** Queues inside a transaction, as the evaluator does with the alert's transition. */
  enqueue(...items: OutboxItem[]): Promise<number> {
    return this.database.db.transaction((tx) => this.outbox.enqueue(tx as unknown as Db, items, this.now));
  }

  async rows() {
    return this.database.db.select().from(alertOutbox).orderBy(alertOutbox.id);
  }

  /** The idempotency key of every request the receiver got. */
  delivered(): string[] {
    return this.receiver.requests.map((r) => String(r.headers['idempotency-key']));
  }
}

/** Gives every test of the calling `describe` a new database, receiver, outbox and dispatcher. */
export function useOutbox(target: DatabaseTarget): OutboxTest {
  const t = new OutboxTest();
  beforeEach(async () => {
    await anning();
    t.testDatabase = await target.create();
    t.receiver = await startHttpReceiver();
    t.metrics = createMetrics();
    t.now = T0;
    await t.open();
  });
  afterEach(async () => {
    await t.dispatcher.stop();
    await t.database.close();
    await t.receiver.stop();
    await t.testDatabase.drop();
  });
  return t;
}
