/** Token administration: list, create (the token is shown once), revoke; and who a token is. */
import { Hono } from 'hono';
import { z } from 'zod';
import { permissionsOf, ROLES } from '../../shared/roles.js';
import { withoutNul } from '../../shared/storable.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { notFound } from '../http/errors.js';
import { serialId } from '../http/params.js';
import { idParam } from '../openapi/answers/common.js';
import { sessionAnswer, tokenCreated, tokenList, tokenRevoked } from '../openapi/answers/tokens.js';
import { documented } from '../openapi/describe.js';

export function tokenRoutes(ctx: Pick<AppContext, 'city' | 'events' | 'logger' | 'tokens'>) {
  const streetCodes = ctx.city.streets.map((s) => s.code);
  const newToken = z
    .object({
      name: withoutNul(z.string().trim().min(1, 'is required').max(100)),
      role: z.enum(ROLES),
      // Checked against the city's streets rather than listed: the public API document names none.
      streets: z
        .array(
          withoutNul(z.string()).refine((code) => streetCodes.includes(code), {
            error: (issue) => `no street ${String(issue.input)} is configured`,
          }),
        )
        .default([])
        .meta({ description: 'The street codes a street token is limited to (GET /api/streets).' }),
    })
    .refine((t) => t.role !== 'street' || t.streets.length > 0, {
      path: ['streets'],
      message: 'a street token needs at least one street',
    });

  return (
    new Hono<AppEnv>()
      // Who the caller is, for a page that shows what the token may do (the workbench: edit or view).
      .get(
        '/api/session',
        documented({ tag: 'Tokens', summary: 'Who the caller is and what it may do', answer: sessionAnswer }),
        (c) => {
          const { name, role, streets } = c.get('principal');
          return c.json({ name, role, streets, permissions: permissionsOf(role) });
        },
      )
      .use('/api/tokens/*')
      .use('/api/tokens')
      .get(
        '/api/tokens',
        documented({
          tag: 'Tokens',
          summary: 'Every token, revoked ones too (never the token itself)',
          answer: tokenList,
        }),
        async (c) => c.json({ tokens: await ctx.tokens.list() }),
      )
      .post(
        '/api/tokens',
        documented({
          tag: 'Tokens',
          summary: 'Create a token, shown once',
          body: newToken,
          answer: tokenCreated,
          status: 201,
          errors: [400],
        }),
        async (c) => {
          const input = await readJson(c, newToken);
          const created = await ctx.tokens.create(input);
          ctx.logger.info({ id: created.id, role: input.role, by: c.get('principal').name }, 'token created');
          return c.json({ id: created.id, token: created.token, note: 'shown once; store it now' }, 201);
        },
      )
      .delete(
        '/api/tokens/:id',
        documented({
          tag: 'Tokens',
          summary: 'Revoke a token; its open sockets close at once',
          params: idParam('token'),
          answer: tokenRevoked,
          errors: [404],
        }),
        async (c) => {
          const id = serialId(c.req.param('id'));
          if (id === null || !(await ctx.tokens.revoke(id)))
            throw notFound(`no active token ${c.req.param('id')}`);
          // Its open sockets go now, rather than at their next action.
          await ctx.events.emit('token.revoked', { tokenId: id });
          ctx.logger.info({ id, by: c.get('principal').name }, 'token revoked');
          return c.json({ revoked: id });
        },
      )
  );
}
