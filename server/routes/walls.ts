/**
 * A wall's heartbeat without its socket: a page whose own thread has stopped (a hung script, a
 * paused debugger) beats on from its watchdog worker, saying the `seq` it had applied and when it
 * last painted, so the server finds it frozen rather than dark. The same payload and checks as the
 * socket's `heartbeat` event.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { heartbeatSchema } from '../../shared/live.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { documented } from '../openapi/describe.js';

const heartbeatAnswer = z
  .object({
    seq: z
      .number()
      .int()
      .meta({ description: 'The last `seq` this node’s live channel sent (0 before the first).' }),
  })
  .meta({ id: 'HeartbeatAnswer' });

export function wallRoutes(ctx: Pick<AppContext, 'clock' | 'walls'>) {
  return new Hono<AppEnv>().post(
    '/api/walls/heartbeat',
    documented({
      tag: 'Service',
      summary: 'A wall’s heartbeat from its watchdog, when its page has stopped',
      description:
        'Recorded as the live channel’s `heartbeat` is; a street token’s is not (a phone is not a wall).',
      body: heartbeatSchema,
      answer: heartbeatAnswer,
      errors: [400],
    }),
    async (c) => {
      const heartbeat = await readJson(c, heartbeatSchema);
      const principal = c.get('principal');
      if (principal.role !== 'street') ctx.walls.report(heartbeat, principal.role, ctx.clock());
      return c.json({ seq: ctx.walls.currentSeq() ?? 0 });
    },
  );
}
