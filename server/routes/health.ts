/** Liveness for load balancers and people, and Prometheus metrics. Both answer without a token. */
import { rulesFor } from '../../shared/alerts/rules/index.js';
import { screenState } from '../../shared/screens.js';
import { leaderOf } from '../cluster/nodes.js';
import { Hono } from 'hono';
import type { AlertDeliveryHealth } from '../alerts/delivery-health.js';
import type { AppContext } from '../context.js';
import { withDeadline } from '../db/deadline.js';
import { describeUnavailable } from '../db/unavailable.js';
import type { FeedHealth } from '../feeds/health.js';
import { healthAnswer } from '../openapi/answers/service.js';
import { documented } from '../openapi/describe.js';

/** A probe must answer even when the database does not: its ping waits this long at most. */
export const HEALTH_PING_MS = 2_000;

/**
 * Why a feed is not well, or null: `feed incident: failing (HTTP 503: …), circuit open until …`,
 * `feed survey: stale, last success 2026-11-25T02:00:00.000Z`.
 */
export function feedProblem(health: FeedHealth): string | null {
  const parts: string[] = [];
  if (health.stale) parts.push(`stale, last success ${health.lastSuccessAt ?? 'never'}`);
  if (health.consecutiveFailures > 0) parts.push(`failing (${health.lastError ?? 'no error recorded'})`);
  if (health.circuitOpenUntil) parts.push(`circuit open until ${health.circuitOpenUntil}`);
  return parts.length === 0 ? null : `feed ${health.feed}: ${parts.join(', ')}`;
}

function deliveryProblems(alerts: AlertDeliveryHealth | null): string[] {
  return (alerts?.channels ?? [])
    .filter((channel) => channel.status === 'failing')
    .map(
      (channel) => `alert channel ${channel.channel}: failing (${channel.lastError ?? 'no error recorded'})`,
    );
}

export function healthRoutes(
  ctx: Pick<
    AppContext,
    | 'city'
    | 'clock'
    | 'config'
    | 'database'
    | 'dispatcher'
    | 'feedHealth'
    | 'logger'
    | 'metrics'
    | 'nodes'
    | 'startedAt'
    | 'version'
    | 'walls'
  >,
) {
  return new Hono()
    .get(
      '/api/health',
      documented({
        tag: 'Service',
        summary: 'Whether this node serves, and what it depends on',
        answer: healthAnswer,
        otherAnswers: {
          503: { description: 'The database does not answer: `status: "down"`.', schema: healthAnswer },
        },
      }),
      async (c) => {
        const started = performance.now();
        let database: { status: 'ok' | 'down'; kind: string; latencyMs?: number; error?: string };
        try {
          await withDeadline(ctx.database.ping(), HEALTH_PING_MS);
          database = {
            status: 'ok',
            kind: ctx.database.kind,
            latencyMs: +(performance.now() - started).toFixed(1),
          };
        } catch (error) {
          ctx.logger.warn({ err: error }, 'health: the database did not answer its ping');
          database = { status: 'down', kind: ctx.database.kind, error: describeUnavailable(error) };
        }
        const now = ctx.clock();
        // Delivery health reads the outbox: only asked of a database that answers, and briefly.
        const alerts =
          database.status === 'ok'
            ? await withDeadline(ctx.dispatcher.health(), HEALTH_PING_MS).catch(() => null)
            : null;
        const [feeds, walls, watched] = await Promise.all([
          ctx.feedHealth.health(),
          ctx.walls.list(),
          ctx.walls.watched(ctx.city.screens.walls, ctx.startedAt),
        ]);
        const { minutes } = rulesFor(ctx.city.alerts).wallDown;
        // Every node on this database, as their rows say: which leads, which are alive.
        const nodes =
          database.status === 'ok'
            ? await withDeadline(ctx.nodes.list(now), HEALTH_PING_MS).catch(() => null)
            : null;
        const version = ctx.config.current();
        const file = ctx.config.fileStatus();
        // Key paths only: anyone reads this, and a problem's text may quote what the file holds.
        const fileProblemPaths = file.problems.map((problem) => problem.split(': ')[0]!);
        const reasons = [
          ...(database.status === 'down' ? [`database: ${database.error}`] : []),
          ...feeds.flatMap((health) => {
            const problem = 'lastSuccessAt' in health ? feedProblem(health) : null;
            return problem ? [problem] : [];
          }),
          ...deliveryProblems(alerts),
          ...(file.status === 'refused'
            ? [
                `configuration: the file was refused (${fileProblemPaths.join(', ')}); version ${version.id} is still in force`,
              ]
            : []),
        ];
        return c.json(
          {
            // down (503): the node cannot serve. degraded (200): it serves, but something it depends
            // on is failing or stale, as `reasons` say.
            status: database.status === 'down' ? 'down' : reasons.length > 0 ? 'degraded' : 'ok',
            reasons,
            version: ctx.version,
            uptimeSeconds: Math.round((now.getTime() - ctx.startedAt.getTime()) / 1000),
            city: ctx.city.city.code,
            configuration: {
              version: version.id,
              at: version.at,
              source: version.source,
              file: file.status,
              problems: fileProblemPaths,
            },
            database,
            feeds: feeds.map((health) =>
              'lastSuccessAt' in health
                ? {
                    feed: health.feed,
                    status: health.status,
                    stale: health.stale,
                    lastSuccessAt: health.lastSuccessAt,
                    lastError: health.lastError,
                    consecutiveFailures: health.consecutiveFailures,
                    circuit: health.circuit,
                    circuitOpenUntil: health.circuitOpenUntil,
                    lagSeconds: health.lagSeconds,
                    itemsPerMinute: health.itemsPerMinute,
                  }
                : { feed: health.feed, status: health.status, stale: health.stale },
            ),
            walls,
            // Every configured screen's state, as the wallDown rule sees it.
            screens: watched.map(({ screen, location, report }) => {
              const verdict = screenState(report, now, minutes, ctx.startedAt);
              return {
                screen,
                location,
                state: verdict.state,
                reason: verdict.reason,
                lastSeenAt: report?.lastSeenAt ?? null,
                paintedAt: report?.paintedAt ?? null,
                lagSince: report?.lagSince ?? null,
              };
            }),
            alerts,
            node: ctx.nodes.id,
            leader: nodes ? (leaderOf(nodes)?.id ?? null) : null,
            nodes:
              nodes?.map((node) => ({
                id: node.id,
                role: node.role,
                version: node.version,
                startedAt: node.startedAt.toISOString(),
                lastSeenAt: node.lastSeenAt.toISOString(),
                alive: node.alive,
                leading: node.alive && node.leadingSince !== null,
              })) ?? null,
          },
          database.status === 'ok' ? 200 : 503,
        );
      },
    )
    .get('/metrics', async (c) => {
      c.header('content-type', ctx.metrics.registry.contentType);
      return c.body(await ctx.metrics.registry.metrics());
    });
}
