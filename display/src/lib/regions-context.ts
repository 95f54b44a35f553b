/**
 * The city's streets as configured (`GET /api/streets`), for the wall's panels that name what the
 * live snapshot only codes: a street's short name, a community's name in the page's language. The
 * wall's page gives them from its store through Svelte context, as the language is given, rather
 * than handing them down through every level.
 */
import { getContext, setContext } from 'svelte';
import type { RegionStreet } from './api.js';

export interface RegionsContext {
  /** The configured streets by code; empty until they load. */
  readonly streets: ReadonlyMap<string, RegionStreet>;
}

const KEY = Symbol('regions');

/** Gives the components below the streets `streets()` answers (null until they load). */
export function setRegionsContext(streets: () => readonly RegionStreet[] | null): void {
  let last: readonly RegionStreet[] | null = null;
  let byCode: ReadonlyMap<string, RegionStreet> = new Map();
  setContext<RegionsContext>(KEY, {
    get streets() {
      const now = streets();
      if (now !== last) {
        last = now;
        byCode = new Map((now ?? []).map((street) => [street.code, street]));
      }
      return byCode;
    },
  });
}

/** The configured streets; outside a page that gives them, none. */
export function getRegionsContext(): RegionsContext {
  return getContext<RegionsContext | undefined>(KEY) ?? { streets: new Map() };
}
