/** The wall in Chromium: what every browser test of it needs to open, wait for and inspect it. */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { brokenText, launchBrowser } from './browser.js';
import { databaseTargets } from './databases.js';
import { startTestServer, type TestServer } from './server.js';

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

/**
 * A server on the demo's seeded month and the simulator's backfill, whose city then moves only with
 * what the test pushes, warmed up, and a browser to open the wall in: where most tests of the wall
 * start. Screenshots go to RESULTS, made here.
 */
export async function startQuietCity(clock: () => Date): Promise<[TestServer, Browser]> {
  ensureBuilt();
  const started = await Promise.all([
    startTestServer({
      target: databaseTargets[0]!,
      seed: true,
      simulator: true,
      simulatorTicks: false,
      clock,
      displayDir: DISPLAY_DIR,
    }),
    launchBrowser(),
  ]);
  await started[0].warmedUp;
  await mkdir(RESULTS, { recursive: true });
  return started;
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

/** Every panel of the wall shows real figures and rows. */
export async function expectEveryPanelFilled(page: Page): Promise<void> {
  const number = /\d/;
  // 1. The city index, its grade and both trends.
  expect(await page.getByTestId('city-index').innerText()).toMatch(/^\d{1,3}\.\d$/);
  expect(Number(await page.getByTestId('trend-24h').getAttribute('data-points'))).toBeGreaterThan(0);
  expect(Number(await page.getByTestId('trend-30d').getAttribute('data-points'))).toBeGreaterThan(1);
  await page.locator('[data-testid="trend-30d"] path.line').waitFor();
  // 2. The ranking: nine streets, ranked 1 to 9, each with its index.
  const ranking = page.locator('[data-testid="ranking-panel"] li[data-street]');
  expect(await ranking.count()).toBe(9);
  expect(await ranking.getByTestId('rank').allInnerTexts()).toEqual([
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
  ]);
  for (const index of await ranking.getByTestId('index').allInnerTexts()) expect(index).toMatch(/^\d+\.\d$/);
  // 3. The map: Anning has no outlines, so a schematic, said so.
  const map = page.getByTestId('map-panel');
  expect(await map.locator('svg').getAttribute('data-kind')).toBe('schematic');
  expect(await map.getByTestId('schematic').innerText()).toBe('示意图');
  expect(await map.locator('g[data-street]').count()).toBe(9);
  // 4. The heat map: 9 streets × 27 indicators, painted.
  const heatmap = page.locator('[data-testid="heatmap-panel"] [data-cells]');
  expect(await heatmap.getAttribute('data-cells')).toBe('243');
  const painted = await page.getByTestId('heatmap-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let opaque = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) opaque++;
    return opaque / (canvas.width * canvas.height);
  });
  expect(painted).toBeGreaterThan(0.6);
  expect((await page.locator('[data-testid="heatmap-panel"] .column').allInnerTexts()).length).toBe(27);
  // 5. The ticker: events with a time, what and where.
  const events = page.locator('[data-testid="ticker-panel"] li[data-key]');
  expect(await events.count()).toBeGreaterThan(0);
  expect(await events.first().innerText()).toMatch(/^\d\d:\d\d\s+\S+\s+\S+/);
  // 6–8. Fraud centre, service windows, mediation: figures.
  for (const id of [
    'fraud-cases',
    'fraud-loss',
    'fraud-warnings',
    'fraud-dissuaded',
    'fraud-interceptions',
    'fraud-intercepted',
  ])
    expect(await page.getByTestId(id).innerText()).toMatch(number);
  for (const id of ['mediation-today', 'mediation-30d', 'mediation-success', 'mediation-pending'])
    expect(await page.getByTestId(id).innerText()).toMatch(number);
  expect(await page.locator('[data-testid="windows-panel"] tr[data-hall]').count()).toBe(9);
  expect(await page.getByTestId('windows-total').innerText()).toMatch(number);
  // 9. Alerts: a list, or the all-clear.
  const alerts = page.getByTestId('alerts-panel');
  const listed = await alerts.locator('[data-alert]').count();
  expect(listed > 0 || (await alerts.getByTestId('no-alerts').count()) === 1).toBe(true);
  // 10. Feed freshness: the five feeds, each with the age of its data.
  const feeds = page.locator('[data-testid="feeds-panel"] li[data-feed]');
  expect(await feeds.count()).toBe(5);
  for (const age of await feeds.getByTestId('feed-age').allInnerTexts())
    expect(age).toMatch(/^\d+ (秒|分钟|小时|天)前$/);
  // 11. Connection and clock.
  expect(await page.getByTestId('connection').innerText()).toContain('实时');
  expect(await page.getByTestId('clock').innerText()).toMatch(/\d\d:\d\d:\d\d/);
  expect(await brokenText(page)).toEqual([]);
}
