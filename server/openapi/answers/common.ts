/** Pieces the answers' schemas share. */
import { z } from 'zod';

/** An instant as the API writes it: ISO 8601 in UTC (`2026-11-25T02:00:00.000Z`). */
export const instant = z
  .string()
  .meta({ description: 'An instant, ISO 8601 (UTC).', examples: ['2026-11-25T02:00:00.000Z'] });

/** A local date of the city (`2026-11-25`). */
export const localDate = z
  .string()
  .meta({ description: 'A local date of the city, YYYY-MM-DD.', examples: ['2026-11-25'] });

/** A month (`2026-11`). */
export const month = z.string().meta({ description: 'A month, YYYY-MM.', examples: ['2026-11'] });

/** A name in both languages. */
export const names = z
  .object({ zh: z.string(), en: z.string() })
  .meta({ id: 'Names', description: 'A name in Chinese and English.' });

/** The path parameter of a stored row's id. */
export const idParam = (what: string) =>
  z.object({ id: z.string().meta({ description: `The ${what}'s id.` }) });
