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
import { configAnswer, configChangedAnswer, configVersionsAnswer } from '../openapi/answers/admin.js';
import { documented } from '../openapi/describe.js';

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
  value: z
    .unknown()
    .refine((value) => value !== undefined, 'is required')
    .meta({
      description:
        'The section’s new value, whole, as GET /api/admin/config shows it under `config.<section>` (a masked secret sent back unchanged keeps the stored one).',
    }),
  reason: withoutNul(z.string().trim().min(1, 'is required: say why').max(500)).meta({
    description: 'Why: stored with the version.',
  }),
});

const versionsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .meta({ description: 'At most this many, newest first.' }),
});

const sectionParams = z.object({
  section: z.enum(EDITABLE_SECTIONS).meta({
    description:
      'The section to change; the others (the city itself, grades, weights) come from the file only.',
  }),
});

/** Why a change or a reload may be refused (400), with `details.issues` as `{path, message}`. */
const REFUSALS =
  'A value the configuration file would refuse, or a change that takes a restart (the city itself, a street added or removed, an indicator’s block, source or measure), is refused with 400: `details.issues` lists each problem as `{path, message}`, and nothing changes.';

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
    .get(
      '/api/admin/config',
      documented({
        tag: 'Administration',
        summary: 'The city configuration in force, without its secrets',
        answer: configAnswer,
      }),
      (c) => c.json(answer()),
    )
    .get(
      '/api/admin/config/versions',
      documented({
        tag: 'Administration',
        summary: 'The stored versions of the configuration: who changed what, when and why',
        query: versionsQuery,
        answer: configVersionsAnswer,
        errors: [400],
      }),
      async (c) => {
        const query = versionsQuery.safeParse(c.req.query());
        if (!query.success) throw badRequest(zodMessage(query.error));
        return c.json({ versions: await config.versions(query.data.limit) });
      },
    )
    .put(
      '/api/admin/config/:section',
      documented({
        tag: 'Administration',
        summary: 'Change one section of the configuration, live',
        description: `Validated as the file is, stored as a new version with who and why, and applied on every node without a restart. ${REFUSALS}`,
        params: sectionParams,
        body: change,
        answer: configChangedAnswer,
        errors: [400, 413],
      }),
      async (c) => {
        const section = sectionOf(c.req.param('section'));
        const { value, reason } = await readJson(c, change);
        try {
          const outcome = await config.change(section, value, c.get('principal').name, reason);
          return c.json({ changed: outcome.changed, ...answer() });
        } catch (error) {
          throw error instanceof ConfigRefused ? refusal(error) : error;
        }
      },
    )
    .post(
      '/api/admin/reload',
      documented({
        tag: 'Administration',
        summary: 'Read the configuration file again',
        description: `As SIGHUP does: a changed, valid file becomes the newest version and applies live. ${REFUSALS} A refused file is also said in /api/health until a good one is read. A server given its configuration directly, not from a file, refuses with 400.`,
        answer: configChangedAnswer,
        errors: [400],
      }),
      async (c) => {
        try {
          const outcome = await config.reload(c.get('principal').name);
          return c.json({ changed: outcome.changed, ...answer() });
        } catch (error) {
          throw error instanceof ConfigRefused ? refusal(error) : error;
        }
      },
    );
}
