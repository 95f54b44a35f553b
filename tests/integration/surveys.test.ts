/**
 * The survey drill-down (GET /api/surveys) on a server holding survey responses pushed through
 * /api/ingest/survey: its means and intervals equal a computation made here, directly from the
 * responses and with a t-distribution of the test's own (numerical integration of the density);
 * the minimum sample, the unknown-community bucket, the method split, the month's bounds in the
 * city's time zone, a street token's scope and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../shared/random.js';
import type { CityConfig } from '../../shared/city.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';

/** 10:30 on Wednesday 25 November 2026 in Anning: the clock never moves. */
const NOW = new Date('2026-11-25T02:30:00Z');
const MIN_SAMPLE = 10;
const QUESTIONS = ['safety', 'satisfaction', 'police', 'urban', 'environment', 'market'] as const;
const DEPARTMENTS = ['police', 'urban', 'environment', 'market'] as const;
const METHODS = ['door', 'phone', 'online'] as const;
type Question = (typeof QUESTIONS)[number];
type Method = (typeof METHODS)[number];

/** A response as the server stores it: its community null when the one typed is not its street's. */
interface StoredResponse {
  id: string;
  street: string;
  community: string | null;
  method: Method;
  surveyedAt: string;
  ratings: Partial<Record<Question, number>>;
}

// ---------------------------------------------------------------------------------------------
// The test's own statistics: nothing of shared/surveys.ts or shared/statistics.ts.

/** Γ((ν+1)/2) / Γ(ν/2) for a whole ν, by the recurrence Γ(x+1) = x·Γ(x) from ν = 1 and 2. */
function gammaRatio(df: number): number {
  let ratio = df % 2 === 1 ? 1 / Math.sqrt(Math.PI) : Math.sqrt(Math.PI) / 2;
  for (let v = df % 2 === 1 ? 3 : 4; v <= df; v += 2) ratio *= (v - 1) / (v - 2);
  return ratio;
}

/** ∫₀ᵗ of Student's t density, by Simpson's rule on 2,000 panels. */
function tMass(t: number, df: number): number {
  const scale = gammaRatio(df) / Math.sqrt(df * Math.PI);
  const density = (x: number) => scale * (1 + (x * x) / df) ** (-(df + 1) / 2);
  const panels = 2000;
  const h = t / panels;
  let sum = density(0) + density(t);
  for (let i = 1; i < panels; i++) sum += (i % 2 === 1 ? 4 : 2) * density(i * h);
  return (sum * h) / 3;
}

const criticalValues = new Map<number, number>();
/** t_{0.975, df}: the t with 0.475 of the density between 0 and it, by bisection. */
function criticalT(df: number): number {
  let value = criticalValues.get(df);
  if (value === undefined) {
    let [low, high] = [0, 64];
    while (high - low > 1e-11) {
      const middle = (low + high) / 2;
      if (tMass(middle, df) < 0.475) low = middle;
      else high = middle;
    }
    value = (low + high) / 2;
    criticalValues.set(df, value);
  }
  return value;
}

/** A question's expected estimate from its answers: two-pass mean and standard deviation. */
function expectedEstimate(values: number[]) {
  const n = values.length;
  if (n < MIN_SAMPLE) return { n, insufficient: true };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = (criticalT(n - 1) * sd) / Math.sqrt(n);
  return {
    n,
    insufficient: false,
    mean,
    ci95: { low: Math.max(1, mean - half), high: Math.min(5, mean + half) },
  };
}

function expectedGroup(responses: StoredResponse[], withMethods: boolean): Record<string, unknown> {
  const n = responses.length;
  if (n < MIN_SAMPLE) return { n, insufficient: true };
  const questions = Object.fromEntries(
    QUESTIONS.map((q) => [
      q,
      expectedEstimate(responses.map((r) => r.ratings[q]).filter((v): v is number => v !== undefined)),
    ]),
  );
  if (!withMethods) return { n, insufficient: false, questions };
  const methods = Object.fromEntries(
    METHODS.map((m) => [
      m,
      expectedGroup(
        responses.filter((r) => r.method === m),
        false,
      ),
    ]),
  );
  return { n, insufficient: false, questions, methods };
}

/** Every number within 1e-8 of the expected one, every other value and every key the same. */
function expectClose(actual: unknown, expected: unknown, path = 'answer'): void {
  if (typeof expected === 'number') {
    expect(actual, path).toBeTypeOf('number');
    expect(actual as number, path).toBeCloseTo(expected, 8);
  } else if (expected === null || typeof expected !== 'object') expect(actual, path).toEqual(expected);
  else {
    expect(actual, path).toBeTypeOf('object');
    const [a, e] = [actual as Record<string, unknown>, expected as Record<string, unknown>];
    expect(Object.keys(a).sort(), path).toEqual(Object.keys(e).sort());
    for (const key of Object.keys(e)) expectClose(a[key], e[key], `${path}.${key}`);
  }
}

// ---------------------------------------------------------------------------------------------

describe.each(databaseTargets)('the survey drill-down on $name', (target) => {
  let server: TestServer;
  let city: CityConfig;
  /** What the server holds, by id: a response sent again replaces its first version. */
  const stored = new Map<string, StoredResponse>();
  let serial = 0;
  const rng = new Rng(20261125);

  /** Responses of a street's community by a method: phone answers lean high, as they are known to. */
  const responses = (
    count: number,
    street: string,
    community: string | null,
    method: Method,
    /** The community as typed; by default the one stored. */
    typed: string = community ?? '',
  ) =>
    Array.from({ length: count }, () => {
      const day = 1 + (serial % 24);
      const rating = () => (method === 'phone' ? rng.pick([4, 5, 5]) : rng.pick([1, 2, 3, 3, 4, 4, 5]));
      const ratings: StoredResponse['ratings'] = { safety: rating(), satisfaction: rating() };
      for (const department of DEPARTMENTS) if (rng.chance(0.7)) ratings[department] = rating();
      const response: StoredResponse = {
        id: `S-${++serial}`,
        street,
        community,
        method,
        surveyedAt: `2026-11-${String(day).padStart(2, '0')}T0${serial % 10}:15:00Z`,
        ratings,
      };
      return { response, typed };
    });

  const item = (response: StoredResponse, typed: string, updatedAt = response.surveyedAt) => {
    const { safety, satisfaction, ...departments } = response.ratings;
    return {
      id: response.id,
      updatedAt,
      surveyedAt: response.surveyedAt,
      street: response.street,
      community: typed,
      method: response.method,
      safety,
      satisfaction,
      ...(Object.keys(departments).length > 0 && { departments }),
    };
  };

  const push = async (batch: { response: StoredResponse; typed: string }[], updatedAt?: string) => {
    const feedToken = await server.issue('feed');
    const answer = await server.api('/api/ingest/survey', {
      method: 'POST',
      token: feedToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: batch.map((b) => item(b.response, b.typed, updatedAt)) }),
    });
    expect(await answer.json()).toEqual({ stored: batch.length, quarantined: [] });
    for (const { response } of batch) stored.set(response.id, response);
  };

  const get = async (query: string, token?: string) => {
    const response = await server.api(`/api/surveys${query}`, token === undefined ? {} : { token });
    return { status: response.status, body: await response.json() };
  };

  const inMonth = (month: string) => [...stored.values()].filter((r) => localMonth(r.surveyedAt) === month);
  /** The month of an instant in Anning (UTC+8 all year). */
  const localMonth = (at: string) => new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 7);

  const expectedStreet = (code: string, month: string) => {
    const street = city.streets.find((s) => s.code === code)!;
    const own = inMonth(month).filter((r) => r.street === code);
    const others = [...new Set(own.map((r) => r.community))]
      .filter((c): c is string => c !== null && !street.communities.includes(c))
      .sort();
    return {
      code,
      name: street.name,
      ...expectedGroup(own, true),
      communities: [...street.communities, ...others, null].map((community) => ({
        community,
        ...expectedGroup(
          own.filter((r) => r.community === community),
          true,
        ),
      })),
    };
  };

  beforeAll(async () => {
    city = await testCity();
    city.surveys = { minSample: MIN_SAMPLE };
    server = await startTestServer({ target, clock: () => NOW, city });
    await push([
      ...responses(13, 'jinfang', '金方社区', 'door'),
      ...responses(12, 'jinfang', '金方社区', 'phone'),
      ...responses(3, 'jinfang', '金方社区', 'online'),
      // Too few for a number.
      ...responses(6, 'jinfang', '昆钢社区', 'door'),
      // Typed communities the street does not have: a name and a phone number, and a made-up one.
      ...responses(4, 'jinfang', null, 'door', '张三 13812345678'),
      ...responses(2, 'jinfang', null, 'online', '不存在社区'),
      ...responses(11, 'qinglong', '青龙社区', 'phone'),
      ...responses(4, 'lianran', '大屯社区', 'door'),
    ]);
    // Local midnight starting 1 November counts in November; a second earlier is October's.
    const edge = responses(2, 'jinfang', '金方社区', 'door');
    edge[0]!.response.surveyedAt = '2026-10-31T16:00:00Z';
    edge[1]!.response.surveyedAt = '2026-10-31T15:59:59Z';
    await push(edge);
    // One response sent again, later, with other answers: its new answers count, once.
    const [first] = stored.values();
    expect(first).toMatchObject({ street: 'jinfang', community: '金方社区', method: 'door' });
    const corrected: StoredResponse = { ...first!, ratings: { safety: 1, satisfaction: 1, police: 1 } };
    await push([{ response: corrected, typed: '金方社区' }], '2026-11-24T12:00:00Z');
  });
  afterAll(() => server?.stop());

  it("has a t-distribution of the test's own that agrees with the tables", () => {
    expect(criticalT(1)).toBeCloseTo(12.706204736, 6);
    expect(criticalT(10)).toBeCloseTo(2.228138852, 8);
    expect(criticalT(30)).toBeCloseTo(2.042272456, 8);
  });

  it('gives every street, community and method n, means and 95% intervals equal to a direct computation', async () => {
    const { status, body } = await get('?month=2026-11');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      month: '2026-11',
      timezone: 'Asia/Shanghai',
      minSample: MIN_SAMPLE,
      complete: false,
      interval: { confidence: 0.95, method: 'student-t' },
    });
    const november = inMonth('2026-11');
    expect(november).toHaveLength(13 + 12 + 3 + 6 + 4 + 2 + 11 + 4 + 1);
    expectClose(body.city, expectedGroup(november, true), 'city');
    expect(body.streets.map((s: { code: string }) => s.code)).toEqual(city.streets.map((s) => s.code));
    for (const street of body.streets)
      expectClose(street, expectedStreet(street.code, '2026-11'), street.code);
  });

  it('shows a community below the minimum sample with its n and no number, and one above it in full', async () => {
    const { body } = await get('?month=2026-11&street=jinfang');
    const [jinfang] = body.streets;
    const community = (name: string | null) =>
      jinfang.communities.find((c: { community: string | null }) => c.community === name);
    expect(community('昆钢社区')).toEqual({ community: '昆钢社区', n: 6, insufficient: true });
    expect(community('摩玉社区')).toEqual({ community: '摩玉社区', n: 0, insufficient: true });
    // 29 responses: a number at this city's minimum of 10, where the default 30 would show none.
    expect(community('金方社区')).toMatchObject({ n: 29, insufficient: false });
    expect(community('金方社区').questions.safety.mean).toEqual(expect.any(Number));
    // So too a street's single community of 11.
    const { body: qinglong } = await get('?month=2026-11&street=qinglong');
    expect(qinglong.streets[0].communities[0]).toMatchObject({
      community: '青龙社区',
      n: 11,
      insufficient: false,
    });
    expect((await get('?month=2026-11&street=lianran')).body.streets[0]).toMatchObject({
      n: 4,
      insufficient: true,
    });
  });

  it('keeps responses of no known community as their own bucket, counted in the street, with nothing of what was typed', async () => {
    const response = await server.api('/api/surveys?month=2026-11&street=jinfang');
    const text = await response.text();
    const [jinfang] = JSON.parse(text).streets;
    const unknown = jinfang.communities.at(-1);
    expect(unknown).toEqual({ community: null, n: 6, insufficient: true });
    const total = jinfang.communities.reduce((sum: number, c: { n: number }) => sum + c.n, 0);
    expect(total).toBe(jinfang.n);
    expect(jinfang.n).toBe(13 + 12 + 3 + 6 + 6 + 1);
    for (const typed of ['张三', '13812345678', '不存在社区', 'S-1', 'surveyedAt'])
      expect(text).not.toContain(typed);
  });

  it('splits responses by survey method side by side, each under the minimum sample', async () => {
    const { body } = await get('?month=2026-11&street=jinfang');
    const [jinfang] = body.streets;
    const gold = jinfang.communities[0];
    expect(gold.community).toBe('金方社区');
    expect(Object.keys(gold.methods)).toEqual(['door', 'phone', 'online']);
    expect(gold.methods.door.n).toBe(14);
    expect(gold.methods.phone.n).toBe(12);
    expect(gold.methods.online).toEqual({ n: 3, insufficient: true });
    // The phone leans high here, as it is known to.
    expect(gold.methods.phone.questions.safety.mean).toBeGreaterThan(gold.methods.door.questions.safety.mean);
    expect(jinfang.methods.door.n).toBe(14 + 6 + 4);
    expect(jinfang.methods.online.n).toBe(3 + 2);
    expect(jinfang.methods.online.insufficient).toBe(true);
  });

  it("takes the month in the city's time zone: a response at local midnight of the 1st is that month's", async () => {
    const november = (await get('?month=2026-11')).body;
    expect(november.from).toBe('2026-10-31T16:00:00.000Z');
    expect(november.to).toBe('2026-11-30T16:00:00.000Z');
    const { status, body: october } = await get('?month=2026-10&street=jinfang');
    expect(status).toBe(200);
    expect(october).toMatchObject({ from: '2026-09-30T16:00:00.000Z', complete: true });
    expect(october.streets[0]).toMatchObject({ n: 1, insufficient: true });
    expect(october.streets[0].communities[0]).toEqual({ community: '金方社区', n: 1, insufficient: true });
    expect(october.city).toEqual({ n: 1, insufficient: true });
  });

  it('answers a month without responses with n = 0 everywhere', async () => {
    const { status, body } = await get('?month=2026-09');
    expect(status).toBe(200);
    expect(body.city).toEqual({ n: 0, insufficient: true });
    expect(body.streets).toHaveLength(city.streets.length);
    for (const street of body.streets) {
      const configured = city.streets.find((s) => s.code === street.code)!;
      expect(street).toEqual({
        code: configured.code,
        name: configured.name,
        n: 0,
        insufficient: true,
        communities: [...configured.communities, null].map((community) => ({
          community,
          n: 0,
          insufficient: true,
        })),
      });
    }
  });

  it('gives a street token its own streets and the city, and refuses it another street', async () => {
    const qinglong = await server.issue('street', ['qinglong']);
    const own = await get('?month=2026-11', qinglong);
    expect(own.status).toBe(200);
    expect(own.body.streets.map((s: { code: string }) => s.code)).toEqual(['qinglong']);
    expect(own.body.city.n).toBe(inMonth('2026-11').length);
    expect((await get('?month=2026-11&street=qinglong', qinglong)).body.streets).toEqual(own.body.streets);
    const refused = await get('?month=2026-11&street=jinfang', qinglong);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'forbidden', message: 'this token is limited to qinglong' });

    const two = await server.issue('street', ['qinglong', 'jinfang']);
    const both = (await get('?month=2026-11', two)).body.streets.map((s: { code: string }) => s.code);
    expect(both).toEqual(['jinfang', 'qinglong']);
    const wall = (await get('?month=2026-11', server.wallToken)).body.streets;
    expect(wall).toHaveLength(city.streets.length);
    const one = (await get('?month=2026-11&street=jinfang', server.wallToken)).body.streets;
    expect(one.map((s: { code: string }) => s.code)).toEqual(['jinfang']);
  });

  it('refuses a missing, malformed, too early or future month and an unknown street with 400 naming the field', async () => {
    const cases: [string, string | RegExp][] = [
      ['', 'month: is required'],
      ['?street=jinfang', 'month: is required'],
      ['?month=November', 'month: "November" is not a month YYYY-MM or a day YYYY-MM-DD'],
      ['?month=2026-13', 'month: "2026-13" has no month 13'],
      ['?month=1969-12', 'month: "1969-12" is outside 1970-01-01 to 9999-12-31'],
      ['?month=2026-12', 'month: 2026-12 is in the future (today is 2026-11-25 in Asia/Shanghai)'],
      ['?month=9999-12', /^month: 9999-12 is in the future/],
      ['?month=2026-11-25', 'month: "2026-11-25" is a day; expected a month YYYY-MM'],
      ['?month=2026-11&street=atlantis', 'street: no street "atlantis" is configured'],
      ['?month=2026-11&street=', 'street: no street "" is configured'],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await get(query);
      expect(status, query).toBe(400);
      expect(body.code, query).toBe('bad_request');
      expect(body.message, query).toMatch(message);
    }
    // A street token asking for a street nobody has learns that, not that it is someone else's.
    const qinglong = await server.issue('street', ['qinglong']);
    expect((await get('?month=2026-11&street=atlantis', qinglong)).status).toBe(400);
  });
});
