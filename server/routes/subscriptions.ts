/** Alert subscriptions: who is told about which alerts, and how. Administrators only. */
import { Hono } from 'hono';
import { z } from 'zod';
import { SubscriptionRepository } from '../alerts/subscriptions.js';
import { sendTest, testNotification } from '../alerts/test-notification.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { conflict, notFound } from '../http/errors.js';
import { serialId } from '../http/params.js';
import { idParam } from '../openapi/answers/common.js';
import {
  subscriptionBody,
  subscriptionList,
  subscriptionRemoved,
  subscriptionTested,
  subscriptionView,
} from '../openapi/answers/subscriptions.js';
import { documented } from '../openapi/describe.js';

export function subscriptionRoutes(
  ctx: Pick<AppContext, 'city' | 'clock' | 'database' | 'events' | 'logger' | 'secretEnvPrefix'>,
) {
  // Stateless over the database: one per app is enough, and nothing else needs to share it.
  const subscriptions = new SubscriptionRepository(ctx.database.db, ctx.city, {
    clock: ctx.clock,
    secretPrefix: ctx.secretEnvPrefix,
  });
  const missing = (id: string) => notFound(`no subscription ${id}`);
  // Not an id (or one past the column's range): no such subscription; the repository answers null.
  const idOf = (raw: string) => serialId(raw) ?? NaN;
  const params = idParam('subscription');

  return new Hono<AppEnv>()
    .use('/api/subscriptions/*')
    .use('/api/subscriptions')
    .get(
      '/api/subscriptions',
      documented({
        tag: 'Subscriptions',
        summary: 'Every subscription, its secrets masked',
        answer: subscriptionList,
      }),
      async (c) => c.json({ subscriptions: await subscriptions.list() }),
    )
    .post(
      '/api/subscriptions',
      documented({
        tag: 'Subscriptions',
        summary: 'Create a subscription',
        description: 'A refusal names each path and the reason; nothing is stored.',
        body: subscriptionBody,
        answer: subscriptionView,
        status: 201,
        errors: [400, 413],
      }),
      async (c) => {
        const input = await readJson(c, z.unknown());
        const created = await subscriptions.create(input);
        ctx.logger.info({ id: created.id, by: c.get('principal').name }, 'subscription created');
        return c.json(created, 201);
      },
    )
    .get(
      '/api/subscriptions/:id',
      documented({
        tag: 'Subscriptions',
        summary: 'One subscription, its secrets masked',
        params,
        answer: subscriptionView,
        errors: [404],
      }),
      async (c) => {
        const subscription = await subscriptions.get(idOf(c.req.param('id')));
        if (!subscription) throw missing(c.req.param('id'));
        return c.json(subscription);
      },
    )
    .put(
      '/api/subscriptions/:id',
      documented({
        tag: 'Subscriptions',
        summary: 'Replace a subscription',
        description:
          'The whole subscription is replaced. A secret sent back masked, as the API showed it, keeps the stored one.',
        params,
        body: subscriptionBody,
        answer: subscriptionView,
        errors: [400, 404, 413],
      }),
      async (c) => {
        const input = await readJson(c, z.unknown());
        const updated = await subscriptions.update(idOf(c.req.param('id')), input);
        if (!updated) throw missing(c.req.param('id'));
        ctx.logger.info({ id: updated.id, by: c.get('principal').name }, 'subscription updated');
        return c.json(updated);
      },
    )
    .post(
      '/api/subscriptions/:id/test',
      documented({
        tag: 'Subscriptions',
        summary: 'Send a test notification through each channel, and say what each receiver answered',
        description:
          'Sent at once, outside the outbox: nothing is retried or recorded. A subscription stored before an upgrade that no longer passes validation answers 409.',
        params,
        answer: subscriptionTested,
        errors: [404, 409],
      }),
      async (c) => {
        const id = idOf(c.req.param('id'));
        const spec = await subscriptions.spec(id);
        if (!spec) {
          if (await subscriptions.get(id))
            throw conflict(`subscription ${id} no longer passes validation: replace it`);
          throw missing(c.req.param('id'));
        }
        const notification = testNotification(id, spec, ctx.city, ctx.clock());
        const results = await sendTest(spec, notification, {
          secretPrefix: ctx.secretEnvPrefix,
          emit: (sent) => ctx.events.emit('notification.live', sent),
        });
        ctx.logger.info(
          {
            id,
            by: c.get('principal').name,
            delivered: results.filter((r) => r.ok).length,
            channels: results.length,
          },
          'test notification sent',
        );
        return c.json({ subscription: id, results });
      },
    )
    .delete(
      '/api/subscriptions/:id',
      documented({
        tag: 'Subscriptions',
        summary: 'Remove a subscription',
        description: 'Its notifications still queued are not sent.',
        params,
        answer: subscriptionRemoved,
        errors: [404],
      }),
      async (c) => {
        const id = idOf(c.req.param('id'));
        if (!(await subscriptions.remove(id))) throw missing(c.req.param('id'));
        ctx.logger.info({ id, by: c.get('principal').name }, 'subscription removed');
        return c.json({ removed: id });
      },
    );
}
