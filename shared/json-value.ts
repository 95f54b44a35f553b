/** Any JSON value, as a schema with a name of its own (a feed's POST body, an SMS gateway's body). */
import { z } from 'zod';

/**
 * What `z.json()` accepts, named `JsonValue` in the API document: `z.json()` itself comes out
 * there as an anonymous `__schema0`.
 */
export const jsonValue: z.ZodType<z.core.util.JSONType> = z
  .lazy(() =>
    z.union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(jsonValue),
      z.record(z.string(), jsonValue),
    ]),
  )
  .meta({ id: 'JsonValue', description: 'Any JSON value.' });
