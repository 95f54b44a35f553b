import { beforeAll, describe, expect, it } from 'vitest';
import type { CityConfig } from '../../shared/city.js';
import { cityRegions, streetResolver } from '../../shared/streets.js';
import { loadCityConfig } from '../../server/config/city.js';

let city: CityConfig;
beforeAll(async () => {
  city = await loadCityConfig('config/anning.json');
});

/** Anning with Jinfang known by a division code and a former name, and a community by an old name. */
const withAliases = (): Pick<CityConfig, 'streets'> => ({
  streets: city.streets.map((street) =>
    street.code === 'jinfang'
      ? {
          ...street,
          aliases: ['530181001', '金方老城街道'],
          communityAliases: { 老金方: '金方社区' },
        }
      : street,
  ),
});

describe('streets as other systems name them', () => {
  it('finds a street by its code, its Chinese name with or without 街道/镇/乡, and its English name in any case', () => {
    const street = streetResolver(city);
    for (const name of [
      'jinfang',
      'JINFANG',
      '金方',
      '金方街道',
      '金方镇',
      ' 金方街道办事处 ',
      'Jinfang',
      'jinFang',
    ])
      expect(street(name), name).toBe('jinfang');
    expect(street('太平新城')).toBe('taiping');
    expect(street('太平新城街道')).toBe('taiping');
  });

  it('finds a street by a configured alias, written as text, as a number or in full-width digits', () => {
    const regions = cityRegions(withAliases());
    expect(regions.street('530181001')).toBe('jinfang');
    expect(regions.street(530181001)).toBe('jinfang');
    expect(regions.street('５３０１８１００１')).toBe('jinfang');
    // An alias is matched with or without its suffix too.
    expect(regions.street('金方老城')).toBe('jinfang');
  });

  it('knows no street by a near miss, an unconfigured code or a value that is not a name', () => {
    const regions = cityRegions(withAliases());
    for (const value of ['金方路', '530102003', 530102003, 'jin', '街道', '', true, null, { zh: '金方' }])
      expect(regions.street(value), JSON.stringify(value)).toBeUndefined();
  });

  it('finds a community of a street with or without 社区/村, or by its alias, and by its configured name', () => {
    const regions = cityRegions(withAliases());
    expect(regions.community('金方社区', 'jinfang')).toBe('金方社区');
    expect(regions.community('金方', 'jinfang')).toBe('金方社区');
    expect(regions.community('老金方', 'jinfang')).toBe('金方社区');
    // Another street's community is not this street's.
    expect(regions.community('大屯', 'jinfang')).toBeUndefined();
    expect(regions.community('大屯', 'lianran')).toBe('大屯社区');
    expect(regions.community('金方', undefined)).toBeUndefined();
  });

  it('keeps both of a street’s 社区 and 村 of one name reachable in full, and neither by the bare name', () => {
    const regions = cityRegions({
      streets: [{ ...city.streets[0]!, communities: ['金湖社区', '金湖村'], communityAliases: {} }],
    });
    const code = city.streets[0]!.code;
    expect(regions.community('金湖社区', code)).toBe('金湖社区');
    expect(regions.community('金湖村', code)).toBe('金湖村');
    expect(regions.community('金湖', code)).toBeUndefined();
  });

  it('finds the one street of a community, and says why when none or several have it', () => {
    const regions = cityRegions(city);
    expect(regions.streetOfCommunity('大屯')).toEqual({ street: 'lianran' });
    expect(regions.streetOfCommunity('亚特兰蒂斯社区')).toEqual({
      error: 'no street has the community "亚特兰蒂斯社区"',
    });
    // Anning has a 龙山社区 in Jinfang and one in Wenquan.
    expect(regions.streetOfCommunity('龙山')).toEqual({
      error: 'the community "龙山" is in more than one street (jinfang, wenquan)',
    });
  });
});
