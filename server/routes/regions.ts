/** The configured streets and indicators. */
import { Hono } from 'hono';
import { canSeeStreet } from '../../shared/roles.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { indicatorsAnswer, streetsAnswer } from '../openapi/answers/city.js';
import { documented } from '../openapi/describe.js';

export function regionRoutes(ctx: Pick<AppContext, 'city'>) {
  return new Hono<AppEnv>()
    .get(
      '/api/streets',
      documented({ tag: 'City and index', summary: 'The city and its streets', answer: streetsAnswer }),
      (c) => {
        const principal = c.get('principal');
        return c.json({
          city: ctx.city.city,
          streets: ctx.city.streets.filter((street) => canSeeStreet(principal, street.code)),
        });
      },
    )
    .get(
      '/api/indicators',
      documented({
        tag: 'City and index',
        summary: 'The indicators and the grade bands',
        answer: indicatorsAnswer,
      }),
      (c) => c.json({ indicators: ctx.city.indicators, grades: ctx.city.grades }),
    );
}
