/** The answer of an import of indicator values. */
import { z } from 'zod';

export const valuesStored = z.object({
  stored: z.number().int().meta({ description: 'The rows stored: every row of the request.' }),
});
