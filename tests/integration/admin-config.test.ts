/**
 * Administration without a redeploy: the stored configuration, one section changed at a time and
 * applied live, the file read again on POST /api/admin/reload and SIGHUP, a bad file refused with its
 * key paths and the running configuration kept, and no secret in any answer.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityConfig } from '../../shared/city.js';
import { sign } from '../../server/feeds/signature.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const NOW = new Date('2026-11-25T02:00:00Z');
const STREET = 'lianran';
const PUSH_SECRET_ENV = 'PINGAN_SECRET_ADMIN_CONFIG_PUSH';
const PUSH_SECRET = 'admin-config-push-secret-0001';

describe.each(databaseTargets)('administration on $name', (target) => {
  let server: TestServer;
  let database: TestDatabase;
  let folder: string;
  let file: string;
  let original: CityConfig;

  const json = (response: Response) => response.json();
  const put = (section: string, body: unknown, token?: string | null) =>
    server.api(`/api/admin/config/${section}`, {
      method: 'PUT',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const config = async () => json(await server.api('/api/admin/config'));
  const liveRaw = async (indicator: string) => {
    const live = await json(await server.api('/api/index'));
    const street = live.streets.find((s: { code: string }) => s.code === STREET);
    return street.indicators.find((i: { id: string }) => i.id === indicator).raw as number;
  };
  const writeCity = (city: unknown) => writeFile(file, JSON.stringify(city, null, 2));

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'pingan-admin-'));
    file = join(folder, 'city.json');
    original = JSON.parse(await readFile('config/anning.json', 'utf8'));
    // A feed with a literal credential and a key in its URL's query: neither may be shown.
    original.feeds.incident.headers = { 'x-api-key': 'literal-feed-key-123456' };
    original.feeds.incident.url = 'https://jingqing.anning.example/api/incidents?key=sk-9f8e7d6c5b4a';
    await writeCity(original);
    // Kept over the restarts of the last tests.
    database = await target.create({ persistent: true });
    // The simulator stands in for the configured URL, as it does for every feed of the test.
    server = await startTestServer({
      target,
      database,
      seed: true,
      simulator: true,
      clock: () => NOW,
      cityFile: file,
    });
    await server.warmedUp;
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  it('shows the configuration in force with its version, and no secret', async () => {
    const answer = await config();
    expect(answer.version).toMatchObject({
      id: expect.any(Number),
      source: 'file',
      actor: 'configuration file',
    });
    expect(answer.file).toMatchObject({ path: file, status: 'ok', problems: [] });
    const text = JSON.stringify(answer);
    expect(text).not.toContain('literal-feed-key-123456');
    expect(text).not.toContain('sk-9f8e7d6c5b4a');
    expect(answer.config.feeds.incident.headers['x-api-key']).toBe('***');
    expect(answer.config.feeds.incident.url).toBe('https://jingqing.anning.example/api/incidents?key=***');
    expect(answer.config.streets).toHaveLength(9);
  });

  it("applies a street's population to the live index at once, and lists the version with who and why", async () => {
    const before = await config();
    const rawBefore = await liveRaw('criminal_cleared');
    const streets = before.config.streets.map((street: { code: string; population: number }) =>
      street.code === STREET ? { ...street, population: street.population * 2 } : street,
    );
    const response = await put('streets', { value: streets, reason: '第七次人口普查修正' });
    expect(response.status).toBe(200);
    const answer = await json(response);
    expect(answer.changed).toBe(true);
    expect(answer.version).toMatchObject({
      id: before.version.id + 1,
      source: 'admin',
      reason: '第七次人口普查修正',
      sections: ['streets'],
    });
    expect(server.ctx.city.streets.find((s) => s.code === STREET)!.population).toBe(
      streets.find((s: { code: string }) => s.code === STREET).population,
    );
    // Twice the residents, half the cases per 10k: recomputed without a restart.
    await until(
      async () => Math.abs((await liveRaw('criminal_cleared')) - rawBefore / 2) < 1e-9,
      'the per-10k rate under the new population',
    );
    const { versions } = await json(await server.api('/api/admin/config/versions'));
    expect(versions[0]).toMatchObject({ id: answer.version.id, actor: expect.stringContaining('admin') });
    expect(versions[0].reason).toBe('第七次人口普查修正');
  });

  it('refuses a bad value naming the field, and changes nothing', async () => {
    const before = await config();
    const streets = structuredClone(before.config.streets);
    streets[2].population = -5;
    const negative = await put('streets', { value: streets, reason: 'typo' });
    expect(negative.status).toBe(400);
    const body = await json(negative);
    expect(body.message).toMatch(/^streets\.2\.population: /);
    expect(body.details.issues[0].path).toBe('streets.2.population');
    streets[2].population = '12000';
    expect((await json(await put('streets', { value: streets, reason: 'typo' }))).message).toMatch(
      /^streets\.2\.population: /,
    );
    const noReason = await put('surveys', { value: { minSample: 20 } });
    expect(noReason.status).toBe(400);
    expect((await json(noReason)).message).toMatch(/reason/);
    const unknown = await put('city', { value: {}, reason: 'try' });
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).message).toMatch(/^section: /);
    // A new street takes a restart: the running parts count the streets they were given.
    const added = [
      ...before.config.streets,
      { ...before.config.streets[0], code: 'xinqu', aliases: [], communityAliases: {}, communityNames: {} },
    ];
    added.at(-1).name = { zh: '新区', en: 'Xinqu' };
    added.at(-1).communities = ['新区社区'];
    added.at(-1).halls = [];
    const restart = await put('streets', { value: added, reason: 'new street' });
    expect(restart.status).toBe(400);
    expect((await json(restart)).message).toMatch(/^streets: adding or removing a street \(\+xinqu\)/);
    const after = await config();
    expect(after.version).toEqual(before.version);
    expect(after.config).toEqual(before.config);
  });

  it('keeps a masked secret when a feed is changed without it', async () => {
    const { config: shown } = await config();
    const feeds = structuredClone(shown.feeds);
    feeds.incident.intervalSeconds = 20;
    const response = await put('feeds', { value: feeds, reason: 'the district asks for 20 s' });
    expect(response.status, JSON.stringify(await response.clone().json())).toBe(200);
    expect(server.ctx.city.feeds.incident.intervalSeconds).toBe(20);
    expect(server.ctx.city.feeds.incident.headers['x-api-key']).toBe('literal-feed-key-123456');
    expect(server.ctx.city.feeds.incident.url).toBe(original.feeds.incident.url);
    // A header naming a variable that is not set is refused before anything changes.
    feeds.incident.headers['x-api-key'] = 'env:PINGAN_SECRET_NOT_SET_ANYWHERE';
    const missing = await put('feeds', { value: feeds, reason: 'rotate' });
    expect(missing.status).toBe(400);
    expect((await json(missing)).message).toMatch(/^feeds\.incident\.headers\.x-api-key: /);
    expect(server.ctx.city.feeds.incident.headers['x-api-key']).toBe('literal-feed-key-123456');
  });

  it('takes signed pushes of a feed as soon as its push is configured, without a restart', async () => {
    process.env[PUSH_SECRET_ENV] = PUSH_SECRET;
    const item = feedItem('mediation', NOW, { street: STREET });
    const body = JSON.stringify({ items: [item] });
    const timestamp = String(Math.floor(NOW.getTime() / 1000));
    const pushed = () =>
      server.api('/api/webhook/mediation', {
        token: null,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-pingan-signature': `sha256=${sign(server.ctx.city.feeds.mediation.push!, PUSH_SECRET, body, timestamp)}`,
          'x-pingan-timestamp': timestamp,
        },
        body,
      });
    const before = await server.api('/api/webhook/mediation', { token: null, method: 'POST', body });
    expect(before.status).toBe(404);
    const { config: shown } = await config();
    const feeds = structuredClone(shown.feeds);
    feeds.mediation.push = { secret: `env:${PUSH_SECRET_ENV}` };
    const changed = await put('feeds', { value: feeds, reason: 'the mediation system pushes now' });
    expect(changed.status, JSON.stringify(await changed.clone().json())).toBe(200);
    const response = await pushed();
    expect(response.status, JSON.stringify(await response.clone().json())).toBe(200);
    expect(await json(response)).toEqual({ stored: 1, quarantined: [] });
  });

  it('reads a changed file on reload, and refuses a broken one keeping the running configuration', async () => {
    const changed = structuredClone(original);
    changed.surveys = { minSample: 40 };
    await writeCity(changed);
    const reloaded = await server.api('/api/admin/reload', { method: 'POST' });
    expect(reloaded.status).toBe(200);
    const answer = await json(reloaded);
    expect(answer).toMatchObject({ changed: true, version: { source: 'reload' } });
    expect(answer.version.sections).toContain('surveys');
    expect(server.ctx.city.surveys.minSample).toBe(40);

    const broken = structuredClone(changed);
    (broken.streets[3] as { population: unknown }).population = 'many';
    await writeCity(broken);
    const refused = await server.api('/api/admin/reload', { method: 'POST' });
    expect(refused.status).toBe(400);
    expect((await json(refused)).message).toMatch(/^streets\.3\.population: /);
    expect(server.ctx.city.streets[3]!.population).toBe(original.streets[3]!.population);
    const health = await json(await server.api('/api/health', { token: null }));
    expect(health.status).toBe('degraded');
    expect(health.reasons).toContain(
      `configuration: the file was refused (streets.3.population); version ${answer.version.id} is still in force`,
    );
    expect(health.configuration).toMatchObject({ version: answer.version.id, file: 'refused' });
  });

  it('reads the file again on SIGHUP: a broken one is refused and said in /api/health', async () => {
    await writeFile(file, '{ "city": ');
    const before = server.ctx.config.current();
    process.kill(process.pid, 'SIGHUP');
    await until(async () => {
      const health = await json(await server.api('/api/health', { token: null }));
      return health.reasons.some((reason: string) =>
        reason.startsWith('configuration: the file was refused ((file))'),
      );
    }, 'the broken file said in /api/health');
    expect(server.ctx.config.current()).toEqual(before);

    const fixed = structuredClone(original);
    fixed.surveys = { minSample: 35 };
    await writeCity(fixed);
    process.kill(process.pid, 'SIGHUP');
    await until(() => server.ctx.city.surveys.minSample === 35, 'the fixed file in force');
    const health = await json(await server.api('/api/health', { token: null }));
    expect(health.configuration.file).toBe('ok');
    expect(health.reasons.filter((reason: string) => reason.startsWith('configuration'))).toEqual([]);
  });

  it('keeps an administrator’s change over a restart with the same file, and takes a changed file', async () => {
    const streets = server.ctx.city.streets.map((street) =>
      street.code === STREET ? { ...street, population: 77_777 } : street,
    );
    expect((await put('streets', { value: streets, reason: 'before a restart' })).status).toBe(200);
    await server.stop();
    server = await startTestServer({ target, database, simulator: true, clock: () => NOW, cityFile: file });
    expect(server.ctx.city.streets.find((s) => s.code === STREET)!.population).toBe(77_777);
    expect(server.ctx.config.current().source).toBe('admin');

    const edited = structuredClone(original);
    edited.surveys = { minSample: 33 };
    await writeCity(edited);
    await server.stop();
    server = await startTestServer({ target, database, simulator: true, clock: () => NOW, cityFile: file });
    expect(server.ctx.config.current()).toMatchObject({
      source: 'file',
      reason: 'the file changed since it was last read',
    });
    expect(server.ctx.city.surveys.minSample).toBe(33);
    expect(server.ctx.city.streets.find((s) => s.code === STREET)!.population).toBe(
      original.streets.find((s) => s.code === STREET)!.population,
    );
  });

  it('refuses every token but an administrator’s', async () => {
    for (const role of ['wall', 'street', 'leader', 'officer', 'feed'] as const) {
      const token = await server.issue(role, role === 'street' ? [STREET] : []);
      expect((await server.api('/api/admin/config', { token })).status, role).toBe(403);
      expect((await put('surveys', { value: { minSample: 10 }, reason: 'x' }, token)).status, role).toBe(403);
      expect((await server.api('/api/admin/reload', { method: 'POST', token })).status, role).toBe(403);
    }
    expect((await server.api('/api/admin/config', { token: null })).status).toBe(401);
    expect(server.ctx.city.surveys.minSample).not.toBe(10);
  });
});
