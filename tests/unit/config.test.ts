import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCityConfig } from '../../server/config/city.js';
import { ConfigError, parseEnv } from '../../server/config/env.js';

const anning = () => JSON.parse(readFileSync('config/anning.json', 'utf8'));

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('city configuration', () => {
  it("accepts Anning's configuration: 9 streets, 21 governance and 6 public indicators", () => {
    const city = parseCityConfig(anning());
    expect(city.streets).toHaveLength(9);
    expect(city.indicators.filter((i) => i.block !== 'public')).toHaveLength(21);
    expect(city.indicators.filter((i) => i.block === 'positive')).toHaveLength(11);
    expect(city.indicators.filter((i) => i.block === 'public')).toHaveLength(6);
  });

  it('names the key path and the problem of each mistake', () => {
    const config = anning();
    config.streets[2].population = 'many';
    config.indicators[0].normalisation = { method: 'efficacy', unacceptable: 3, satisfactory: 3 };
    config.city.timezone = 'Mars/Olympus';
    config.weights.weights.indicators.ufo = 5;
    const problems = problemsOf(() => parseCityConfig(config, 'anning.json'));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^streets\.2\.population: /),
        expect.stringMatching(/^indicators\.0\.normalisation: .*differ/),
        expect.stringMatching(/^city\.timezone: not an IANA time zone/),
      ]),
    );
  });

  it('refuses weights for an indicator that does not exist', () => {
    const config = anning();
    config.weights.weights.indicators.ufo = 5;
    expect(problemsOf(() => parseCityConfig(config))).toEqual([
      'weights.weights.indicators.ufo: no indicator has this id',
    ]);
  });

  it('gives the drop-alert rules their defaults, and refuses an override for a street that does not exist', () => {
    expect(parseCityConfig(anning()).alerts.indexDrop.points).toBe(3);
    const config = anning();
    config.alerts = { overrides: { jinfang: { indexDrop: { points: 4 } }, atlantis: { rank: { k: 2 } } } };
    expect(problemsOf(() => parseCityConfig(config))).toEqual([
      'alerts.overrides.atlantis: no street has this code',
    ]);
  });

  it("takes the survey drill-down's minimum sample from the configuration, 30 when absent, and refuses one that cannot be", () => {
    expect(parseCityConfig(anning()).surveys.minSample).toBe(30);
    const config = anning();
    config.surveys = { minSample: 12 };
    expect(parseCityConfig(config).surveys.minSample).toBe(12);
    for (const [surveys, problem] of [
      [{ minSample: 0 }, 'surveys.minSample: must be at least 1'],
      [{ minSample: 2.5 }, 'surveys.minSample: must be a whole number'],
      [{ minSample: '30' }, 'surveys.minSample: Invalid input: expected number, received string'],
      [{ minSampel: 10 }, 'surveys: Unrecognized key: "minSampel"'],
    ] as const) {
      config.surveys = surveys;
      expect(problemsOf(() => parseCityConfig(config))).toEqual([problem]);
    }
  });

  it('gives a street no aliases by default, and refuses an alias that names another street or a community alias to no community', () => {
    expect(parseCityConfig(anning()).streets[1]).toMatchObject({ aliases: [], communityAliases: {} });
    const config = anning();
    config.streets[1].aliases = ['530181001', '连然'];
    config.streets[2].aliases = ['530181001'];
    config.streets[1].communityAliases = { 老金方: '金方社区', 新金方: '金方' };
    expect(problemsOf(() => parseCityConfig(config))).toEqual([
      'streets.1.aliases.1: "连然" also names street lianran',
      'streets.1.communityAliases.新金方: "金方" is not one of the street\'s communities',
      'streets.2.aliases.0: "530181001" also names street jinfang',
    ]);
  });

  it('names every demo community in English, and refuses names for a community the street does not have or names that say nothing', () => {
    const parsed = parseCityConfig(anning());
    for (const street of parsed.streets) {
      expect(Object.keys(street.communityNames).sort(), street.code).toEqual([...street.communities].sort());
      for (const names of Object.values(street.communityNames)) expect(names.en).toMatch(/^[A-Z][a-z]+$/);
    }
    expect(parsed.streets[1]!.communityNames['金方社区']).toEqual({ en: 'Jinfang' });
    const config = anning();
    config.streets[1].communityNames = { ...config.streets[1].communityNames, 大屯社区: { en: 'Datun' } };
    config.streets[2].communityNames = { 温泉社区: { en: ' ' } };
    expect(problemsOf(() => parseCityConfig(config))).toEqual([
      'streets.2.communityNames.温泉社区.en: Too small: expected string to have >=1 characters',
      'streets.1.communityNames.大屯社区: "大屯社区" is not one of the street\'s communities',
    ]);
  });

  it('gives indicators and streets short names where room is tight, in either language', () => {
    const parsed = parseCityConfig(anning());
    const indicator = (id: string) => parsed.indicators.find((i) => i.id === id)!;
    expect(indicator('criminal_cleared').short).toEqual({ en: 'Crimes cleared' });
    expect(indicator('cameras_online').short).toEqual({ zh: '视频在线率' });
    expect(indicator('theft').short).toBeUndefined();
    expect(parsed.streets.find((s) => s.code === 'taiping')!.short).toEqual({ en: 'Taiping' });
    const config = anning();
    config.indicators[0].short = { en: '' };
    expect(problemsOf(() => parseCityConfig(config))).toEqual([
      'indicators.0.short.en: Too small: expected string to have >=1 characters',
    ]);
  });

  it('refuses a street that appears twice', () => {
    const config = anning();
    config.streets.push(config.streets[0]);
    expect(problemsOf(() => parseCityConfig(config))).toEqual(['streets: street lianran appears twice']);
  });
});

describe('environment', () => {
  it('applies the defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      CITY_CONFIG: './config/anning.json',
      SEED_DEMO: 'on',
      SECRET_ENV_PREFIX: 'PINGAN_SECRET_',
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('names each bad variable and why', () => {
    const problems = problemsOf(() =>
      parseEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ADMIN_TOKEN: 'short', SECRET_ENV_PREFIX: 'A' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^PORT: /),
      'DATABASE_URL: expected a postgres:// URL',
      'ADMIN_TOKEN: must be at least 16 characters',
      'SECRET_ENV_PREFIX: expected the start of a variable name, ending in _ (such as PINGAN_SECRET_)',
    ]);
  });
});
