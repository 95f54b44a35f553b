/**
 * The access table (server/http/access.ts) walked entry by entry with every role and with no token,
 * on a server holding real data of several streets: refused callers get 401 or 403, allowed ones
 * do not, and a street token's answers name no other street. Socket events are walked the same way.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { recordSnapshot } from '../../server/bootstrap.js';
import {
  ACCESS,
  accessProblems,
  answeringRoutes,
  mayCall,
  type AccessKey,
  type SocketAction,
} from '../../server/http/access.js';
import type { AckReply } from '../../shared/live.js';
import { ROLES, type Principal, type Role } from '../../shared/roles.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { connectedSocket, type LiveSocket } from '../support/live.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { sign } from '../../server/feeds/signature.js';
import { feedPushSchema } from '../../shared/feed-push.js';
import { contractOf, type Contract } from '../support/openapi.js';
import { until } from '../support/wait.js';

type HttpKey = Exclude<AccessKey, SocketAction>;
type Caller = Role | 'none';
const CALLERS: readonly Caller[] = [...ROLES, 'none'];

/** The street a street token is limited to; the data below spans several others. */
const OWN = 'qinglong';
const STREETS_WITH_DATA = ['jinfang', OWN, 'caopu', 'lubiao'];

/** A moving clock on a fixed date: nothing here depends on the day the test runs. */
const START = Date.parse('2026-11-25T02:00:00Z');
const shift = START - Date.now();
const clock = () => new Date(Date.now() + shift);

interface Call {
  path: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The incident feed takes signed pushes in this walk, with this secret. */
const WEBHOOK_SECRET_ENV = 'PINGAN_SECRET_ACCESS_WALK_WEBHOOK';
const WEBHOOK_SECRET = 'access-walk-webhook-secret';

describe.each(databaseTargets)('the access table on $name', (target) => {
  let server: TestServer;
  const tokens = new Map<Caller, string | null>();
  const principals = new Map<Caller, Principal | null>();
  /** The open alert of each street with data, by street. */
  const alertOf = new Map<string, string>();
  let weightSetId: number;
  let otherStreets: { code: string; zh: string }[];
  const sockets: LiveSocket[] = [];
  /** The API document, which every JSON answer below must conform to. */
  let contract: Contract;

  const send = (call: Call, token: string | null) =>
    server.api(call.path, {
      method: call.method ?? 'GET',
      token,
      ...(call.body !== undefined && {
        headers: { 'content-type': 'application/json', ...call.headers },
        body: typeof call.body === 'string' ? call.body : JSON.stringify(call.body),
      }),
    });
  /** A push to the webhook, signed as the feed's configuration says. */
  const signedPush = (items: unknown[]): Call => {
    const body = JSON.stringify({ items });
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    const push = server.ctx.city.feeds.incident.push!;
    return {
      path: '/api/webhook/incident',
      method: 'POST',
      body,
      headers: {
        [push.signatureHeader]: `sha256=${sign(push, WEBHOOK_SECRET, body, timestamp)}`,
        [push.timestampHeader!]: timestamp,
      },
    };
  };
  const admin = async (call: Call) => {
    const response = await send(call, server.adminToken);
    expect(response.status, `${call.method} ${call.path}`).toBeLessThan(300);
    return response.json();
  };
  const endsAt = () => new Date(clock().getTime() + 3_600_000).toISOString();
  const signedLink = (alertId: string) => {
    const url = new URL(server.ctx.ackLinks.url(alertId, null, clock()));
    return `/api${url.pathname}${url.search}`;
  };
  const incident = (street: string, overrides: Record<string, unknown> = {}) =>
    feedItem('incident', clock(), { street, community: undefined, ...overrides });

  /** How each entry is called: a fresh resource where the call consumes one. Every entry needs one. */
  const calls: Record<HttpKey, () => Promise<Call>> = {
    'GET /api/health': async () => ({ path: '/api/health' }),
    'GET /metrics': async () => ({ path: '/metrics' }),
    'GET /api/openapi.json': async () => ({ path: '/api/openapi.json' }),
    'GET /api/docs': async () => ({ path: '/api/docs' }),
    'GET /api/docs/:file': async () => ({ path: '/api/docs/swagger-ui.css' }),
    'GET /': async () => ({ path: '/' }),
    'GET /*': async () => ({ path: `/street/${OWN}` }),
    'ALL /api/*': async () => ({ path: '/api/nothing-here', method: 'POST' }),
    'GET /api/streets': async () => ({ path: '/api/streets' }),
    'GET /api/indicators': async () => ({ path: '/api/indicators' }),
    'GET /api/index': async () => ({ path: '/api/index' }),
    'GET /api/index/history': async () => ({ path: `/api/index/history?street=${OWN}&from=2026-11-01` }),
    'POST /api/indicator-values': async () => ({
      path: '/api/indicator-values',
      method: 'POST',
      body: [{ indicator: 'legal_education', street: 'caopu', period: '2026-11', value: 0.2 }],
    }),
    'GET /api/weight-sets': async () => ({ path: '/api/weight-sets' }),
    'POST /api/weight-sets': async () => ({
      path: '/api/weight-sets',
      method: 'POST',
      body: { name: 'walk draft', weights: server.ctx.city.weights.weights },
    }),
    'POST /api/weight-sets/:id/publish': async () => {
      const draft = await server.ctx.weightSets.create(
        { name: 'walk draft', effectiveFrom: null, weights: server.ctx.city.weights.weights, note: null },
        'access test',
      );
      return {
        path: `/api/weight-sets/${draft.id}/publish`,
        method: 'POST',
        body: { effectiveFrom: '2027-01-01' },
      };
    },
    'PUT /api/weight-sets/:id': async () => {
      const draft = await server.ctx.weightSets.create(
        { name: 'walk draft', effectiveFrom: null, weights: server.ctx.city.weights.weights, note: null },
        'access test',
      );
      return {
        path: `/api/weight-sets/${draft.id}`,
        method: 'PUT',
        body: { name: 'walk draft, again', weights: server.ctx.city.weights.weights, note: 'walk' },
      };
    },
    'GET /api/weight-sets/:id/history': async () => ({ path: `/api/weight-sets/${weightSetId}/history` }),
    'GET /api/weight-sets/audit': async () => ({ path: '/api/weight-sets/audit' }),
    'POST /api/weight-sets/what-if': async () => ({
      path: '/api/weight-sets/what-if',
      method: 'POST',
      body: { weights: server.ctx.city.weights.weights, period: 'live' },
    }),
    'POST /api/weight-sets/sensitivity': async () => ({
      path: '/api/weight-sets/sensitivity',
      method: 'POST',
      body: { weights: server.ctx.city.weights.weights, period: 'live', draws: 50 },
    }),
    'POST /api/weight-sets/:id/preview': async () => ({
      path: `/api/weight-sets/${weightSetId}/preview`,
      method: 'POST',
      body: { period: '2026-11' },
    }),
    'GET /api/reports/monthly': async () => ({ path: '/api/reports/monthly' }),
    // The running month's draft: every street with data is in it.
    'GET /api/reports/monthly/:month': async () => ({ path: '/api/reports/monthly/2026-11?draft=1' }),
    'POST /api/reports/monthly/:month/publish': async () => ({
      path: '/api/reports/monthly/2026-10/publish',
      method: 'POST',
    }),
    'GET /api/session': async () => ({ path: '/api/session' }),
    'GET /api/tokens': async () => ({ path: '/api/tokens' }),
    'POST /api/tokens': async () => ({
      path: '/api/tokens',
      method: 'POST',
      body: { name: 'walk', role: 'wall' },
    }),
    'DELETE /api/tokens/:id': async () => {
      const { id } = await server.ctx.tokens.create({ name: 'to revoke', role: 'wall' });
      return { path: `/api/tokens/${id}`, method: 'DELETE' };
    },
    'GET /api/subscriptions': async () => ({ path: '/api/subscriptions' }),
    'POST /api/subscriptions': async () => ({
      path: '/api/subscriptions',
      method: 'POST',
      body: subscription,
    }),
    'GET /api/subscriptions/:id': async () => ({ path: `/api/subscriptions/${await newSubscription()}` }),
    'PUT /api/subscriptions/:id': async () => ({
      path: `/api/subscriptions/${await newSubscription()}`,
      method: 'PUT',
      body: subscription,
    }),
    'DELETE /api/subscriptions/:id': async () => ({
      path: `/api/subscriptions/${await newSubscription()}`,
      method: 'DELETE',
    }),
    'POST /api/subscriptions/:id/test': async () => ({
      path: `/api/subscriptions/${await newSubscription()}/test`,
      method: 'POST',
    }),
    'GET /api/admin/config': async () => ({ path: '/api/admin/config' }),
    'GET /api/admin/config/versions': async () => ({ path: '/api/admin/config/versions' }),
    'PUT /api/admin/config/:section': async () => ({
      path: '/api/admin/config/surveys',
      method: 'PUT',
      body: { value: { minSample: 25 }, reason: 'walk' },
    }),
    // Started without a file: refused (400), which is still the answer of a caller allowed to ask.
    'POST /api/admin/reload': async () => ({ path: '/api/admin/reload', method: 'POST' }),
    'GET /api/feeds': async () => ({ path: '/api/feeds' }),
    'POST /api/feeds/:feed/test': async () => ({
      path: '/api/feeds/incident/test',
      method: 'POST',
      body: { sample: [incident('jinfang'), incident('atlantis')] },
    }),
    'GET /api/quarantine': async () => ({ path: '/api/quarantine' }),
    'POST /api/ingest/:feed': async () => ({
      path: '/api/ingest/incident',
      method: 'POST',
      body: [incident('jinfang')],
    }),
    'POST /api/import/:feed': async () => ({
      path: '/api/import/incident',
      method: 'POST',
      body: [incident('caopu')],
    }),
    'POST /api/webhook/:feed': async () => signedPush([incident('lubiao')]),
    'GET /api/alerts': async () => ({ path: '/api/alerts?state=all' }),
    'GET /api/alerts/:id': async () => ({ path: `/api/alerts/${alertOf.get(OWN)}` }),
    'POST /api/alerts/:id/ack': async () => ({
      path: `/api/alerts/${alertOf.get(OWN)}/ack`,
      method: 'POST',
      body: { comment: '已派员处置' },
    }),
    'GET /api/ack/:id': async () => ({ path: signedLink(alertOf.get(OWN)!) }),
    'POST /api/ack/:id': async () => ({
      path: signedLink(alertOf.get(OWN)!),
      method: 'POST',
      body: { comment: '已派员处置' },
    }),
    'GET /api/silences': async () => ({ path: '/api/silences' }),
    'GET /api/surveys': async () => ({ path: '/api/surveys?month=2026-11' }),
    'POST /api/silences': async () => ({
      path: '/api/silences',
      method: 'POST',
      body: { street: 'jinfang', endsAt: endsAt(), reason: 'walk' },
    }),
    'DELETE /api/silences/:id': async () => {
      const silence = await server.ctx.silences.create({ rule: 'rank', endsAt: endsAt() }, 'access test');
      return { path: `/api/silences/${silence.id}`, method: 'DELETE' };
    },
    'POST /api/walls/heartbeat': async () => ({
      path: '/api/walls/heartbeat',
      method: 'POST',
      body: { screen: 'walk-watchdog', seq: 1, paintedMsAgo: 120_000 },
    }),
  };
  const subscription = {
    name: 'walk operators',
    kind: 'group',
    audiences: ['operators'],
    channels: [{ kind: 'socket', config: {} }],
  };
  const newSubscription = async () =>
    (await admin({ path: '/api/subscriptions', method: 'POST', body: subscription })).id as number;

  /** What a street token's answer may not contain: another street's code or name. */
  const expectNoOtherStreet = (text: string, what: string) => {
    for (const street of otherStreets) {
      expect(text.toLowerCase(), `${what} names ${street.code}`).not.toContain(street.code);
      expect(text, `${what} names ${street.zh}`).not.toContain(street.zh);
    }
  };

  beforeAll(async () => {
    process.env[WEBHOOK_SECRET_ENV] = WEBHOOK_SECRET;
    const city = await testCity();
    city.feeds.incident.push = feedPushSchema.parse({ secret: `env:${WEBHOOK_SECRET_ENV}` });
    server = await startTestServer({ target, clock, city });
    otherStreets = city.streets
      .filter((street) => street.code !== OWN)
      .map((street) => ({ code: street.code, zh: street.name.zh }));
    for (const role of ROLES) {
      const token = await server.issue(role, role === 'street' ? [OWN] : []);
      tokens.set(role, token);
      principals.set(role, await server.ctx.tokens.authenticate(token));
    }
    tokens.set('none', null);
    principals.set('none', null);

    // Real data of several streets: a robbery each (a zero-tolerance alert each), thefts, and
    // records the contract refuses (quarantined), one of them of a street nobody knows.
    const feed = tokens.get('feed')!;
    const items = STREETS_WITH_DATA.flatMap((street) => [
      incident(street, { category: 'robbery' }),
      incident(street),
      incident(street, { category: 'levitation' }),
    ]);
    items.push(incident('atlantis'));
    const pushed = await send({ path: '/api/ingest/incident', method: 'POST', body: items }, feed);
    expect(pushed.status).toBe(200);
    // Survey responses in the same streets, for the survey drill-down.
    const responses = STREETS_WITH_DATA.flatMap((street) => {
      const community = city.streets.find((s) => s.code === street)!.communities[0];
      return [1, 2, 3].map(() => feedItem('survey', clock(), { street, community }));
    });
    const surveyed = await send({ path: '/api/ingest/survey', method: 'POST', body: responses }, feed);
    expect(await surveyed.json()).toEqual({ stored: responses.length, quarantined: [] });
    await until(async () => {
      const alerts = await server.ctx.alerts.list({ state: 'open', limit: 100 });
      for (const alert of alerts) if (alert.street) alertOf.set(alert.street, alert.id);
      return STREETS_WITH_DATA.every((street) => alertOf.has(street));
    }, 'a zero-tolerance alert in each street');
    for (const street of ['jinfang', OWN])
      await server.ctx.silences.create({ street, endsAt: endsAt(), reason: 'maintenance' }, 'access test');
    await server.ctx.silences.create({ rule: 'indexDrop', endsAt: endsAt() }, 'access test');
    const now = clock();
    await recordSnapshot(server.ctx, now, await server.ctx.liveIndex.current(now));
    weightSetId = (await admin({ path: '/api/weight-sets' })).weightSets[0].id;
    contract = contractOf(await (await send({ path: '/api/openapi.json' }, null)).json());
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
  });

  it('has an entry for every route of the app, with and without a built display, and no other', async () => {
    const displayDir = await mkdtemp(join(tmpdir(), 'pingan-display-'));
    try {
      await writeFile(join(displayDir, 'index.html'), '<!doctype html><title>wall</title>');
      const withDisplay = createApp(server.ctx, { displayDir });
      const routes = new Set([
        ...answeringRoutes(createApp(server.ctx).routes),
        ...answeringRoutes(withDisplay.routes),
      ]);
      // Beside the display's catch-all, each request still meets its own route's entry.
      expect((await withDisplay.request('/api/alerts')).status).toBe(401);
      expect((await withDisplay.request('/api/nothing-here')).status).toBe(404);
      expect(await (await withDisplay.request(`/street/${OWN}`)).text()).toContain('<title>wall</title>');
      const httpEntries = Object.keys(ACCESS).filter((key) => !key.startsWith('socket:'));
      expect([...routes].sort()).toEqual(httpEntries.sort());
      expect(Object.keys(calls).sort()).toEqual(httpEntries.sort());
    } finally {
      await rm(displayDir, { recursive: true, force: true });
    }
  });

  it('refuses to build an app with a route that has no entry', () => {
    expect(accessProblems([...answeringRoutes(createApp(server.ctx).routes)])).toEqual([]);
    expect(accessProblems(['GET /api/index', 'GET /api/secrets'])).toEqual([
      'GET /api/secrets: no entry in the access table (server/http/access.ts)',
    ]);
  });

  it.each(Object.keys(calls) as HttpKey[])('%s answers each role as the table says', async (key) => {
    const entry = ACCESS[key];
    for (const caller of CALLERS) {
      const response = await send(await calls[key](), tokens.get(caller)!);
      const text = await response.text();
      const what = `${key} as ${caller}`;
      // The display's shell answers 503 while it is not built; nothing may fail inside.
      expect(response.status, `${what}: ${text}`).not.toBe(500);
      // Whatever the API answers, the document says: the allowed answer and each refusal alike.
      const [method, pattern] = key.split(' ') as [string, string];
      if (contract.operation(key) && response.headers.get('content-type')?.includes('application/json'))
        expect(contract.problems(method, pattern, response.status, JSON.parse(text)), what).toEqual([]);
      if (mayCall(entry, principals.get(caller)!)) {
        expect([401, 403], `${what}: ${text}`).not.toContain(response.status);
        if (caller === 'street') expectNoOtherStreet(text, what);
        if (entry.who === 'public')
          for (const street of [...otherStreets, { code: OWN }])
            expect(text.toLowerCase(), `${what} names ${street.code}`).not.toContain(street.code);
      } else expect(response.status, `${what}: ${text}`).toBe(caller === 'none' ? 401 : 403);
    }
  });

  it('refuses a signed-link entry to every caller, token or not, when the link is not signed', async () => {
    const path = `/api/ack/${alertOf.get(OWN)}`;
    for (const caller of CALLERS) {
      expect((await send({ path }, tokens.get(caller)!)).status).toBe(403);
      const post = await send({ path, method: 'POST', body: { comment: '处置' } }, tokens.get(caller)!);
      expect(post.status).toBe(403);
    }
  });

  it('refuses a signed-webhook entry to every caller, token or not, when the push is not signed', async () => {
    const unsigned = { ...signedPush([incident(OWN)]), headers: {} };
    const forged = signedPush([incident(OWN)]);
    forged.body = JSON.stringify({ items: [incident(OWN, { category: 'robbery' })] });
    for (const caller of CALLERS)
      for (const call of [unsigned, forged]) {
        const response = await send(call, tokens.get(caller)!);
        expect(response.status, caller).toBe(401);
      }
  });

  it("refuses a street token another street's alert, history, surveys and acknowledgement", async () => {
    const street = tokens.get('street')!;
    const theirs = alertOf.get('jinfang')!;
    expect((await send({ path: `/api/alerts/${theirs}` }, street)).status).toBe(403);
    expect((await send({ path: '/api/alerts?street=jinfang' }, street)).status).toBe(403);
    expect((await send({ path: '/api/index/history?street=jinfang' }, street)).status).toBe(403);
    expect((await send({ path: '/api/surveys?month=2026-11&street=jinfang' }, street)).status).toBe(403);
    const ack = await send(
      { path: `/api/alerts/${theirs}/ack`, method: 'POST', body: { comment: '处置' } },
      street,
    );
    expect(ack.status).toBe(403);
  });

  it("gives a street token the quarantined records of its own streets only, none of an unknown street's", async () => {
    const own = await (await send({ path: '/api/quarantine' }, tokens.get('street')!)).json();
    expect(own.records.length).toBeGreaterThan(0);
    for (const record of own.records) expect(record.street).toBe(OWN);
    const all = await admin({ path: '/api/quarantine' });
    const streets = new Set(all.records.map((record: { street: string | null }) => record.street));
    expect(streets).toEqual(new Set([...STREETS_WITH_DATA, null]));
  });

  it('keeps the city ranks in a street token’s preview of a weight set', async () => {
    const call = await calls['POST /api/weight-sets/:id/preview']();
    const mine = await (await send(call, tokens.get('street')!)).json();
    const everyone = await admin(call);
    expect(mine.streets).toEqual(everyone.streets.filter((s: { code: string }) => s.code === OWN));
    expect(mine.meanAbsoluteRankShift).toBe(everyone.meanAbsoluteRankShift);
  });

  describe('socket events', () => {
    /** Connects as a caller: the socket, or the refusal's code. */
    const connect = async (caller: Caller): Promise<LiveSocket | { refused: unknown }> => {
      try {
        const socket = await connectedSocket(server.baseUrl, tokens.get(caller) ?? '');
        sockets.push(socket);
        return socket;
      } catch (error) {
        return { refused: (error as { data?: { code?: string } }).data?.code };
      }
    };
    /** Each socket action done by an allowed caller, checked to have happened; returns what came back. */
    type Action = (socket: LiveSocket, caller: Caller) => Promise<string>;
    const actions: Record<Exclude<SocketAction, 'socket:connect'>, Action> = {
      'socket:resync': async (socket) => {
        const snapshot = new Promise((resolve) => socket.once('snapshot', resolve));
        socket.emit('resync');
        return JSON.stringify(await snapshot);
      },
      'socket:heartbeat': async (socket, caller) => {
        const health = async () => (await send({ path: '/api/health' }, null)).json();
        if (caller === 'street') {
          // A street page names itself after its street, as the display's does: that is street data,
          // and /api/health answers anyone. After a round trip on the same socket it is known not listed.
          socket.emit('heartbeat', { screen: `street:${OWN}` });
          await ack(socket);
          const walls = (await health()).walls;
          expect(JSON.stringify(walls)).not.toContain(OWN);
          return JSON.stringify(walls);
        }
        const screen = `walk-${socket.id}`;
        socket.emit('heartbeat', { screen });
        const walls = await until(async () => {
          const { walls } = await health();
          return walls.some((wall: { screen: string }) => wall.screen === screen) && walls;
        }, `the heartbeat of ${screen}`);
        return JSON.stringify(walls);
      },
      'socket:ack': async (socket) => JSON.stringify(await ack(socket)),
    };
    const ack = (socket: LiveSocket) =>
      new Promise<AckReply>((resolve) =>
        socket.emit('ack', { alertId: alertOf.get(OWN)!, comment: '已派员处置' }, resolve),
      );

    it.each(CALLERS)('lets %s connect and act on the live channel as the table says', async (caller) => {
      const principal = principals.get(caller)!;
      const socket = await connect(caller);
      if (!mayCall(ACCESS['socket:connect'], principal)) {
        expect(socket).toEqual({ refused: caller === 'none' ? 'token' : 'forbidden' });
        return;
      }
      if ('refused' in socket) throw new Error(`${caller} was refused: ${String(socket.refused)}`);
      const first = await new Promise((resolve) => {
        socket.once('snapshot', resolve);
        socket.emit('resync');
      });
      if (caller === 'street') expectNoOtherStreet(JSON.stringify(first), 'the snapshot');
      for (const [event, act] of Object.entries(actions) as [keyof typeof actions, Action][]) {
        if (mayCall(ACCESS[event], principal)) {
          const answer = await act(socket, caller);
          if (event === 'socket:ack')
            expect(['forbidden', 'unauthorized']).not.toContain(
              (JSON.parse(answer) as { code?: string }).code,
            );
          if (caller === 'street' && ACCESS[event].streets === 'own-streets')
            expectNoOtherStreet(answer, event);
        } else {
          // Only an acknowledgement can be refused to a socket that may connect: the others need `read` too.
          expect(event).toBe('socket:ack');
          expect(await ack(socket)).toMatchObject({ ok: false, code: 'forbidden' });
        }
      }
    });
  });
});
