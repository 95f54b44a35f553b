/**
 * Chromium for browser tests, driven by playwright-core (no bundled browser download): Debian's
 * `chromium` by default, or CHROMIUM_PATH. A machine without it skips the browser tests and says so
 * once; with REQUIRE_BROWSER=1 (CI) a missing Chromium fails instead, so a gate cannot go green by
 * silently skipping them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Whether the Chromium executable exists. */
export function browserAvailable(): boolean {
  return existsSync(chromiumPath);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
}

/**
 * For `describe.skipIf(!requireBrowser('the wall'))`: true when Chromium is there. Otherwise prints
 * one line saying the suite is skipped and why, or throws when REQUIRE_BROWSER=1.
 */
export function requireBrowser(suite: string): boolean {
  if (browserAvailable()) return true;
  const why = `no Chromium at ${chromiumPath} (install Debian's chromium, or set CHROMIUM_PATH)`;
  if (process.env.REQUIRE_BROWSER === '1') {
    throw new Error(`REQUIRE_BROWSER=1 and ${why}: the browser tests of ${suite} cannot run`);
  }
  console.warn(`Browser tests of ${suite} are skipped: ${why}. Set REQUIRE_BROWSER=1 to make this fail.`);
  return false;
}
