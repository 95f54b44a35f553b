/** Liveness for load balancers and people, and Prometheus metrics. Both answer without a token. */
import { Hono } from 'hono';
import type { AppContext } from '../context.js';

export function healthRoutes(ctx: AppContext) {
  return new Hono()
    .get('/api/health', async (c) => {
      const started = performance.now();
      let database: { status: 'ok' | 'down'; kind: string; latencyMs?: number; error?: string };
      try {
        await ctx.database.ping();
        database = {
          status: 'ok',
          kind: ctx.database.kind,
          latencyMs: +(performance.now() - started).toFixed(1),
        };
      } catch (error) {
        database = { status: 'down', kind: ctx.database.kind, error: (error as Error).message };
      }
      const now = ctx.clock();
      // Delivery health reads the outbox: only asked of a database that answers.
      const alerts =
        database.status === 'ok' && ctx.dispatcher ? await ctx.dispatcher.health().catch(() => null) : null;
      return c.json(
        {
          // A failing notification channel degrades the status but keeps 200: the node still serves.
          status: database.status === 'ok' && alerts?.status !== 'degraded' ? 'ok' : 'degraded',
          version: ctx.version,
          uptimeSeconds: Math.round((now.getTime() - ctx.startedAt.getTime()) / 1000),
          city: ctx.city.city.code,
          database,
          feeds: (ctx.feeds?.health() ?? []).map((health) =>
            'lastSuccessAt' in health
              ? {
                  feed: health.feed,
                  status: health.status,
                  stale: health.stale,
                  lastSuccessAt: health.lastSuccessAt,
                  lastError: health.lastError,
                  consecutiveFailures: health.consecutiveFailures,
                  lagSeconds: health.lagSeconds,
                  itemsPerMinute: health.itemsPerMinute,
                }
              : { feed: health.feed, status: health.status, stale: health.stale },
          ),
          walls: ctx.live?.walls.list() ?? [],
          alerts,
        },
        database.status === 'ok' ? 200 : 503,
      );
    })
    .get('/metrics', async (c) => {
      c.header('content-type', ctx.metrics.registry.contentType);
      return c.body(await ctx.metrics.registry.metrics());
    });
}
