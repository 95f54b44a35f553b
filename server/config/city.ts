/** Loads and validates the city configuration file. */
import { readFile } from 'node:fs/promises';
import { cityConfigSchema, describeIssues, type CityConfig } from '../../shared/city.js';
import { validateNormalisation, validateWeights } from '../../shared/index/index.js';
import { ConfigError } from './env.js';

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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseCityConfig(json, path);
}
