/**
 * The Hono app: API routes behind one access middleware that applies the access table
 * (server/http/access.ts), metrics, and the built display. Tests call `app.request('/api/…')` with
 * no listener.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import type { AppContext } from './context.js';
import { accessProblems, answeringRoutes } from './http/access.js';
import { accessControl, type AppEnv } from './http/auth.js';
import { errorAnswer, errorHandler } from './http/errors.js';
import { withRequest } from './request-context.js';
import { apiDocument } from './openapi/document.js';
import { apiDocsRoutes } from './routes/api-docs.js';
import { reportRoutes } from './routes/reports.js';
import { adminRoutes } from './routes/admin.js';
import { alertRoutes } from './routes/alerts.js';
import { feedRoutes } from './routes/feeds.js';
import { healthRoutes } from './routes/health.js';
import { indicatorValueRoutes } from './routes/indicator-values.js';
import { liveIndexRoutes } from './routes/live-index.js';
import { regionRoutes } from './routes/regions.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { surveyRoutes } from './routes/surveys.js';
import { tokenRoutes } from './routes/tokens.js';
import { wallRoutes } from './routes/walls.js';
import { weightSetRoutes } from './routes/weight-sets.js';

const MAX_BODY_BYTES = 20 * 1024 * 1024;
/** Every other body: an acknowledgement, a silence, a subscription, a weight set. */
const MAX_SMALL_BODY_BYTES = 256 * 1024;
/** The paths whose bodies are records or uploaded files, up to MAX_BODY_BYTES. */
const CARRIES_FILES = /^\/api\/(ingest|import|webhook|indicator-values)(\/|$)/;

export interface AppOptions {
  /** Folder of the built display; served at / when it exists. */
  displayDir?: string;
}

export function createApp(ctx: AppContext, options: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  const cityName = `${ctx.city.city.name.en} (${ctx.city.city.name.zh})`;
  app.onError(errorHandler(ctx.logger));

  // Every answer names its request (the caller's X-Request-Id when it sent a sane one), and every
  // line logged while serving it carries the same id.
  app.use('*', requestId({ headerName: 'X-Request-Id', limitLength: 100 }));
  app.use('*', (c, next) => withRequest(c.var.requestId, next));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c, -1);
    ctx.metrics.httpRequests.inc({ method: c.req.method, route, status: c.res.status });
    // The path only: a kiosk's ?token= must never reach the log.
    ctx.logger.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: +(performance.now() - started).toFixed(1),
      },
      'request',
    );
  });

  app.use('*', accessControl(ctx.tokens));
  const limit = (maxSize: number, size: string) =>
    bodyLimit({
      maxSize,
      // The rest of the body is not read, so the connection cannot carry another request: say so,
      // or a keep-alive client sends its next request down a socket the server is closing.
      onError: (c) => {
        c.header('connection', 'close');
        return errorAnswer(c, 413, 'too_large', `the body exceeds ${size}`);
      },
    });
  // Imports and ingests carry files; everything else is a small JSON object.
  const large = limit(MAX_BODY_BYTES, `${MAX_BODY_BYTES / 1024 / 1024} MB`);
  const small = limit(MAX_SMALL_BODY_BYTES, `${MAX_SMALL_BODY_BYTES / 1024} KB`);
  app.use('/api/*', (c, next) => (CARRIES_FILES.test(c.req.path) ? large : small)(c, next));

  app.route('/', healthRoutes(ctx));
  app.route('/', regionRoutes(ctx));
  app.route('/', liveIndexRoutes(ctx));
  app.route('/', indicatorValueRoutes(ctx));
  app.route('/', weightSetRoutes(ctx));
  app.route('/', tokenRoutes(ctx));
  app.route('/', subscriptionRoutes(ctx));
  app.route('/', feedRoutes(ctx));
  app.route('/', alertRoutes(ctx));
  app.route('/', reportRoutes(ctx));
  app.route('/', surveyRoutes(ctx));
  app.route('/', adminRoutes(ctx));
  app.route('/', wallRoutes(ctx));
  // Built when first asked, from every route above.
  let document: ReturnType<typeof apiDocument> | undefined;
  const documentOf = () => (document ??= apiDocument(app as never, { version: ctx.version, city: cityName }));
  app.route('/', apiDocsRoutes(documentOf));
  app.all('/api/*', (c) => errorAnswer(c, 404, 'not_found', `no API route ${c.req.method} ${c.req.path}`));

  const displayDir = options.displayDir && resolve(options.displayDir);
  if (displayDir && existsSync(displayDir)) {
    app.use('/*', serveStatic({ root: displayDir }));
    // A single-page app: every other GET is the shell, which routes on the client.
    app.get('/*', serveStatic({ root: displayDir, path: 'index.html' }));
  } else {
    app.get('/', (c) =>
      c.text('The display is not built. Run `npm run build:display` (npm start does it for you).', 503),
    );
  }
  // Who may call a route is the access table's to say: a route it does not list is a mistake.
  const problems = accessProblems(answeringRoutes(app.routes));
  if (problems.length > 0)
    throw new Error(`the access table does not fit the routes:\n  ${problems.join('\n  ')}`);
  return app;
}

export type App = ReturnType<typeof createApp>;
