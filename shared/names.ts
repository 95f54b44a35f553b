/** A name in the wall's two languages: a street's, a grade's, an indicator's, a unit's. */
export type Names = { zh: string; en: string };

/**
 * How a street names its communities on screen (the configuration's `communityNames`): configured
 * name → names per language, either of them optional.
 */
export type CommunityNames = Readonly<Record<string, { zh?: string; en?: string }>>;

/**
 * A community's name in a language: as its street's `communityNames` gives it, else as configured
 * (or as a feed wrote it, for a community the city does not know).
 */
export function communityName(
  street: { communityNames?: CommunityNames } | null | undefined,
  community: string,
  lang: keyof Names,
): string {
  return street?.communityNames?.[community]?.[lang]?.trim() || community;
}

/** A street's or an indicator's short name in a language (the configuration's `short`), if it has one. */
export function shortName(
  named: { short?: { zh?: string; en?: string } } | null | undefined,
  lang: keyof Names,
): string | undefined {
  return named?.short?.[lang]?.trim() || undefined;
}
