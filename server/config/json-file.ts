import { readFile } from 'node:fs/promises';
import { ConfigError } from './env.js';

/** A configuration file's JSON; a missing file or bad JSON is a ConfigError naming the file. */
export async function readJsonFile(path: string): Promise<{ json: unknown; text: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  try {
    return { json: JSON.parse(text) as unknown, text };
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
}
