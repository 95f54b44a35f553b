/** Loads and validates the city configuration file. */
import { cityConfigSchema, describeIssues, type CityConfig } from '../../shared/city.js';
import { validateNormalisation, validateWeights } from '../../shared/index/index.js';
import { ConfigError } from './env.js';
import { readJsonFile } from './json-file.js';

/** Validates a parsed city configuration; throws ConfigError naming each key path and problem. */
export function parseCityConfig(json: unknown, source = 'city configuration'): CityConfig {
  const parsed = cityConfigSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(source, describeIssues(parsed.error));
  const problems = validateWeights(parsed.data.weights.weights, parsed.data.indicators).map(
    (p) => `weights.weights.${p.path}: ${p.message}`,
  );
  parsed.data.indicators.forEach((indicator, i) => {
    try {
      validateNormalisation(indicator.normalisation);
    } catch (error) {
      problems.push(`indicators.${i}.normalisation: ${(error as Error).message}`);
    }
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  return parsed.data;
}

export async function loadCityConfig(path: string): Promise<CityConfig> {
  return (await readCityConfigFile(path)).config;
}

/** The configuration file, validated, and its text (which says whether it changed since). */
export async function readCityConfigFile(path: string): Promise<{ config: CityConfig; text: string }> {
  const { json, text } = await readJsonFile(path);
  return { config: parseCityConfig(json, path), text };
}
