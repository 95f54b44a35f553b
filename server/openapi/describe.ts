/**
 * How a route says what it takes and answers, for the API document (server/openapi/document.ts).
 * Each route names the same zod schemas it validates with; `documented(…)` sits before its handler.
 * Who may call it is not said here: the access table (server/http/access.ts) is the one place for
 * that, and the document is given its entries when it is built.
 */
import type { MiddlewareHandler } from 'hono';
import { describeRoute, resolver } from 'hono-openapi';
import { z } from 'zod';

/** The groups of the document, in the order its reader meets them. */
export const TAGS = {
  Service: 'Health, metrics and this document.',
  'City and index': 'The configured streets and indicators, the live index and its history.',
  Weights: 'Weight sets, their publication, and the quarterly review.',
  Reports: 'The published month: ranking, 环比 and 同比, the points each street lost.',
  Alerts: 'Alerts, acknowledgements (with a token or a signed link), silences.',
  Subscriptions: 'Who is told about which alerts, through which channels.',
  Feeds: 'Feed health, pushes and imports, the quarantine of refused records.',
  Surveys: 'Public evaluation from surveys.',
  Tokens: 'Who the caller is; tokens and their roles.',
  Administration: 'The city configuration, its versions and its sections.',
} as const;

export type Tag = keyof typeof TAGS;

/** Every answer's header naming its request. */
const REQUEST_ID = { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } };

/** The shape of every error answer. */
export const errorSchema = z
  .object({
    code: z.string().meta({ description: 'What kind of refusal: `bad_request`, `not_found`, `forbidden`…' }),
    message: z.string().meta({ description: 'What is wrong; for bad input, each field and the reason.' }),
    details: z.unknown().optional().meta({ description: 'More about the refusal, where a route has it.' }),
    requestId: z.string().meta({
      description: 'The request’s id, also in `X-Request-Id` and on every server log line of the request.',
    }),
  })
  .meta({ id: 'Error', description: 'An error answer.' });

/** The error answers a route may give besides the ones every route may (see document.ts). */
export type ErrorStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422;

const ERROR_DESCRIPTIONS: Record<ErrorStatus | 401 | 500 | 503, string> = {
  400: 'Bad input: the message names each field and the reason; nothing was changed.',
  401: 'No token, or one that is unknown or revoked.',
  403: 'The token’s role may not do this, or not to this street.',
  404: 'No such thing.',
  409: 'It cannot be done in the state things are in; the message says why.',
  413: 'The body is too large.',
  415: 'The body is of a kind this route does not read.',
  422: 'Understood but refused; the message says why.',
  500: 'An internal error; the server log has the details under the request id.',
  503: 'The database is unavailable; try again shortly (see `Retry-After`).',
};

/** The document's component name of an error answer. */
export const errorResponseName = (status: keyof typeof ERROR_DESCRIPTIONS) => `Error${status}`;

/** Every error answer as a reusable response of the document. */
export const errorResponses = Object.fromEntries(
  Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [
    errorResponseName(Number(status) as ErrorStatus),
    {
      description,
      headers: REQUEST_ID,
      content: { 'application/json': { schema: resolver(errorSchema) } },
    },
  ]),
);

/**
 * A body (or an answer) of other media types than JSON alone, each with its schema: records as CSV,
 * an upload, a report as JSON or its ranking as CSV.
 */
export interface MediaBody {
  media: Record<string, z.ZodType>;
  description?: string;
}

/** What describeRoute takes as a parameter (its types are OpenAPI 3.0's). */
export type Parameter = NonNullable<Parameters<typeof describeRoute>[0]['parameters']>[number];

export interface Operation {
  tag: Tag;
  summary: string;
  description?: string;
  /** The path's parameters, when they say more than "a string". */
  params?: z.ZodObject;
  /** The query string, as the route parses it. */
  query?: z.ZodObject;
  /** The JSON body, as the route parses it; or the bodies of other media types it reads. */
  body?: z.ZodType | MediaBody;
  /** Whether a request may come without a body (default: it may not, when there is one). */
  bodyOptional?: boolean;
  /** Headers the route reads (a signed push's signature). */
  headers?: readonly Parameter[];
  /** The answer when all is well: JSON, or each media type it may be. */
  answer: z.ZodType | MediaBody;
  /** Its status: 200 unless told. */
  status?: 200 | 201;
  /** Headers of the answer besides the request id, each with what it says. */
  answerHeaders?: Record<string, string>;
  /** What else the answer may be. */
  errors?: readonly ErrorStatus[];
  /** Answers of another status that are not errors of the usual shape (health's 503). */
  otherAnswers?: Partial<Record<number, { description: string; schema: z.ZodType }>>;
}

/** The parameters of a zod object, each with its schema and description, for the query or the path. */
function parametersOf(schema: z.ZodObject, where: 'query' | 'path'): Parameter[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' && { description }),
      schema: rest,
    };
  });
}

const isMediaBody = (body: Operation['body']): body is MediaBody =>
  body !== undefined && !(body instanceof z.ZodType);

/** The content of a body or answer in the document: JSON, or each media type given. */
const contentOf = (body: z.ZodType | MediaBody) =>
  isMediaBody(body)
    ? Object.fromEntries(
        Object.entries(body.media).map(([media, schema]) => [media, { schema: resolver(schema) }]),
      )
    : { 'application/json': { schema: resolver(body) } };

/** Describes a route in the API document from the schemas it validates and answers with. */
export function documented(operation: Operation): MiddlewareHandler {
  const { body, answer } = operation;
  const status = operation.status ?? 200;
  return describeRoute({
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description !== undefined && { description: operation.description }),
    parameters: [
      ...(operation.params ? parametersOf(operation.params, 'path') : []),
      ...(operation.query ? parametersOf(operation.query, 'query') : []),
      ...(operation.headers ?? []),
    ],
    ...(body && {
      requestBody: {
        required: operation.bodyOptional !== true,
        content: contentOf(body),
        ...(isMediaBody(body) && body.description !== undefined && { description: body.description }),
      },
    }),
    responses: {
      [status]: {
        description: (isMediaBody(answer) && answer.description) || (status === 201 ? 'Created.' : 'Done.'),
        headers: {
          ...REQUEST_ID,
          ...Object.fromEntries(
            Object.entries(operation.answerHeaders ?? {}).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          ),
        },
        content: contentOf(answer),
      },
      ...Object.fromEntries(
        Object.entries(operation.otherAnswers ?? {}).map(([code, other]) => [
          code,
          {
            description: other!.description,
            headers: REQUEST_ID,
            content: contentOf(other!.schema),
          },
        ]),
      ),
      ...Object.fromEntries(
        // Every body has its limit (server/app.ts): a route that reads one may answer 413.
        [...(operation.errors ?? []), ...(body ? [413 as const] : [])].map((error) => [
          error,
          { $ref: `#/components/responses/${errorResponseName(error)}` },
        ]),
      ),
    },
  });
}
