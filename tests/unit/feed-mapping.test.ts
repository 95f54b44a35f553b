import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCityConfig } from '../../server/config/city.js';
import { ConfigError } from '../../server/config/env.js';
import { recordParser } from '../../server/feeds/records.js';
import { adapterOf } from '../../server/feeds/registry.js';
import { describeIssues, type CityConfig } from '../../shared/city.js';
import {
  feedMappingSchema,
  mapRecord,
  readNumber,
  type FeedMapping,
  type MappingContext,
} from '../../shared/feed-mapping.js';
import { TIME_FIELDS } from '../../shared/feeds/index.js';
import { cityRegions } from '../../shared/streets.js';

const anning = () => JSON.parse(readFileSync('config/anning.json', 'utf8'));

let city: CityConfig;
let context: MappingContext;
beforeAll(() => {
  city = parseCityConfig(anning());
  context = { zone: 'Asia/Shanghai', timeFields: TIME_FIELDS.incident, regions: cityRegions(city) };
});

/** A mapping as the configuration file gives it, parsed by its schema. */
const mappingOf = (config: unknown): FeedMapping => feedMappingSchema.parse(config);
const map = (raw: Record<string, unknown>, config: unknown) => mapRecord(raw, mappingOf(config), context);
const record = (raw: Record<string, unknown>, config: unknown) => {
  const { record, problems } = map(raw, config);
  expect(problems).toEqual([]);
  return record;
};

/** Why the schema refuses a mapping, one line per problem with its key path. */
const refusals = (config: unknown): string[] => {
  const parsed = feedMappingSchema.safeParse(config);
  if (parsed.success) throw new Error('expected the mapping to be refused');
  return describeIssues(parsed.error);
};

describe('a feed mapping, backward compatible', () => {
  it('defaults to no mapping, and leaves a record in our fields as it came', () => {
    expect(mappingOf({})).toEqual({ fields: {}, values: {} });
    const raw = { id: 'A', street: 'jinfang', category: 'theft', extra: { x: 1 } };
    expect(record(raw, {})).toEqual(raw);
  });

  it('renames their fields by dotted paths and maps their values to ours, as before', () => {
    const mapped = record(
      { bh: 'A', jq: { bjsj: '2026-11-25T10:00:00+08:00', lb: '盗窃' }, jd: '金方' },
      {
        fields: { id: 'bh', reportedAt: 'jq.bjsj', category: 'jq.lb', street: 'jd' },
        values: { category: { 盗窃: 'theft' } },
      },
    );
    expect(mapped).toMatchObject({
      id: 'A',
      reportedAt: '2026-11-25T10:00:00+08:00',
      category: 'theft',
      street: '金方',
    });
  });

  it('maps values to numbers, booleans and null (left out) as well as text, and keeps an unlisted value', () => {
    const values = {
      values: { safety: { 满意: 5, 一般: 3 }, cleared: { 是: true, 否: false }, community: { 无: null } },
    };
    expect(record({ safety: '满意', cleared: '否', community: '无' }, values)).toEqual({
      safety: 5,
      cleared: false,
    });
    expect(record({ safety: 4, cleared: true, community: '金方社区' }, values)).toEqual({
      safety: 4,
      cleared: true,
      community: '金方社区',
    });
  });

  it('matches a value by its entry exactly, then trimmed, and never by an inherited name', () => {
    const values = { values: { category: { 盗窃: 'theft', '1': 'fraud' } } };
    expect(record({ category: ' 盗窃 ' }, values).category).toBe('theft');
    expect(record({ category: 1 }, values).category).toBe('fraud');
    expect(record({ category: 'constructor' }, values).category).toBe('constructor');
  });
});

describe('field specs', () => {
  it('reads their path, or our own field name when the spec gives none', () => {
    expect(
      record({ a: { b: 'x' }, status: 'open' }, { fields: { id: { path: 'a.b' }, status: {} } }),
    ).toEqual({
      a: { b: 'x' },
      status: 'open',
      id: 'x',
    });
  });

  it('sets a constant whatever the record holds, and leaves a null constant out', () => {
    expect(
      record(
        { kind: 'x', community: 'y' },
        { fields: { kind: { const: 'other' }, community: { const: null } } },
      ),
    ).toEqual({
      kind: 'other',
    });
    expect(record({}, { fields: { safety: { const: 3 }, cleared: { const: false } } })).toEqual({
      safety: 3,
      cleared: false,
    });
  });

  it('takes the default when the source gives nothing (absent, null or blank), and the source otherwise', () => {
    const fields = { fields: { method: { path: 'fs', default: 'door' } } };
    for (const fs of [undefined, null, '', '  '])
      expect(record({ fs }, fields).method, String(fs)).toBe('door');
    expect(record({ fs: 'phone' }, fields).method).toBe('phone');
    // Without a default, a source with nothing leaves the field out: the contract decides.
    expect(record({ closedAt: '' }, { fields: { closedAt: {} } })).toEqual({});
  });

  it('reads numbers from text, with thousands separators and spaces', () => {
    const fields = { fields: { lossYuan: { path: 'je', number: true } } };
    expect(record({ je: '1,234.5' }, fields).lossYuan).toBe(1234.5);
    expect(record({ je: ' 4 ' }, fields).lossYuan).toBe(4);
    expect(record({ je: '４' }, fields).lossYuan).toBe(4);
    expect(record({ je: 36000 }, fields).lossYuan).toBe(36000);
    expect(record({ je: '-2.5e3' }, fields).lossYuan).toBe(-2500);
  });

  it('names the field and the value that is not a number, and keeps the value for quarantine', () => {
    const fields = { fields: { safety: { path: 'aq', number: true } } };
    expect(map({ aq: '很好' }, fields)).toEqual({
      record: { aq: '很好', safety: '很好' },
      problems: [{ field: 'safety', reason: '"很好" is not a number' }],
    });
    expect(map({ aq: true }, fields).problems).toEqual([{ field: 'safety', reason: 'true is not a number' }]);
    for (const text of ['1,23', '0x10', '1 000', 'Infinity', '4分'])
      expect(readNumber(text), text).toEqual({ error: `"${text}" is not a number` });
  });

  it('maps before reading a number, so that 满意 and "4" both become ratings', () => {
    const fields = { fields: { satisfaction: { path: 'my', map: { 满意: 4, 很满意: 5 }, number: true } } };
    expect(record({ my: '满意' }, fields).satisfaction).toBe(4);
    expect(record({ my: '4' }, fields).satisfaction).toBe(4);
  });

  it('reads a time in its format and zone as the ISO instant the contract wants', () => {
    const fields = {
      fields: {
        reportedAt: { path: 'bjsj', time: 'YYYY-MM-DD HH:mm:ss' },
        arrivedAt: { path: 'ddsj', time: 'epoch_ms' },
        closedAt: { path: 'jasj', time: 'epoch_s' },
        updatedAt: { path: 'gxsj', time: 'YYYY-MM-DD HH:mm:ss', zone: 'Europe/Berlin' },
      },
    };
    expect(
      record(
        {
          bjsj: '2026-11-25 10:05:00',
          ddsj: 1795575600000,
          jasj: '1795576200',
          gxsj: '2026-11-25 04:00:00',
        },
        fields,
      ),
    ).toMatchObject({
      reportedAt: '2026-11-25T02:05:00.000Z',
      arrivedAt: '2026-11-25T03:00:00.000Z',
      closedAt: '2026-11-25T03:10:00.000Z',
      updatedAt: '2026-11-25T03:00:00.000Z',
    });
  });

  it('names the field and why its time cannot be read', () => {
    const fields = {
      fields: { reportedAt: { path: 'bjsj', time: 'YYYY-MM-DD HH:mm:ss' }, arrivedAt: { time: 'epoch_ms' } },
    };
    expect(map({ bjsj: '25.11.2026 10:05', arrivedAt: 'soon' }, fields).problems).toEqual([
      { field: 'reportedAt', reason: '"25.11.2026 10:05" does not match YYYY-MM-DD HH:mm:ss' },
      { field: 'arrivedAt', reason: '"soon" is not a time in epoch milliseconds' },
    ]);
  });

  it("reads every time field in the feed's times, unless the field names its own", () => {
    const mapping = {
      times: { format: 'YYYY-MM-DD HH:mm:ss' },
      fields: { reportedAt: 'bjsj', updatedAt: { time: 'iso' }, closedAt: { time: 'epoch_s' } },
    };
    expect(
      record(
        {
          bjsj: '2026-11-25 10:05:00',
          arrivedAt: '2026-11-25 10:30:00',
          updatedAt: '2026-11-25T11:00:00+08:00',
          closedAt: 1795576200,
          status: '2026-11-25 10:05:00',
        },
        mapping,
      ),
    ).toEqual({
      bjsj: '2026-11-25 10:05:00',
      reportedAt: '2026-11-25T02:05:00.000Z',
      arrivedAt: '2026-11-25T02:30:00.000Z',
      updatedAt: '2026-11-25T03:00:00.000Z',
      closedAt: '2026-11-25T03:10:00.000Z',
      // Not a time field: left alone.
      status: '2026-11-25 10:05:00',
    });
    // In the feed's zone when it names one; an absent time stays absent.
    expect(
      record(
        { reportedAt: '2026-11-25 03:05:00' },
        { times: { format: 'YYYY-MM-DD HH:mm:ss', zone: 'UTC' } },
      ),
    ).toEqual({ reportedAt: '2026-11-25T03:05:00.000Z' });
  });

  it('derives a field from another of ours after that one is mapped, in whatever order they are listed', () => {
    const mapping = {
      fields: {
        kind: { from: 'category', map: { theft: 'criminal', dispute: 'public_order' }, otherwise: 'other' },
        cleared: { from: 'status', map: { closed: true }, otherwise: false },
        category: { path: 'lb', map: { 盗窃: 'theft', 纠纷: 'dispute', 火灾: 'fire' } },
        status: { path: 'zt', map: { 已结: 'closed', 未结: 'open' } },
      },
    };
    expect(record({ lb: '盗窃', zt: '已结' }, mapping)).toMatchObject({
      category: 'theft',
      kind: 'criminal',
      status: 'closed',
      cleared: true,
    });
    expect(record({ lb: '火灾', zt: '未结' }, mapping)).toMatchObject({ kind: 'other', cleared: false });
    // `otherwise` is for a value the table lacks: with no status at all, nothing is derived.
    const noStatus = record({ lb: '纠纷' }, mapping);
    expect(noStatus).toMatchObject({ kind: 'public_order' });
    expect(noStatus).not.toHaveProperty('cleared');
  });

  it('says nothing more of a field derived from one that could not be read', () => {
    const mapping = { fields: { safety: { number: true }, satisfaction: { from: 'safety', number: true } } };
    expect(map({ safety: 'n/a' }, mapping).problems).toEqual([
      { field: 'safety', reason: '"n/a" is not a number' },
    ]);
  });

  it('finds the street of a community, after its path when the record gives one', () => {
    const derived = { fields: { community: 'sq', street: { fromCommunity: 'community' } } };
    expect(record({ sq: '大屯' }, derived).street).toBe('lianran');
    const fallback = { fields: { community: 'sq', street: { path: 'jd', fromCommunity: 'community' } } };
    expect(record({ sq: '大屯', jd: '金方' }, fallback).street).toBe('金方');
    expect(record({ sq: '大屯', jd: '' }, fallback).street).toBe('lianran');
    expect(record({}, derived)).toEqual({});
    expect(map({ sq: '龙山社区' }, derived).problems).toEqual([
      { field: 'street', reason: 'the community "龙山社区" is in more than one street (jinfang, wenquan)' },
    ]);
    expect(map({ sq: '亚特兰蒂斯' }, derived)).toEqual({
      record: { sq: '亚特兰蒂斯', community: '亚特兰蒂斯', street: '亚特兰蒂斯' },
      problems: [{ field: 'street', reason: 'no street has the community "亚特兰蒂斯"' }],
    });
  });

  it('nests a dotted field of ours, beside what the record has there already', () => {
    expect(
      record(
        { departments: { urban: 4 }, jc: '5' },
        { fields: { 'departments.police': { path: 'jc', number: true } } },
      ).departments,
    ).toEqual({ urban: 4, police: 5 });
  });
});

describe('a mapping the configuration refuses', () => {
  it('names the key path and the reason of each mistake in a field spec', () => {
    expect(
      refusals({
        fields: {
          kind: { cosnt: 'other' },
          id: 5,
          status: '',
          category: { const: 'theft', map: { a: 'b' } },
          street: { from: 'community', path: 'jd' },
          community: { otherwise: 'x' },
          reportedAt: { zone: 'Asia/Shanghai' },
          closedAt: { time: 'epoch_s', number: true },
          arrivedAt: { time: 'DD/MM' },
          updatedAt: { time: 'iso', zone: 'Mars/Olympus' },
          safety: { number: 'yes', map: { a: [] } },
        },
      }),
    ).toEqual([
      'fields.kind: Unrecognized key: "cosnt"',
      'fields.id: expected their field (a dotted path) or an object of path, const, default, number, time, zone, map, otherwise, from, fromCommunity',
      'fields.status: expected their field (a dotted path)',
      'fields.category.const: a constant stands alone: drop map',
      'fields.street.from: a field is read from their path or derived from ours, not both',
      'fields.community.otherwise: otherwise needs a map',
      'fields.reportedAt.zone: zone needs time (the format the time is written in)',
      'fields.closedAt.number: a field is a number or a time, not both',
      'fields.arrivedAt.time: expected iso, epoch_s, epoch_ms, or a pattern with YYYY, MM and DD (and HH, mm, ss, SSS)',
      'fields.updatedAt.zone: expected an IANA time zone such as Asia/Shanghai',
      'fields.safety.number: expected true (or leave number out)',
      'fields.safety.map.a: expected a string, a number, true, false or null',
    ]);
    expect(refusals({ fields: { 'bad name': 'x', __proto__x: 'y' }, values: { 'a..b': {} } })).toEqual([
      'fields.bad name: expected one of our fields, such as category',
      'fields.__proto__x: expected one of our fields, such as category',
      'values.a..b: expected one of our fields, such as category',
    ]);
  });

  it('refuses a table given twice, a community derivation of another field, a cycle and bad feed times', () => {
    expect(
      refusals({
        fields: {
          category: { map: { 盗窃: 'theft' } },
          kind: { fromCommunity: 'community' },
          cleared: { from: 'gang' },
          gang: { from: 'cleared' },
          street: { fromCommunity: 'community', default: 'jinfang' },
        },
        values: { category: { 抢劫: 'robbery' } },
        times: { format: 'YYYY', zone: 'Asia/Shanghai', offset: 8 },
      }),
    ).toEqual([
      'fields.street.fromCommunity: the street of a community takes only a path besides: drop default',
      'times.format: expected iso, epoch_s, epoch_ms, or a pattern with YYYY, MM and DD (and HH, mm, ss, SSS)',
      'times: Unrecognized key: "offset"',
    ]);
    expect(
      refusals({
        fields: {
          category: { map: { 盗窃: 'theft' } },
          kind: { fromCommunity: 'community' },
          cleared: { from: 'gang' },
          gang: { from: 'cleared' },
        },
        values: { category: { 抢劫: 'robbery' } },
      }),
    ).toEqual([
      'values.category: fields.category has a map already: give the table once',
      'fields.kind.fromCommunity: only the street is found from a community',
      'fields.cleared.from: derived from itself (cleared → gang → cleared)',
    ]);
  });

  it("refuses a field that is not one of the feed's contract, naming the feed's fields", () => {
    const config = anning();
    config.feeds.incident.mapping = {
      fields: { reportAt: 'bjsj', kind: { from: 'categroy', map: {} }, 'departments.police': 'jc' },
      values: { staus: { 已结: 'closed' } },
    };
    config.feeds.survey.mapping = { fields: { 'departments.police': 'jc', 'departments.fire': 'xf' } };
    let problems: string[] = [];
    try {
      parseCityConfig(config);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    const incidentFields =
      'id, updatedAt, street, reportedAt, community, category, kind, status, arrivedAt, closedAt, cleared, gang, homicide';
    expect(problems).toEqual([
      `feeds.incident.mapping.fields.reportAt: "reportAt" is not a field of the incident contract (${incidentFields})`,
      `feeds.incident.mapping.fields.kind.from: "categroy" is not a field of the incident contract (${incidentFields})`,
      `feeds.incident.mapping.fields.departments.police: "departments.police" is not a field of the incident contract (${incidentFields})`,
      `feeds.incident.mapping.values.staus: "staus" is not a field of the incident contract (${incidentFields})`,
      'feeds.survey.mapping.fields.departments.fire: "departments.fire" is not a field of the survey contract (id, updatedAt, street, surveyedAt, community, method, safety, satisfaction, departments)',
    ]);
  });
});

describe('records through a feed mapping', () => {
  const parse = (feed: 'incident' | 'survey', mapping: unknown, records: unknown[], fromCsv = false) =>
    recordParser(adapterOf(feed), mappingOf(mapping), city, {
      idKey: Buffer.from('a key for mapping tests'),
    }).parse(records, { now: new Date('2026-11-25T04:00:00Z'), fromCsv });

  it('names an unknown street by its value, a number included, and finds one by a short name or an alias', () => {
    const withAlias = {
      ...city,
      streets: city.streets.map((s) => (s.code === 'jinfang' ? { ...s, aliases: ['530181001'] } : s)),
    };
    const item = (street: unknown) => ({
      id: `I-${String(street)}`,
      updatedAt: '2026-11-25T03:00:00Z',
      reportedAt: '2026-11-25T02:00:00Z',
      street,
      category: 'theft',
      kind: 'criminal',
      status: 'open',
    });
    const { valid, invalid } = recordParser(adapterOf('incident'), mappingOf({}), withAlias, {
      idKey: Buffer.from('a key for mapping tests'),
    }).parse([item(530102003), item(530181001), item('金方街道'), item('Jinfang')], {
      now: new Date('2026-11-25T04:00:00Z'),
    });
    expect(invalid.map((r) => r.reason)).toEqual(['street: unknown street "530102003"']);
    expect(valid.map((r) => r.street)).toEqual(['jinfang', 'jinfang', 'jinfang']);
  });

  it("gives every problem of a record at once: its mapping's, then the contract's on the other fields", () => {
    const { invalid } = parse('survey', { fields: { safety: { path: 'aq', number: true } } }, [
      { id: 'S-1', aq: '很好', satisfaction: 9, name: '王小明' },
    ]);
    expect(invalid[0]!.reason).toBe(
      'safety: "很好" is not a number; updatedAt: is required; street: is required; surveyedAt: is required; community: is required; method: Invalid option: expected one of "door"|"phone"|"online"; satisfaction: Too big: expected number to be <=5',
    );
    // Quarantine keeps the contract's fields only.
    expect(invalid[0]!.record).toEqual({ id: expect.any(String), safety: '很好', satisfaction: 9 });
  });

  it('maps CSV rows too, the contract typing what the mapping leaves as text', () => {
    const mapping = {
      times: { format: 'YYYY-MM-DD HH:mm:ss' },
      fields: {
        surveyedAt: 'dcsj',
        updatedAt: 'dcsj',
        street: { fromCommunity: 'community' },
        community: 'sq',
        method: { const: 'door' },
        satisfaction: { path: 'my', map: { 满意: 4 } },
        'departments.police': { path: 'jc', number: true },
      },
    };
    const { valid, invalid } = parse(
      'survey',
      mapping,
      [
        {
          id: 'S-1',
          dcsj: '2026-11-25 10:00:00',
          sq: '大屯',
          safety: '5',
          my: '满意',
          jc: '4',
          'departments.urban': '3',
        },
      ],
      true,
    );
    expect(invalid).toEqual([]);
    expect(valid[0]!.street).toBe('lianran');
    expect(valid[0]!.row).toMatchObject({
      community: '大屯社区',
      method: 'door',
      safety: 5,
      satisfaction: 4,
      police: 4,
      urban: 3,
      surveyedAt: new Date('2026-11-25T02:00:00Z'),
    });
  });
});
