/** A name in the wall's two languages: a street's, a grade's, an indicator's, a unit's. */
export type Names = { zh: string; en: string };
