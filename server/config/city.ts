/** Loads and validates the city configuration file. */
import { readFile } from 'node:fs/promises';
import { cityConfigSchema, describeIssues, type CityConfig } from '../../shared/city.js';
import { validateWeights } from '../../shared/index/index.js';
import { ConfigError } from './env.js';

/** Validates a parsed city configuration; throws ConfigError naming each key path and problem. */
export function parseCityConfig(json: unknown, source = 'city configuration'): CityConfig {
  const parsed = cityConfigSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(source, describeIssues(parsed.error));
  const weightProblems = validateWeights(parsed.data.weights.weights, parsed.data.indicators);
  if (weightProblems.length > 0)
    throw new ConfigError(
      source,
      weightProblems.map((p) => `weights.weights.${p.path}: ${p.message}`),
    );
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
