/** Prometheus metrics, one registry per server so that tests can build many. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pingan_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'pingan_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    indexCompute: new Histogram({
      name: 'pingan_index_compute_seconds',
      help: 'Time to compute the live index from stored values',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    valuesImported: new Counter({
      name: 'pingan_indicator_values_imported_total',
      help: 'Indicator values stored by import',
      registers: [registry],
    }),
    rowsRejected: new Counter({
      name: 'pingan_rows_rejected_total',
      help: 'Imported rows refused as invalid',
      registers: [registry],
    }),
    snapshots: new Counter({
      name: 'pingan_snapshots_recorded_total',
      help: 'Index snapshots recorded',
      registers: [registry],
    }),
    feedItems: new Counter({
      name: 'pingan_feed_items_total',
      help: 'Feed items by outcome: stored, quarantined, skipped (before the backfill horizon)',
      labelNames: ['feed', 'outcome'] as const,
      registers: [registry],
    }),
    feedPollSeconds: new Histogram({
      name: 'pingan_feed_poll_seconds',
      help: 'Duration of one poll run of a feed',
      labelNames: ['feed'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    feedPollErrors: new Counter({
      name: 'pingan_feed_poll_errors_total',
      help: 'Failed poll runs of a feed',
      labelNames: ['feed'] as const,
      registers: [registry],
    }),
    feedLagSeconds: new Gauge({
      name: 'pingan_feed_lag_seconds',
      help: 'Seconds since the update of the newest item received from a feed',
      labelNames: ['feed'] as const,
      registers: [registry],
    }),
    feedConsecutiveFailures: new Gauge({
      name: 'pingan_feed_consecutive_failures',
      help: 'Failed poll runs of a feed since its last success',
      labelNames: ['feed'] as const,
      registers: [registry],
    }),
    recomputeSeconds: new Histogram({
      name: 'pingan_recompute_seconds',
      help: 'Time to recompute the indicators a batch touched (scope: batch or full)',
      labelNames: ['scope'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    alertTransitions: new Counter({
      name: 'pingan_alert_transitions_total',
      help: 'Alerts stored by the evaluator: opened, changed state or resolved',
      registers: [registry],
    }),
    alertsFiring: new Gauge({
      name: 'pingan_alerts_on_wall',
      help: 'Alerts on the wall by status (firing, acknowledged)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    alertNotifications: new Counter({
      name: 'pingan_alert_notifications_total',
      help: 'Notification attempts by channel kind and outcome: sent, retry (will try again), failed (given up)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    alertOutboxPending: new Gauge({
      name: 'pingan_alert_outbox_pending',
      help: 'Notifications waiting in the outbox, including retries and those deferred by quiet hours',
      registers: [registry],
    }),
    liveSockets: new Gauge({
      name: 'pingan_live_sockets',
      help: 'Connected sockets of the live channel',
      registers: [registry],
    }),
    liveDeltas: new Counter({
      name: 'pingan_live_deltas_total',
      help: 'Deltas published on the live channel',
      registers: [registry],
    }),
    cityIndex: new Gauge({
      name: 'pingan_city_index',
      help: 'The city index at the last computation',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
