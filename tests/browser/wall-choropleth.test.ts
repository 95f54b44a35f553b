/** A city whose streets have GeoJSON outlines gets a choropleth instead of the schematic, in Chromium. */
import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, requireBrowser } from '../support/browser.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { DISPLAY_DIR, ensureBuilt, open, RESULTS, untilLive } from '../support/wall-page.js';

const available = requireBrowser('the wall');

describe.skipIf(!available)('a city whose streets have outlines', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    const city = await testCity();
    // Nine squares in a 3×3 block around Anning: enough geography for a choropleth.
    city.streets.forEach((street, i) => {
      const [x, y] = [102.3 + (i % 3) * 0.1, 24.8 + Math.floor(i / 3) * 0.1];
      street.geometry = {
        type: 'Polygon',
        coordinates: [
          [
            [x, y],
            [x + 0.1, y],
            [x + 0.1, y + 0.1],
            [x, y + 0.1],
            [x, y],
          ],
        ],
      };
    });
    [server, browser] = await Promise.all([
      startTestServer({ target: databaseTargets[0]!, city, seed: true, displayDir: DISPLAY_DIR }),
      launchBrowser(),
    ]);
    await mkdir(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the streets as a choropleth instead of the schematic', async () => {
    const page = await open(browser, `${server.baseUrl}/?token=${server.wallToken}`);
    await untilLive(page);
    const map = page.getByTestId('map-panel');
    await expect.poll(() => map.locator('svg').getAttribute('data-kind')).toBe('choropleth');
    expect(await map.locator('g[data-street] path').count()).toBe(9);
    expect(await map.getByTestId('schematic').count()).toBe(0);
    for (const d of await map
      .locator('g[data-street] path')
      .evaluateAll((paths) => paths.map((p) => p.getAttribute('d'))))
      expect(d).toMatch(/^M[\d.]+,[\d.]+L/);
    await page.screenshot({ path: `${RESULTS}/wall-choropleth.png`, animations: 'disabled' });
    await page.close();
  });
});
