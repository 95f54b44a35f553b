/**
 * The API's OpenAPI 3.1 document, built from the app's routes: what each takes and answers comes
 * from the zod schemas its `documented(…)` names (server/openapi/describe.ts), who may call it and
 * how much of the city it answers from the access table (server/http/access.ts).
 */
import type { Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import type { OpenAPIV3_1 } from 'openapi-types';
import { ROLES, permissionsOf, type Permission } from '../../shared/roles.js';
import { accessRule, type AccessRule, type StreetScope } from '../http/access.js';
import { errorResponseName, errorResponses, TAGS } from './describe.js';

type Document = OpenAPIV3_1.Document;
type OperationObject = OpenAPIV3_1.OperationObject;

/** The route pattern of a document's path: `/api/alerts/{id}` is hono's `/api/alerts/:id`. */
export const routePattern = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

const SCOPES: Record<StreetScope, string> = {
  'own-streets': 'a street token gets (or acts on) its own streets only',
  'no-street-data': 'the answer holds nothing of any one street',
  'all-streets': 'the answer may hold every street’s data: no street token may call it',
};

/** The roles whose tokens carry a permission. */
const rolesWith = (permission: Permission) =>
  ROLES.filter((role) => permissionsOf(role).includes(permission));

/** The sentence that says who may call an operation, first in its description. */
function whoMayCall(rule: AccessRule): string {
  if (rule.who === 'public') return 'Anyone, without a token.';
  if (rule.who === 'signed-link')
    return 'Whoever holds the signed link of a notification (`?exp=…&sig=…`); no token.';
  if (rule.who === 'signed-webhook')
    return 'A system pushing to the feed, with the HMAC-SHA256 of the body under the feed’s secret; no token.';
  const roles = rolesWith(rule.who).map((role) => `\`${role}\``);
  return `A token with the \`${rule.who}\` permission: roles ${roles.join(', ')}.`;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Gives every operation its access entry: who may call it (in its description, `x-permission`, and
 * its `security`), how much of the city it answers (`x-street-scope`), and the errors every route
 * of its kind may answer.
 */
function withAccess(document: Document): Document {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item?.[method];
      if (!operation) continue;
      const rule = accessRule(`${method.toUpperCase()} ${routePattern(path)}`);
      // The test of the document finds an operation without an entry; createApp refuses one anyway.
      if (!rule) continue;
      const needsToken = rule.who !== 'public' && rule.who !== 'signed-link' && rule.who !== 'signed-webhook';
      operation.description = [whoMayCall(rule), `Streets: ${SCOPES[rule.streets]}.`, operation.description]
        .filter(Boolean)
        .join('\n\n');
      Object.assign(operation, { 'x-permission': rule.who, 'x-street-scope': rule.streets });
      operation.security = needsToken ? [{ bearer: [] }, { queryToken: [] }] : [];
      // A signed link refuses with 403; a signed push says its own 401 (documented by its route).
      const refusals = needsToken ? [401, 403] : rule.who === 'signed-link' ? [403] : [];
      const responses = (operation.responses ??= {});
      for (const status of [...refusals, 500, 503])
        responses[status] ??= { $ref: `#/components/responses/${errorResponseName(status as 401)}` };
    }
  }
  return document;
}

export interface DocumentInfo {
  /** The server's build version. */
  version: string;
  /** The city the server is configured for, in the document's description. */
  city: string;
}

/** The OpenAPI document of an app's routes. */
export async function apiDocument(app: Hono, info: DocumentInfo): Promise<Document> {
  const document = (await generateSpecs(app, {
    documentation: {
      openapi: '3.1.0',
      info: {
        title: 'Pingan Wall API',
        version: info.version,
        description: [
          `The HTTP API of Pingan Wall (平安指数实时大屏与预警) for ${info.city}.`,
          'Send a token as `Authorization: Bearer <token>` (a kiosk may put it in `?token=`). Every answer carries `X-Request-Id`: the caller’s own when it sends one, else a new one; quote it to the operator, whose log lines of the request carry it.',
          'Bad input is answered 400 with a message naming each field and the reason, and nothing stored changes.',
        ].join('\n\n'),
      },
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token from `npm run token` or POST /api/tokens.',
          },
          queryToken: {
            type: 'apiKey',
            in: 'query',
            name: 'token',
            description: 'The same token on a kiosk’s URL.',
          },
        },
        headers: {
          RequestId: {
            description:
              'The request’s id: the caller’s `X-Request-Id` when it sent one of up to 100 letters, digits, `-`, `_` or `=`, else a new UUID.',
            schema: { type: 'string' },
          },
        },
        responses: errorResponses,
      },
    },
    excludeMethods: ['OPTIONS', 'HEAD'],
    // /api/openapi.json is an operation, not a file of the display.
    excludeStaticFile: false,
  })) as unknown as Document;
  return withAccess(document);
}
