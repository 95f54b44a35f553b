/**
 * The API's own description: the OpenAPI document, and a page that renders it (Swagger UI, served
 * from this server's own files: a command centre's server may have no internet).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { notFound } from '../http/errors.js';
import { documented } from '../openapi/describe.js';

const RENDERER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The renderer's files the page loads, and their types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** The page's own script: the renderer on this server's document, asking nothing of the internet. */
const INIT_SCRIPT = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#api',
    deepLinking: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    persistAuthorization: false,
    tryItOutEnabled: false,
    // The public validator badge would send the document to the internet.
    validatorUrl: null,
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Pingan Wall API</title>
    <link rel="stylesheet" href="/api/docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
    <style>body { margin: 0; } .swagger-ui .topbar { display: none; }</style>
  </head>
  <body>
    <noscript>This page needs JavaScript. The document itself is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript>
    <div id="api"></div>
    <script src="/api/docs/swagger-ui-bundle.js"></script>
    <script src="/api/docs/init.js"></script>
  </body>
</html>
`;

/** The OpenAPI 3.1 document itself: an object whose paths list every operation. */
const documentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  })
  .meta({ description: 'An OpenAPI 3.1 document.' });

export function apiDocsRoutes(document: () => Promise<OpenAPIV3_1.Document>) {
  // Read once, when first asked: the bundle is large and never changes while the server runs.
  const assets = new Map<string, Promise<Buffer>>();
  const asset = (name: string) => {
    let content = assets.get(name);
    if (!content) assets.set(name, (content = readFile(join(RENDERER_DIR, name))));
    return content;
  };

  return new Hono()
    .get(
      '/api/openapi.json',
      documented({
        tag: 'Service',
        summary: 'This document',
        description: 'Generate a client from it, or read it at /api/docs.',
        answer: documentSchema,
      }),
      async (c) => c.json(await document()),
    )
    .get(
      '/api/docs',
      documented({
        tag: 'Service',
        summary: 'This document as a page to read',
        answer: { media: { 'text/html': z.string().meta({ description: 'An HTML page.' }) } },
      }),
      (c) => c.html(PAGE),
    )
    .get('/api/docs/:file', async (c) => {
      const file = c.req.param('file');
      if (file === 'init.js')
        return c.body(INIT_SCRIPT, 200, { 'content-type': ASSETS['swagger-ui-bundle.js']! });
      const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
      if (!type) throw notFound(`no file ${file} of the API page`);
      return c.body(new Uint8Array(await asset(file)), 200, {
        'content-type': type,
        'cache-control': 'public, max-age=86400',
      });
    });
}
