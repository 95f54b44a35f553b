/**
 * Chromium for browser tests, driven by playwright-core (no bundled browser download): Debian's
 * `chromium` by default, or CHROMIUM_PATH. A machine without it skips the browser tests and says so
 * once; with REQUIRE_BROWSER=1 (CI) a missing Chromium fails instead, so a gate cannot go green by
 * silently skipping them.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/**
 * Every text and attribute of a page that reads "undefined" or "NaN", and every element marked
 * with a `data-testid` (or a table cell) that is blank: what a wall must never show.
 */
export function brokenText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const bad = /undefined|NaN/;
    if (bad.test(document.body.innerText))
      broken.push(`text: ${document.body.innerText.match(/.{0,40}(undefined|NaN).{0,40}/)?.[0]}`);
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.attributes) {
        if (bad.test(attribute.value))
          broken.push(`<${element.tagName} ${attribute.name}="${attribute.value}">`);
      }
    }
    for (const cell of document.querySelectorAll('[data-testid]:not(canvas), td, th')) {
      if ((cell as HTMLElement).innerText.trim() === '') broken.push(`blank ${cell.outerHTML.slice(0, 80)}`);
    }
    return broken;
  });
}
