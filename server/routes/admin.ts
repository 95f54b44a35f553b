/**
 * Administration without a redeploy: the stored city configuration, its versions, one section
 * changed at a time, and the file read again. Administrators only; secrets never leave.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { withoutNul } from '../../shared/storable.js';
import { ConfigRefused, EDITABLE_SECTIONS, type EditableSection } from '../config/store.js';
import { withoutSecrets } from '../config/redact.js';
import type { AppContext } from '../context.js';
import type { AppEnv } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { badRequest, zodMessage } from '../http/errors.js';

/** A refusal as the API answers it: the problems joined, and each as `{path, message}`. */
function refusal(error: ConfigRefused) {
  const issues = error.problems.map((problem) => {
    const at = problem.indexOf(': ');
    return at < 0
      ? { path: '', message: problem }
      : { path: problem.slice(0, at), message: problem.slice(at + 2) };
  });
  return badRequest(error.message, { issues });
}

const change = z.object({
  value: z.unknown().refine((value) => value !== undefined, 'is required'),
  reason: withoutNul(z.string().trim().min(1, 'is required: say why').max(500)),
});

const versionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export function adminRoutes(ctx: Pick<AppContext, 'config'>) {
  const { config } = ctx;
  const answer = () => ({
    version: config.current(),
    config: withoutSecrets(config.city),
    file: config.fileStatus(),
  });
  const sectionOf = (text: string): EditableSection => {
    if (!(EDITABLE_SECTIONS as readonly string[]).includes(text))
      throw badRequest(`section: "${text}" is not one of ${EDITABLE_SECTIONS.join(', ')}`);
    return text as EditableSection;
  };

  return new Hono<AppEnv>()
    .get('/api/admin/config', (c) => c.json(answer()))
    .get('/api/admin/config/versions', async (c) => {
      const query = versionsQuery.safeParse(c.req.query());
      if (!query.success) throw badRequest(zodMessage(query.error));
      return c.json({ versions: await config.versions(query.data.limit) });
    })
    .put('/api/admin/config/:section', async (c) => {
      const section = sectionOf(c.req.param('section'));
      const { value, reason } = await readJson(c, change);
      try {
        const outcome = await config.change(section, value, c.get('principal').name, reason);
        return c.json({ changed: outcome.changed, ...answer() });
      } catch (error) {
        throw error instanceof ConfigRefused ? refusal(error) : error;
      }
    })
    .post('/api/admin/reload', async (c) => {
      try {
        const outcome = await config.reload(c.get('principal').name);
        return c.json({ changed: outcome.changed, ...answer() });
      } catch (error) {
        throw error instanceof ConfigRefused ? refusal(error) : error;
      }
    });
}
