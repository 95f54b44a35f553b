/**
 * Checks a real answer against the API document: the schema the document gives the operation's
 * status, with every object closed (a field the document does not name is a failure: the document
 * would otherwise fall behind the answers without anyone noticing).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { OpenAPIV3_1 } from 'openapi-types';
import { routePattern } from '../../server/openapi/document.js';

type Json = Record<string, unknown>;

/** A copy of a schema tree in which each object with named properties allows no others. */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const copy: Json = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, closed(value)]));
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined)
    copy.additionalProperties = false;
  return copy;
}

const pointer = (...segments: string[]) =>
  segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export interface Contract {
  /** The problems of an answer against the document; empty when it conforms. */
  problems(method: string, path: string, status: number, body: unknown): string[];
  /** The document's operation for a route (`GET /api/alerts/:id`), if any. */
  operation(key: string): OpenAPIV3_1.OperationObject | undefined;
}

export function contractOf(document: OpenAPIV3_1.Document): Contract {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  // The document lives under its own id, so that its `#/components/…` references resolve.
  ajv.addSchema({ $id: 'doc', ...(closed(document) as Json) });
  const operations = new Map<
    string,
    { path: string; method: string; operation: OpenAPIV3_1.OperationObject }
  >();
  for (const [path, item] of Object.entries(document.paths ?? {}))
    for (const [method, operation] of Object.entries(item ?? {}))
      if (typeof operation === 'object' && operation && 'responses' in operation)
        operations.set(`${method.toUpperCase()} ${routePattern(path)}`, {
          path,
          method,
          operation: operation as OpenAPIV3_1.OperationObject,
        });

  /** The pointer into the document of the JSON schema of a response, following a `$ref` to it. */
  const responsePointer = (path: string, method: string, status: number): string | null => {
    const found = operations.get(`${method} ${routePattern(path)}`);
    const response = found?.operation.responses?.[status] as Json | undefined;
    if (!response) return null;
    if (typeof response.$ref === 'string')
      return `${response.$ref}/content/${pointer('application/json')}/schema`;
    return `#/${pointer('paths', found!.path, found!.method, 'responses', String(status), 'content', 'application/json', 'schema')}`;
  };

  return {
    operation: (key) => operations.get(key)?.operation,
    problems(method, path, status, body) {
      const target = responsePointer(path, method, status);
      if (!target) return [`${method} ${path}: the document has no answer ${status}`];
      const validate = ajv.getSchema(`doc${target}`);
      if (!validate) return [`${method} ${path}: no schema at ${target}`];
      if (validate(body)) return [];
      return (validate.errors ?? []).map(
        (error) =>
          `${method} ${path} ${status}: ${error.instancePath || '(root)'} ${error.message} ${JSON.stringify(error.params)}`,
      );
    },
  };
}
