/** The wall in Chromium: what every browser test of it needs to open, wait for and inspect it. */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

export const DISPLAY_DIR = 'display/build';
export const RESULTS = 'test-results';

export interface Names {
  zh: string;
  en: string;
}
export interface ApiStreet {
  code: string;
  name: Names;
  index: number | null;
  rank: number | null;
  grade: { label: Names } | null;
}
export interface ApiIndex {
  city: number | null;
  streets: ApiStreet[];
}

export const FULL_HD = { width: 1920, height: 1080 };
export const UHD = { width: 3840, height: 2160 };
/** The panels of the wall, by their test ids. */
export const PANELS = [
  'city-panel',
  'ranking-panel',
  'map-panel',
  'alerts-panel',
  'feeds-panel',
  'heatmap-panel',
  'ticker-panel',
  'fraud-panel',
  'mediation-panel',
  'windows-panel',
];

export function ensureBuilt(): void {
  if (!existsSync(`${DISPLAY_DIR}/index.html`))
    throw new Error(`${DISPLAY_DIR} is not built: run \`npm run build:display\` first`);
}

/** Streets in the order of the ranking: by rank, streets without one last, then by code. */
export const byRank = (index: ApiIndex) =>
  [...index.streets].sort(
    (a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.code.localeCompare(b.code),
  );
/** How the wall prints an index: one decimal, a dash when unknown. */
export const oneDecimal = (value: number | null) => (value === null ? '—' : value.toFixed(1));
export const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Opens a page at a path of a server. */
export async function open(browser: Browser, url: string, viewport = FULL_HD): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(url);
  return page;
}

/** Waits until the wall shows a live snapshot with the city's names loaded. */
export async function untilLive(page: Page): Promise<void> {
  await page.getByTestId('wall').waitFor();
  await expect.poll(() => page.getByTestId('connection').getAttribute('data-status')).toBe('live');
  await expect.poll(() => page.getByTestId('city-name').innerText()).not.toBe('—');
}

/**
 * How far each panel's content sticks out of its box (px, whole): 0 when everything shows. Boxes,
 * not scrollHeight, which also counts the glyphs of large figures set tight.
 */
export function panelOverflow(page: Page): Promise<Record<string, number>> {
  return page.evaluate((panels) => {
    const overflow: Record<string, number> = {};
    for (const id of panels) {
      const panel = document.querySelector(`[data-testid="${id}"]`)!;
      const style = getComputedStyle(panel);
      const outer = panel.getBoundingClientRect();
      // The panel's content box: inside its border and padding.
      const body = {
        left: outer.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
        right: outer.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight),
        bottom: outer.bottom - parseFloat(style.borderBottomWidth) - parseFloat(style.paddingBottom),
      };
      let worst = 0;
      for (const element of panel.querySelectorAll('*')) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        worst = Math.max(worst, box.right - body.right, box.bottom - body.bottom, body.left - box.left);
      }
      overflow[id] = Math.floor(worst);
    }
    return overflow;
  }, PANELS);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
