/**
 * What the live channel tells a wall first (`hello`): the server's build — a wall that loaded
 * another reloads itself, so a deploy reaches every screen —, how often to beat (a fifth of the
 * `wallDown` rule's minutes, at most every 30 s), and when to reload on its own (the city's
 * `screens` section).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { rulesFor } from '../../shared/alerts/rules/index.js';
import type { CityConfig } from '../../shared/city.js';
import type { LiveHello } from '../../shared/live.js';

/** The most and the least time between two heartbeats of a wall. */
export const HEARTBEAT_MAX_MS = 30_000;
const HEARTBEAT_MIN_MS = 1_000;

/** How often a wall beats: five beats within the rule's minutes, so that one lost beat is no alarm. */
export function heartbeatMs(city: Pick<CityConfig, 'alerts'>): number {
  const minutes = rulesFor(city.alerts).wallDown.minutes;
  return Math.round(Math.min(HEARTBEAT_MAX_MS, Math.max(HEARTBEAT_MIN_MS, (minutes * 60_000) / 5)));
}

export function helloFor(city: Pick<CityConfig, 'alerts' | 'screens'>, build: LiveHello['build']): LiveHello {
  return {
    build,
    heartbeatMs: heartbeatMs(city),
    reload: { afterHours: city.screens.reloadAfterHours, window: city.screens.reloadWindow },
  };
}

/**
 * The version of the display build in a folder (SvelteKit writes it to `_app/version.json` at every
 * build), read again when the file changes: a display rebuilt under a running server is the build
 * it serves. Null without a build.
 */
export function displayBuild(displayDir: string | undefined): () => string | null {
  if (!displayDir) return () => null;
  const file = join(displayDir, '_app', 'version.json');
  let known: { mtimeMs: number; version: string | null } | null = null;
  return () => {
    try {
      const { mtimeMs } = statSync(file);
      if (known?.mtimeMs !== mtimeMs) {
        const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
        known = { mtimeMs, version: typeof version === 'string' ? version : null };
      }
      return known.version;
    } catch {
      return null;
    }
  };
}
