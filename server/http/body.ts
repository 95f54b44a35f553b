/** Reading request bodies that may be JSON or CSV. */
import type { Context } from 'hono';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { badRequest, zodMessage } from './errors.js';

export interface Records {
  records: Record<string, unknown>[];
  /** Line number of the first record: 2 for CSV under its header row, 1 for a JSON array. */
  firstLine: number;
  /** The records came from CSV: every value is a string. */
  csv: boolean;
}

function isCsv(contentType: string, fileName?: string): boolean {
  return /text\/csv|application\/csv/i.test(contentType) || /\.csv$/i.test(fileName ?? '');
}

function parseCsv(text: string): Records {
  try {
    const records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
      string,
      string
    >[];
    return { records, firstLine: 2, csv: true };
  } catch (error) {
    throw badRequest(`the CSV cannot be read: ${(error as Error).message}`);
  }
}

function parseJsonRecords(text: string, key: string): Records {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(json) ? json : (json as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list)) throw badRequest(`expected a JSON array, or an object with an array "${key}"`);
  return { records: list as Record<string, unknown>[], firstLine: 1, csv: false };
}

/**
 * The records of a request: a JSON array (or `{[key]: [...]}`), a CSV body (`text/csv`), or a
 * multipart upload whose `file` field holds either.
 */
export async function readRecords(c: Context, key: string): Promise<Records> {
  const contentType = c.req.header('content-type') ?? '';
  if (/multipart\/form-data/i.test(contentType)) {
    let form: Awaited<ReturnType<typeof c.req.parseBody>>;
    try {
      form = await c.req.parseBody();
    } catch (error) {
      // A form cut short (no closing boundary) or otherwise malformed: the client's to fix.
      throw badRequest(
        `body: the multipart upload cannot be read (${(error as Error).message}); ` +
          'send the whole form, ending with its closing boundary',
      );
    }
    const file = form.file;
    if (!(file instanceof File)) throw badRequest('file: expected an uploaded file in the "file" field');
    const text = await file.text();
    return isCsv(file.type, file.name) ? parseCsv(text) : parseJsonRecords(text, key);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw badRequest('the body is empty');
  return isCsv(contentType) ? parseCsv(text) : parseJsonRecords(text, key);
}

/** A JSON body checked against a schema; a 400 names each bad field and why. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw badRequest('the body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badRequest(zodMessage(parsed.error));
  return parsed.data;
}
