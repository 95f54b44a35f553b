/**
 * Streets (街道) and communities (社区/村) as other systems name them. A police system writes 连然街道
 * where the city configuration says 连然, a survey tool writes 大屯 for 大屯社区, an older system
 * still uses a division code (530181001) or a street's former name. Each resolves to the one
 * configured street or community it names; a name that could mean two is no name at all, so that a
 * record is never counted in the wrong street.
 */
import type { Names } from './names.js';

/**
 * What of a configured street (city.ts `StreetConfig`) its names are resolved from; stated here so
 * that the configuration's schema can check names without a circle of imports.
 */
interface StreetConfig {
  code: string;
  name: Names;
  aliases: string[];
  communities: string[];
  communityAliases: Record<string, string>;
  communityNames: Record<string, unknown>;
}

/** Suffixes a street's Chinese name is written with or without, longest first. */
const STREET_SUFFIXES = ['街道办事处', '街道', '镇', '乡'] as const;
/** Suffixes a community's or village's name is written with or without. */
const COMMUNITY_SUFFIXES = ['社区', '村'] as const;

/**
 * How a name is compared: NFKC (full-width digits and letters as ASCII, an ideographic space as a
 * space), trimmed, lower case (Latin names and codes are matched whatever their case).
 */
function key(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

/** A name without its suffix, when what remains is still a name. */
function bare(name: string, suffixes: readonly string[]): string {
  const suffix = suffixes.find((s) => name.endsWith(s) && name.length > s.length);
  return suffix ? name.slice(0, -suffix.length) : name;
}

/** A value read as a name: text as it is, a number as its digits (a code), anything else none. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Names to what they stand for, exact first and then without suffix. A name two entries share maps
 * to neither; the exact names win over the bare ones, so 金方村 and 金方社区 both stay reachable
 * when each is written in full.
 */
class NameIndex {
  private readonly exact = new Map<string, string | null>();
  private readonly loose = new Map<string, string | null>();

  constructor(private readonly suffixes: readonly string[]) {}

  add(name: string, target: string, exactOnly = false): void {
    const k = key(name);
    NameIndex.put(this.exact, k, target);
    if (!exactOnly) NameIndex.put(this.loose, bare(k, this.suffixes), target);
  }

  find(name: string): string | undefined {
    const k = key(name);
    for (const candidate of new Set([k, bare(k, this.suffixes)])) {
      const found = this.exact.get(candidate) ?? this.loose.get(candidate);
      if (found) return found;
    }
    return undefined;
  }

  private static put(map: Map<string, string | null>, k: string, target: string): void {
    if (k === '') return;
    const existing = map.get(k);
    map.set(k, existing === undefined || existing === target ? target : null);
  }
}

export interface Regions {
  /** The code of the street a value names (code, zh or en name, alias, with or without 街道/镇/乡). */
  street(value: unknown): string | undefined;
  /** The configured name of the community of `street` a value names (with or without 社区/村, alias). */
  community(value: unknown, street: string | undefined): string | undefined;
  /** The code of the one street with a community the value names, or why there is none. */
  streetOfCommunity(value: unknown): { street: string } | { error: string };
}

/** The streets and communities of a city, ready to resolve names in. */
export function cityRegions(city: { streets: readonly StreetConfig[] }): Regions {
  const streets = streetIndex(city.streets);
  const communities = new Map(city.streets.map((street) => [street.code, communityIndex(street)]));
  const community = (value: unknown, street: string | undefined) => {
    const text = asText(value);
    return text === undefined || street === undefined ? undefined : communities.get(street)?.find(text);
  };
  return {
    street(value) {
      const text = asText(value);
      return text === undefined ? undefined : streets.find(text);
    },
    community,
    streetOfCommunity(value) {
      const shown = typeof value === 'string' ? `"${value}"` : String(value);
      const found = [...communities.keys()].filter((street) => community(value, street) !== undefined);
      if (found.length === 1) return { street: found[0]! };
      if (found.length === 0) return { error: `no street has the community ${shown}` };
      return { error: `the community ${shown} is in more than one street (${found.join(', ')})` };
    },
  };
}

/** Every name of every street, to its code. */
function streetIndex(streets: readonly Pick<StreetConfig, 'code' | 'name' | 'aliases'>[]): NameIndex {
  const index = new NameIndex(STREET_SUFFIXES);
  for (const street of streets) {
    // A code is matched as written (case aside): "jinfang" is not the bare form of anything.
    index.add(street.code, street.code, true);
    index.add(street.name.en, street.code, true);
    index.add(street.name.zh, street.code);
    // `?? []`: a street built by hand (a test, a partial city) may have no aliases key.
    for (const alias of street.aliases ?? []) index.add(alias, street.code);
  }
  return index;
}

function communityIndex(street: Pick<StreetConfig, 'communities' | 'communityAliases'>): NameIndex {
  const index = new NameIndex(COMMUNITY_SUFFIXES);
  for (const name of street.communities) index.add(name, name);
  for (const [alias, name] of Object.entries(street.communityAliases ?? {})) index.add(alias, name);
  return index;
}

/**
 * A lookup of a street's code by any name of it (金方, 金方街道, Jinfang, jinfang, an alias), for
 * callers that hold text: indicator-value imports, feed records.
 */
export function streetResolver(city: {
  streets: readonly Pick<StreetConfig, 'code' | 'name' | 'aliases'>[];
}): (text: string) => string | undefined {
  const index = streetIndex(city.streets);
  return (text) => index.find(text);
}

/**
 * Names that would resolve to two streets (an alias of one that is another's name or alias), each
 * with the key path of the later one: the configuration is refused, since a record naming it could
 * not be placed. So are a community alias, and a community's screen names, for a community the
 * street does not have.
 */
export function checkStreetNames(
  streets: readonly Pick<
    StreetConfig,
    'code' | 'name' | 'aliases' | 'communities' | 'communityAliases' | 'communityNames'
  >[],
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const owner = new Map<string, string>();
  streets.forEach((street, i) => {
    const names: [string, (string | number)[]][] = [
      [street.code, ['code']],
      [street.name.zh, ['name', 'zh']],
      [street.name.en, ['name', 'en']],
      ...(street.aliases ?? []).map((alias, j): [string, (string | number)[]] => [alias, ['aliases', j]]),
    ];
    for (const [name, path] of new Map(names.map(([n, p]) => [key(n), p] as const))) {
      const other = owner.get(name);
      if (other !== undefined && other !== street.code)
        problems.push({ path: ['streets', i, ...path], message: `"${name}" also names street ${other}` });
      else owner.set(name, street.code);
    }
    for (const [alias, name] of Object.entries(street.communityAliases ?? {}))
      if (!street.communities.includes(name))
        problems.push({
          path: ['streets', i, 'communityAliases', alias],
          message: `"${name}" is not one of the street's communities`,
        });
    for (const name of Object.keys(street.communityNames ?? {}))
      if (!street.communities.includes(name))
        problems.push({
          path: ['streets', i, 'communityNames', name],
          message: `"${name}" is not one of the street's communities`,
        });
  });
  return problems;
}
