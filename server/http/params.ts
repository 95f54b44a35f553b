/** Path parameters that name a stored row, checked before they reach a query. */

/** The largest value of a PostgreSQL `serial` (a 32-bit integer): a larger id fails the query itself. */
const MAX_SERIAL = 2_147_483_647;

/**
 * The id of a `serial` row from a path parameter: a positive integer the column can hold, else null
 * (the caller answers 404 or 400). `99999999999` would otherwise overflow the column and answer 500.
 */
export function serialId(text: string): number | null {
  if (!/^\d{1,10}$/.test(text)) return null;
  const id = Number(text);
  return id >= 1 && id <= MAX_SERIAL ? id : null;
}
