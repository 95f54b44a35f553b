/**
 * The integrator's dry run: records of a foreign system put through the feed's mapping and
 * validation, shown mapped or refused with their reasons, with nothing stored — from the API (a
 * pasted sample, or a page fetched from the feed) and from the shell.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidents, quarantine } from '../../server/db/schema/index.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';

const NOW = new Date('2026-11-25T02:30:00Z');
const MAPPING = {
  fields: { id: 'bh', street: 'jd', category: 'lb' },
  values: { category: { 盗窃: 'theft', 抢劫: 'robbery' } },
};

/** A 警情 record in the foreign system's own field names. */
const theirs = (id: string, street: string, category: string) => {
  const ours = feedItem('incident', NOW, { id, street: 'jinfang' }) as Record<string, unknown>;
  const { id: _id, street: _street, category: _category, ...rest } = ours;
  return { bh: id, jd: street, lb: category, ...rest };
};
const SAMPLE = [
  theirs('JQ-1', '金方', '盗窃'),
  theirs('JQ-2', '外星', '盗窃'),
  theirs('JQ-3', '青龙', '飞天'),
];

describe.each(databaseTargets)('the dry run on $name', (target) => {
  let server: TestServer;
  let source: Server;
  const count = async () => ({
    incidents: (await server.ctx.database.db.select().from(incidents)).length,
    quarantined: (await server.ctx.database.db.select().from(quarantine)).length,
  });
  const test = (body?: unknown, token?: string) =>
    server.api('/api/feeds/incident/test', {
      method: 'POST',
      ...(token && { token }),
      ...(body !== undefined && {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    });

  beforeAll(async () => {
    // The foreign system: one page of our envelope around its own records, whatever is asked.
    source = createServer((_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ items: SAMPLE, next: 'p1', hasMore: false }));
    });
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/jq`;
    const city = await testCity({ incident: { mapping: MAPPING } });
    server = await startTestServer({
      target,
      city,
      clock: () => NOW,
      feedUrls: { incident: url },
      pollSchedule: false,
    });
    await server.warmedUp;
    await until(async () => (await count()).incidents === 1, 'the first poll of the foreign feed');
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => source?.close(resolve));
  });

  it('maps a pasted sample, shows each refusal with its reason, and stores nothing', async () => {
    const before = await count();
    const response = await test({ sample: { items: [...SAMPLE, 'not a record'] } });
    expect(response.status).toBe(200);
    const result = await response.json();
    expect(result).toMatchObject({ feed: 'incident', source: 'sample', records: 4 });
    expect(result.mapped).toEqual([
      { line: 1, item: expect.objectContaining({ id: 'JQ-1', street: 'jinfang', category: 'theft' }) },
    ]);
    expect(result.rejected).toEqual([
      { line: 2, reason: 'street: unknown street "外星"' },
      { line: 3, reason: expect.stringMatching(/^category: /) },
      { line: 4, reason: 'not an object' },
    ]);
    expect(await count()).toEqual(before);
  });

  it('fetches a page from the feed when no sample is given, and says why when it cannot', async () => {
    const before = await count();
    const fetched = await (await test()).json();
    expect(fetched).toMatchObject({ source: 'fetched', records: 3 });
    expect(fetched.mapped.map((m: { line: number }) => m.line)).toEqual([1]);
    expect(await count()).toEqual(before);
    const unknown = await server.api('/api/feeds/fraud/test', { method: 'POST' });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).message).toMatch(/the fraud feed has no URL to fetch from/);
    const bad = await test({ sample: { data: [] } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toBe(
      'sample: expected an array of records, or a page with its records at "items"',
    );
    expect((await test({ sample: [] }, server.wallToken)).status).toBe(403);
  });

  it('says the same from the shell: npm run feed:check', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pingan-feed-check-'));
    try {
      const config = JSON.parse(JSON.stringify(server.ctx.city));
      delete config.feeds.incident.url;
      await writeFile(join(folder, 'city.json'), JSON.stringify(config));
      await writeFile(join(folder, 'sample.json'), JSON.stringify({ items: SAMPLE }));
      const run = promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          'server/cli/feed-check.ts',
          join(folder, 'city.json'),
          'incident',
          join(folder, 'sample.json'),
        ],
        { env: { ...process.env, LOG_LEVEL: 'silent' } },
      );
      const failed = await run.then(
        () => null,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failed?.code).toBe(1);
      const lines = failed!.stdout.trim().split('\n');
      expect(lines[0]).toBe('incident: 3 records (sample), 1 mapped, 2 refused');
      expect(lines[1]).toBe('  refused  line 2: street: unknown street "外星"');
      expect(lines.at(-1)).toMatch(/^ {2}mapped {3}line 1: \{"id":"JQ-1",.*"street":"jinfang"/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
