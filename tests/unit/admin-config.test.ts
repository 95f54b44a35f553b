/**
 * The admin pages' pure helpers: the forms and the configuration sections both ways (numbers as
 * typed, the rest of each item sent back as it came), the outline read from an uploaded GeoJSON
 * file, the problems of a refusal placed beside the fields they name, and the links that keep the
 * token and the language.
 */
import { describe, expect, it } from 'vitest';
import { loadCityConfig } from '../../server/config/city.js';
import { cityConfigSchema, type CityConfig } from '../../shared/city.js';
import {
  addOverride,
  alertFieldPaths,
  alertsForm,
  alertsValue,
  byBlock,
  feedsForm,
  feedsValue,
  indicatorsForm,
  indicatorsValue,
  numberOrText,
  removeOverride,
  streetFieldPaths,
  streetsForm,
  streetsValue,
  subscriptionBody,
  subscriptionForm,
  switchMethod,
  tokenBody,
} from '../../display/src/lib/admin/forms.js';
import { outlinePath, parseOutline, positionCount } from '../../display/src/lib/admin/geojson.js';
import { issuesOf, messagesAt, unclaimed, within } from '../../display/src/lib/admin/issues.js';
import { adminWords, sectionFrom } from '../../display/src/lib/admin/i18n.js';
import { adminQuery } from '../../display/src/lib/admin/nav.js';

const words = { notJson: (detail: string) => `not JSON: ${detail}`, masked: 'masked' };
const city = async (): Promise<CityConfig> => loadCityConfig('config/anning.json');
/** The city with one section replaced, through the file's schema: what the server would accept. */
const withSection = (config: CityConfig, section: string, value: unknown) =>
  cityConfigSchema.safeParse({ ...config, [section]: value });

const SQUARE = [
  [102.47, 24.91],
  [102.49, 24.91],
  [102.49, 24.93],
  [102.47, 24.93],
  [102.47, 24.91],
];

describe('numbers as typed', () => {
  it('reads numbers, the minus sign included, and keeps anything else as text for the server to refuse', () => {
    expect(numberOrText('168000')).toBe(168000);
    expect(numberOrText(' 2.5 ')).toBe(2.5);
    expect(numberOrText('−5')).toBe(-5);
    expect(numberOrText('1e3')).toBe(1000);
    expect(numberOrText('many')).toBe('many');
    expect(numberOrText('')).toBe('');
    expect(numberOrText('12abc')).toBe('12abc');
  });
});

describe('streets', () => {
  it('round-trips unchanged: the section from an untouched form is the configured one', async () => {
    const config = await city();
    const value = streetsValue(streetsForm(config.streets));
    expect(value).toEqual(config.streets);
    expect(withSection(config, 'streets', value).success).toBe(true);
  });

  it('sends the edits and keeps what the form does not edit (aliases, halls)', async () => {
    const config = await city();
    const form = streetsForm(config.streets);
    form[2]!.population = '90000';
    form[2]!.nameEn = 'Renamed';
    form[2]!.communities.push('  ', '新社区');
    const value = streetsValue(form) as CityConfig['streets'];
    expect(value[2]!.population).toBe(90000);
    expect(value[2]!.name).toEqual({ zh: config.streets[2]!.name.zh, en: 'Renamed' });
    expect(value[2]!.communities).toEqual([...config.streets[2]!.communities, '新社区']);
    expect(value[2]!.halls).toEqual(config.streets[2]!.halls);
    expect(value[0]).toEqual(config.streets[0]);
  });

  it("edits each community's English name beside it, and drops the names of communities removed", async () => {
    const config = await city();
    const form = streetsForm(config.streets);
    const jinfang = form[1]!;
    expect(jinfang.communitiesEn).toEqual(
      config.streets[1]!.communities.map((c) => config.streets[1]!.communityNames[c]!.en),
    );
    jinfang.communitiesEn[0] = 'Jinfang Community';
    jinfang.communities.splice(1, 1);
    jinfang.communitiesEn.splice(1, 1);
    jinfang.communities.push('新社区');
    jinfang.communitiesEn.push('Xin');
    jinfang.communities.push('无英文名社区');
    const value = streetsValue(form) as CityConfig['streets'];
    expect(value[1]!.communityNames).toEqual({
      金方社区: { en: 'Jinfang Community' },
      摩玉社区: { en: 'Moyu' },
      桃花社区: { en: 'Taohua' },
      龙山社区: { en: 'Longshan' },
      新社区: { en: 'Xin' },
    });
    expect(withSection(config, 'streets', value).success).toBe(true);
  });

  it('lets a bad population through to the server, whose schema names the field', async () => {
    const config = await city();
    for (const typed of ['-5', 'lots']) {
      const form = streetsForm(config.streets);
      form[2]!.population = typed;
      const parsed = withSection(config, 'streets', streetsValue(form));
      expect(parsed.success).toBe(false);
      const paths = parsed.error!.issues.map((issue) => issue.path.join('.'));
      expect(paths).toContain('streets.2.population');
      // …which the form shows beside the population of that street, and nothing at the top.
      const issues = parsed.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      expect(messagesAt(issues, 'streets.2.population')).toHaveLength(1);
      expect(unclaimed(issues, streetFieldPaths(form))).toEqual([]);
    }
  });

  it('carries an uploaded outline, and drops a removed one', async () => {
    const config = await city();
    const form = streetsForm(config.streets);
    const outline = parseOutline(JSON.stringify({ type: 'Polygon', coordinates: [SQUARE] }));
    expect(outline.ok).toBe(true);
    if (!outline.ok) return;
    form[1]!.geometry = outline.geometry;
    const value = streetsValue(form) as CityConfig['streets'];
    expect(value[1]!.geometry).toEqual({ type: 'Polygon', coordinates: [SQUARE] });
    expect(withSection(config, 'streets', value).success).toBe(true);
    form[1]!.geometry = undefined;
    expect('geometry' in (streetsValue(form)[1] as object)).toBe(false);
  });
});

describe('indicators', () => {
  it('round-trips unchanged and groups by block in the configured order', async () => {
    const config = await city();
    const form = indicatorsForm(config.indicators);
    expect(indicatorsValue(form)).toEqual(config.indicators);
    const groups = byBlock(form);
    expect(groups.map((g) => g.block)).toEqual([...new Set(config.indicators.map((i) => i.block))]);
    expect(groups.flatMap((g) => g.items.map((item) => item.index)).sort((a, b) => a - b)).toEqual(
      config.indicators.map((_, i) => i),
    );
  });

  it('switches a method carrying the goalposts: what scored 0 still scores 0', async () => {
    const config = await city();
    const form = indicatorsForm(config.indicators);
    const efficacy = form.find((f) => f.method === 'efficacy')!;
    const { unacceptable, satisfactory } = efficacy.values;
    const minmax = switchMethod(efficacy, 'minmax');
    expect(minmax.values.worst).toBe(unacceptable);
    expect(minmax.values.best).toBe(satisfactory);
    const target = switchMethod(minmax, 'target');
    expect(target.values.zero).toBe(unacceptable);
    expect(target.values.target).toBe(satisfactory);
    // Back to efficacy: its own goalposts were kept.
    minmax.values.worst = '99';
    expect(switchMethod(minmax, 'efficacy').values.unacceptable).toBe(unacceptable);
    const [value] = indicatorsValue([target]) as CityConfig['indicators'];
    expect(value!.normalisation).toEqual({
      method: 'target',
      zero: Number(unacceptable),
      target: Number(satisfactory),
    });
  });

  it('leaves an empty target zero out (it is optional), and sends the other goalposts as typed', async () => {
    const config = await city();
    const [first] = indicatorsForm(config.indicators);
    const target = { ...switchMethod(first!, 'target'), values: { target: '5', zero: ' ' } };
    const [value] = indicatorsValue([target]) as CityConfig['indicators'];
    expect(value!.normalisation).toEqual({ method: 'target', target: 5 });
    const same = { ...target, values: { target: 'x', zero: '1' } };
    expect((indicatorsValue([same])[0] as CityConfig['indicators'][number]).normalisation).toEqual({
      method: 'target',
      target: 'x',
      zero: 1,
    });
  });
});

describe('alert rules', () => {
  it('round-trips the complete defaults, and the schema accepts them as a section', async () => {
    const config = await city();
    const built = alertsValue(alertsForm(config.alerts), words);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.value).toEqual({ ...config.alerts });
    const parsed = withSection(config, 'alerts', built.value);
    expect(parsed.success).toBe(true);
    expect(parsed.data!.alerts).toEqual(config.alerts);
  });

  it('types each field by its value: switches, numbers, lists, and JSON for anything else', async () => {
    const config = await city();
    const form = alertsForm(config.alerts);
    const indexDrop = form.rules.find((r) => r.id === 'indexDrop')!;
    expect(indexDrop.fields.find((f) => f.field === 'enabled')!.kind).toBe('boolean');
    expect(indexDrop.fields.find((f) => f.field === 'points')!.kind).toBe('number');
    const zero = form.rules.find((r) => r.id === 'zeroTolerance')!;
    expect(zero.fields.find((f) => f.field === 'categories')!.kind).toBe('list');
    expect(form.timing.map((t) => t.field).sort()).toEqual(['escalateMinutes', 'repeatMinutes']);
  });

  it('adds a street override from the city value, edits and removes it', async () => {
    const config = await city();
    let form = alertsForm(config.alerts);
    form = addOverride(form, 'lianran', 'indexDrop.points');
    expect(form.overrides).toEqual([
      { street: 'lianran', fields: [{ rule: 'indexDrop', field: 'points', kind: 'number', value: '3' }] },
    ]);
    form.overrides[0]!.fields[0]!.value = '4';
    form = addOverride(form, 'lianran', 'repeatMinutes');
    const built = alertsValue(form, words);
    expect(built.ok && built.value.overrides).toEqual({
      lianran: { indexDrop: { points: 4 }, repeatMinutes: 30 },
    });
    const parsed = withSection(config, 'alerts', built.ok ? built.value : null);
    expect(parsed.success).toBe(true);
    expect(alertFieldPaths(form)).toContain('alerts.overrides.lianran.indexDrop.points');
    // An override that contradicts the city's rules is refused at its own path.
    form.overrides[0]!.fields[0]!.value = '0.5';
    const contradicting = alertsValue(form, words);
    const refused = withSection(config, 'alerts', contradicting.ok ? contradicting.value : null);
    expect(refused.success).toBe(false);
    expect(refused.error!.issues.map((i) => i.path.join('.'))).toContain(
      'alerts.overrides.lianran.indexDrop.hysteresis',
    );
    form = removeOverride(form, 'lianran', 'indexDrop.points');
    form = removeOverride(form, 'lianran', 'repeatMinutes');
    expect(form.overrides).toEqual([]);
  });

  it('a round trip of a stored override keeps it', async () => {
    const config = await city();
    const alerts = { ...config.alerts, overrides: { jinfang: { rank: { k: 2 }, escalateMinutes: 0 } } };
    const built = alertsValue(alertsForm(alerts), words);
    expect(built.ok && built.value.overrides).toEqual({ jinfang: { rank: { k: 2 }, escalateMinutes: 0 } });
  });

  it('refuses silences that are not JSON, at their field, before anything is sent', async () => {
    const config = await city();
    const form = alertsForm(config.alerts);
    form.silences = '[{';
    const built = alertsValue(form, words);
    expect(built.ok).toBe(false);
    expect(!built.ok && built.issues.map((i) => i.path)).toEqual(['alerts.silences']);
  });
});

describe('feeds', () => {
  it('round-trips, keeping masked secrets and every other setting as shown', async () => {
    const config = await city();
    const shown = {
      ...config.feeds,
      incident: {
        ...config.feeds.incident,
        url: 'https://feeds.example.cn/incidents',
        headers: { 'x-key': '••••••' },
      },
    };
    const built = feedsValue(feedsForm(shown), words);
    expect(built.ok && built.value).toEqual(shown);
  });

  it('sends the interval as typed, leaves an empty URL out and refuses a mapping that is not JSON', async () => {
    const config = await city();
    const form = feedsForm({
      ...config.feeds,
      fraud: { ...config.feeds.fraud, url: 'https://x.example/fraud' },
    });
    const fraud = form.find((f) => f.name === 'fraud')!;
    fraud.intervalSeconds = '120';
    fraud.url = ' ';
    const built = feedsValue(form, words);
    expect(built.ok).toBe(true);
    const value = built.ok ? (built.value.fraud as Record<string, unknown>) : {};
    expect(value.intervalSeconds).toBe(120);
    expect('url' in value).toBe(false);
    fraud.mapping = '{"fields": ';
    const bad = feedsValue(form, words);
    expect(!bad.ok && bad.issues.map((i) => i.path)).toEqual(['feeds.fraud.mapping']);
  });
});

describe('subscriptions and tokens', () => {
  it('builds a subscription body, with quiet hours only when asked', () => {
    const form = subscriptionForm();
    form.name = '金方街道负责人';
    form.streets = ['jinfang'];
    form.channels = [
      { kind: 'webhook', config: '{"url": "env:PINGAN_SECRET_HOOK", "secret": "env:PINGAN_SECRET_KEY"}' },
    ];
    const built = subscriptionBody(form, words);
    expect(built.ok && built.value).toEqual({
      name: '金方街道负责人',
      kind: 'group',
      audiences: ['street'],
      streets: ['jinfang'],
      rules: [],
      severities: [],
      channels: [
        { kind: 'webhook', config: { url: 'env:PINGAN_SECRET_HOOK', secret: 'env:PINGAN_SECRET_KEY' } },
      ],
      enabled: true,
    });
    form.quiet = true;
    const quiet = subscriptionBody(form, words);
    expect(quiet.ok && quiet.value.quietHours).toEqual({ start: '22:00', end: '07:00', critical: 'deliver' });
  });

  it('refuses a new channel with a masked secret, or not JSON, at that channel', () => {
    const form = subscriptionForm({
      name: 'x',
      kind: 'person',
      channels: [
        { kind: 'socket', config: {} },
        {
          kind: 'dingtalk',
          config: { url: 'https://oapi.dingtalk.com/robot/send?access_token=***', secret: '***' },
        },
      ],
    });
    const built = subscriptionBody(form, words);
    expect(!built.ok && built.issues).toEqual([{ path: 'channels.1.config', message: 'masked' }]);
    // A replacement sends the mask back: the server keeps the stored secret there.
    const replacing = subscriptionBody(form, words, true);
    expect(replacing.ok && replacing.value.channels).toEqual([
      { kind: 'socket', config: {} },
      {
        kind: 'dingtalk',
        config: { url: 'https://oapi.dingtalk.com/robot/send?access_token=***', secret: '***' },
      },
    ]);
    form.channels[1]!.config = '{';
    const bad = subscriptionBody(form, words);
    expect(!bad.ok && bad.issues[0]!.path).toBe('channels.1.config');
  });

  it('sends streets only with a street token', () => {
    expect(tokenBody({ name: 'a', role: 'wall', streets: ['lianran'] })).toEqual({
      name: 'a',
      role: 'wall',
      streets: [],
    });
    expect(tokenBody({ name: 'a', role: 'street', streets: ['lianran'] }).streets).toEqual(['lianran']);
  });
});

describe('an uploaded outline', () => {
  const polygon = { type: 'Polygon', coordinates: [SQUARE] };
  const shifted = SQUARE.map(([lon, lat]) => [lon! + 0.1, lat!]);

  it('takes the geometry of a Polygon, a Feature or a FeatureCollection, merging polygons', () => {
    expect(parseOutline(JSON.stringify(polygon))).toEqual({ ok: true, geometry: polygon });
    expect(parseOutline(JSON.stringify({ type: 'Feature', properties: {}, geometry: polygon }))).toEqual({
      ok: true,
      geometry: polygon,
    });
    const collection = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: polygon, properties: {} },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [102.48, 24.92] }, properties: {} },
        { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[shifted]] }, properties: {} },
      ],
    };
    expect(parseOutline(JSON.stringify(collection))).toEqual({
      ok: true,
      geometry: { type: 'MultiPolygon', coordinates: [[SQUARE], [shifted]] },
    });
  });

  it('drops elevations', () => {
    const withZ = { type: 'Polygon', coordinates: [SQUARE.map((p) => [...p, 1900])] };
    expect(parseOutline(JSON.stringify(withZ))).toEqual({ ok: true, geometry: polygon });
  });

  it('says what is wrong with a bad file', () => {
    const problem = (value: unknown) => {
      const result = parseOutline(typeof value === 'string' ? value : JSON.stringify(value));
      return result.ok ? null : result.problem;
    };
    expect(problem('{not json')?.code).toBe('not-json');
    expect(problem({ coordinates: [] })).toEqual({ code: 'no-type' });
    expect(problem({ type: 'Point', coordinates: [1, 2] })).toEqual({ code: 'unsupported', type: 'Point' });
    expect(problem({ type: 'FeatureCollection', features: [] })).toEqual({ code: 'no-polygon' });
    expect(problem({ type: 'Polygon', coordinates: [SQUARE.slice(0, 3)] })).toEqual({
      code: 'bad-ring',
      where: 'coordinates[0]',
      detail: 'too-short',
    });
    expect(
      problem({ type: 'Polygon', coordinates: [SQUARE.slice(0, 4).concat([[102.5, 24.95]])] }),
    ).toMatchObject({
      detail: 'not-closed',
    });
    expect(
      problem({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[200, 10], ...SQUARE]] } }),
    ).toEqual({
      code: 'bad-position',
      where: 'geometry.coordinates[0][0]',
    });
    expect(problem({ type: 'Polygon', coordinates: [[['a', 'b'], ...SQUARE]] })?.code).toBe('bad-position');
    // Every problem reads in both languages.
    for (const p of [
      problem('{'),
      problem({ type: 'Point' }),
      problem({ type: 'Polygon', coordinates: [[]] }),
    ])
      for (const lang of ['zh', 'en'] as const) expect(adminWords(lang).geo(p!)).not.toMatch(/undefined/);
  });

  it('draws as an outline inside the preview, whichever way its rings wind', () => {
    const path = outlinePath(polygon as never, 160, 120);
    expect(path).toMatch(/^M[\d.]+,[\d.]+L/);
    const xs = [...path.matchAll(/([\d.]+),([\d.]+)/g)].map((m) => Number(m[1]));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(5.9);
    expect(Math.max(...xs)).toBeLessThanOrEqual(154.1);
    const reversed = { type: 'Polygon' as const, coordinates: [[...SQUARE].reverse()] };
    expect(outlinePath(reversed, 160, 120)).toMatch(/^M/);
    expect(positionCount(polygon as never)).toBe(5);
  });
});

describe('the problems of a refusal', () => {
  it('reads details.issues, else the message, else a message with no path', () => {
    expect(
      issuesOf('x', {
        issues: [
          { path: 'streets.2.population', message: 'Too small' },
          { path: ['feeds', 'fraud', 'url'], message: 'bad' },
        ],
      }),
    ).toEqual([
      { path: 'streets.2.population', message: 'Too small' },
      { path: 'feeds.fraud.url', message: 'bad' },
    ]);
    expect(
      issuesOf('streets.2.population: Too small: expected number to be >0; streets: codes may not change'),
    ).toEqual([
      { path: 'streets.2.population', message: 'Too small: expected number to be >0' },
      { path: 'streets', message: 'codes may not change' },
    ]);
    expect(issuesOf('x', { problems: ['feeds.service-window.mapping.fields: bad'] })).toEqual([
      { path: 'feeds.service-window.mapping.fields', message: 'bad' },
    ]);
    expect(issuesOf('reason is required')).toEqual([{ path: '', message: 'reason is required' }]);
  });

  it('places a problem at its field or a parent field, and says the rest at the top', () => {
    expect(within('streets.2.population', 'streets.2.population')).toBe(true);
    expect(within('streets.2.geometry.coordinates.0', 'streets.2.geometry')).toBe(true);
    expect(within('streets.20.population', 'streets.2')).toBe(false);
    const issues = [
      { path: 'streets.2.population', message: 'a' },
      { path: 'streets.2.geometry.coordinates', message: 'b' },
      { path: 'streets', message: 'c' },
      { path: '', message: 'd' },
    ];
    const fields = ['streets.2.population', 'streets.2.geometry'];
    expect(messagesAt(issues, 'streets.2.geometry')).toEqual(['b']);
    expect(unclaimed(issues, fields).map((i) => i.message)).toEqual(['c', 'd']);
  });
});

describe('links', () => {
  it('keep the token and the language, and change the section or the language', () => {
    const search = '?token=abc&lang=en&section=feeds&month=2026-11';
    expect(adminQuery(search)).toBe('?token=abc&lang=en&section=feeds');
    expect(adminQuery(search, { section: 'tokens' })).toBe('?token=abc&lang=en&section=tokens');
    expect(adminQuery(search, { section: null, lang: 'zh' })).toBe('?token=abc');
    expect(adminQuery('', { lang: 'en' })).toBe('?lang=en');
  });

  it('read a section from the URL, the first when unknown', () => {
    expect(sectionFrom('history')).toBe('history');
    expect(sectionFrom('nope')).toBe('streets');
    expect(sectionFrom(null)).toBe('streets');
  });

  it('have every word in both languages', () => {
    const keys = (lang: 'zh' | 'en') => Object.keys(adminWords(lang)).sort();
    expect(keys('en')).toEqual(keys('zh'));
  });
});
