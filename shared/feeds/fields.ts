/**
 * The building blocks of the feeds' item schemas. Only the fields a schema names are kept; anything
 * else a feed sends (names, phone numbers, addresses) is dropped by the schemas, which strip unknown
 * keys.
 */
import { z } from 'zod';
import { storableInstant, withoutNul } from '../storable.js';

/** An instant: ISO 8601 with an offset or Z, within the years the database stores. */
export const instant = storableInstant();
export const text = withoutNul(z.string().trim().min(1).max(200));
const id = z.union([text, z.number().int().transform(String)]);

/** The fields every item has: its id, when it was last updated, and its street. */
export const itemBase = { id, updatedAt: instant, street: text };

/**
 * For `.superRefine`: each `later` time of an item that lies before its `earlier` one is an issue
 * at the later field (an incident cannot be closed before it was reported).
 */
export function inOrder<T extends Record<string, unknown>>(
  ...pairs: [later: keyof T & string, earlier: keyof T & string][]
) {
  return (item: T, ctx: z.RefinementCtx) => {
    for (const [later, earlier] of pairs) {
      const [a, b] = [item[later], item[earlier]];
      if (typeof a === 'string' && typeof b === 'string' && Date.parse(a) < Date.parse(b))
        ctx.addIssue({ code: 'custom', path: [later], message: `${a} is before ${earlier} (${b})` });
    }
  };
}
