import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const valuesBody = JSON.stringify([
  { indicator: 'legal_education', street: 'caopu', period: '2026-11', value: 0.2 },
]);
const postValues = { method: 'POST', headers: { 'content-type': 'application/json' }, body: valuesBody };

describe.each(databaseTargets)('tokens and roles on $name', (target) => {
  let server: TestServer;
  const tokenFor = async (role: string, streets: string[] = []) => {
    const response = await server.api('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${role} test`, role, streets }),
    });
    expect(response.status).toBe(201);
    return (await response.json()).token as string;
  };

  beforeAll(async () => {
    server = await startTestServer({ target });
  });
  afterAll(() => server?.stop());

  it('answers 401 with a reason for a missing or unknown token', async () => {
    const missing = await server.api('/api/index', { token: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/token is required/),
    });
    const unknown = await server.api('/api/index', { token: 'pw_not-a-real-token' });
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).message).toMatch(/unknown or revoked/);
  });

  it('accepts the token from ?token= so that a kiosk needs no login', async () => {
    const response = await fetch(`${server.baseUrl}/api/streets?token=${server.wallToken}`);
    expect(response.status).toBe(200);
  });

  it('lets a wall read but not import, and a feed token import but not read', async () => {
    const wallImport = await server.api('/api/indicator-values', { ...postValues, token: server.wallToken });
    expect(wallImport.status).toBe(403);
    expect((await wallImport.json()).message).toBe('the wall role may not ingest');

    const feed = await tokenFor('feed');
    expect((await server.api('/api/indicator-values', { ...postValues, token: feed })).status).toBe(201);
    expect((await server.api('/api/index', { token: feed })).status).toBe(403);
  });

  it('keeps weight sets and tokens to the admin', async () => {
    const leader = await tokenFor('leader');
    expect((await server.api('/api/weight-sets', { token: leader })).status).toBe(200);
    const create = await server.api('/api/weight-sets', {
      method: 'POST',
      token: leader,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(create.status).toBe(403);
    expect((await server.api('/api/tokens', { token: leader })).status).toBe(403);
  });

  it('shows a street token only its own street', async () => {
    const street = await tokenFor('street', ['qinglong']);
    const live = await (await server.api('/api/index', { token: street })).json();
    expect(live.streets.map((s: { code: string }) => s.code)).toEqual(['qinglong']);
    const own = await server.api('/api/index/history?street=qinglong', { token: street });
    expect(own.status).toBe(200);
    const other = await server.api('/api/index/history?street=jinfang', { token: street });
    expect(other.status).toBe(403);
    expect((await other.json()).message).toMatch(/limited to qinglong/);
  });

  it("shows a street token its own streets' silences and the city-wide ones, not another street's or a feed's", async () => {
    const endsAt = new Date(server.ctx.clock().getTime() + 3_600_000).toISOString();
    const silence = async (scope: Record<string, string>) => {
      const response = await server.api('/api/silences', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...scope, endsAt, reason: `维护 ${JSON.stringify(scope)}` }),
      });
      expect(response.status).toBe(201);
      return (await response.json()).silence.id as string;
    };
    const own = await silence({ street: 'qinglong', rule: 'rank' });
    const cityWide = await silence({ rule: 'indexDrop' });
    const other = await silence({ street: 'jinfang' });
    const feed = await silence({ feed: 'fraud' });
    const listed = async (token: string) =>
      ((await (await server.api('/api/silences', { token })).json()).silences as { id: string }[]).map(
        (s) => s.id,
      );

    const seen = await listed(await tokenFor('street', ['qinglong']));
    expect(seen).toContain(own);
    expect(seen).toContain(cityWide);
    expect(seen).not.toContain(other);
    expect(seen).not.toContain(feed);
    expect(await listed(server.wallToken)).toEqual(expect.arrayContaining([own, cityWide, other, feed]));
  });

  it('refuses a street token without streets, and revokes tokens', async () => {
    const refused = await server.api('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nobody', role: 'street' }),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).message).toMatch(/^streets/);

    const created = await (
      await server.api('/api/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'temporary', role: 'wall' }),
      })
    ).json();
    expect((await server.api(`/api/tokens/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await server.api('/api/index', { token: created.token })).status).toBe(401);
  });

  it('stores only hashes of tokens', async () => {
    const rows = await server.ctx.database.db.query.tokens.findMany();
    for (const row of rows) {
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(server.adminToken);
    }
  });

  it('serves health and metrics without a token, and unknown API paths as 404 JSON', async () => {
    const health = await server.api('/api/health', { token: null });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      database: { status: 'ok', kind: target.name },
    });
    const metrics = await server.api('/metrics', { token: null });
    expect(await metrics.text()).toMatch(/pingan_http_requests_total/);
    const missing = await server.api('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('not_found');
  });
});
