import { beforeAll, describe, expect, it } from 'vitest';
import { type CityConfig } from '../../shared/city.js';
import { FEEDS, FREE_TEXT_FIELDS } from '../../shared/feeds/index.js';
import { cityVocabulary, UNKNOWN, withKnownFreeText } from '../../shared/vocabulary.js';
import { loadCityConfig } from '../../server/config/city.js';
import { createCityModel } from '../../server/simulator/model.js';
import { Simulation } from '../../server/simulator/simulation.js';

let city: CityConfig;
beforeAll(async () => {
  city = await loadCityConfig('config/anning.json');
});

describe('free-text fields against the city vocabulary', () => {
  it("keeps a community of the item's own street, trimmed, and drops any other to null", () => {
    const vocabulary = cityVocabulary(city);
    const check = (community: string, street = 'jinfang') =>
      withKnownFreeText('incident', { category: 'theft', community }, street, vocabulary).community;
    expect(check(' 金方社区 ')).toBe('金方社区');
    expect(check('张三 13812345678 身份证530181199001011234')).toBeNull();
    // 大屯社区 is a community of Lianran, not of Jinfang.
    expect(check('大屯社区')).toBeNull();
    expect(check('大屯社区', 'lianran')).toBe('大屯社区');
    // Without its suffix it is still the community, stored by its own name; a near miss is not.
    expect(check('金方')).toBe('金方社区');
    expect(check('金方小区')).toBeNull();
    expect(check('金方社区居民 张三')).toBeNull();
  });

  it("stores a community by its configured name when a feed writes one of the street's aliases for it", () => {
    const jinfang = { ...city.streets.find((s) => s.code === 'jinfang')! };
    jinfang.communityAliases = { 老金方: '金方社区' };
    const vocabulary = cityVocabulary({ ...city, streets: [jinfang] });
    expect(withKnownFreeText('survey', { community: '老金方' }, 'jinfang', vocabulary).community).toBe(
      '金方社区',
    );
  });

  it('stores a hall, service or mediation type outside its list as unknown, and leaves other fields alone', () => {
    const vocabulary = cityVocabulary(city);
    expect(
      withKnownFreeText(
        'service-window',
        { hall: '张三的窗口', service: '户籍办理', status: 'done' },
        'jinfang',
        vocabulary,
      ),
    ).toEqual({ hall: UNKNOWN, service: '户籍办理', status: 'done' });
    expect(
      withKnownFreeText(
        'service-window',
        { hall: '金方便民服务中心', service: '13812345678' },
        'jinfang',
        vocabulary,
      ),
    ).toEqual({ hall: '金方便民服务中心', service: UNKNOWN });
    expect(
      withKnownFreeText(
        'mediation',
        { type: 'call 13812345678', community: '金方社区' },
        'jinfang',
        vocabulary,
      ),
    ).toEqual({ type: UNKNOWN, community: '金方社区' });
  });

  it("cannot place a street's words when the street is unknown", () => {
    const vocabulary = cityVocabulary(city);
    expect(
      withKnownFreeText('survey', { community: '金方社区' }, undefined, vocabulary).community,
    ).toBeNull();
    expect(withKnownFreeText('incident', { category: 'theft' }, 'jinfang', vocabulary)).toEqual({
      category: 'theft',
    });
  });

  it('knows every community, hall, service and mediation type the simulator produces for Anning', () => {
    const simulation = new Simulation(createCityModel(city, 7), Date.parse('2026-11-25T04:00:00Z'), {
      backfillDays: 1,
    });
    const vocabulary = cityVocabulary(city);
    for (const feed of FEEDS) {
      const items = simulation.logs[feed].page(undefined, 100_000).items as Record<string, unknown>[];
      expect(items.length, feed).toBeGreaterThan(0);
      for (const item of items) {
        const street = String(item.street);
        for (const field of Object.keys(FREE_TEXT_FIELDS[feed])) {
          if (item[field] === undefined) continue;
          expect(withKnownFreeText(feed, item, street, vocabulary)[field], `${feed}.${field}`).toBe(
            item[field],
          );
        }
      }
    }
  });
});
