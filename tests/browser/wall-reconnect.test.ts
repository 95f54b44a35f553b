/** A wall that loses its server keeps its picture and catches up by itself, in Chromium. */
import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenText, launchBrowser, requireBrowser } from '../support/browser.js';
import { runningClock } from '../support/clock.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DISPLAY_DIR, ensureBuilt, freePort, json, open, RESULTS, untilLive } from '../support/wall-page.js';

const available = requireBrowser('the wall');

describe.skipIf(!available)('a wall that loses its server', () => {
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    browser = await launchBrowser();
    await mkdir(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('keeps its last picture, says since when it is disconnected, and catches up with a new server', async () => {
    const target = databaseTargets[0]!;
    const database = await target.create({ persistent: true });
    const port = await freePort();
    // One clock across the restart: the new server goes on where the old one stopped.
    const clock = runningClock();
    let server: TestServer | null = await startTestServer({
      target,
      database,
      port,
      seed: true,
      clock,
      displayDir: DISPLAY_DIR,
    });
    try {
      await server.warmedUp;
      const wallToken = server.wallToken;
      const page = await open(browser, `${server.baseUrl}/?token=${wallToken}`);
      await untilLive(page);
      const cityIndex = await page.getByTestId('city-index').innerText();

      await server.stop();
      server = null;
      const connection = page.getByTestId('connection');
      await expect.poll(() => connection.getAttribute('data-status')).toBe('reconnecting');
      expect(await connection.innerText()).toMatch(/连接中断 · 自 \d\d:\d\d:\d\d 起/);
      // The last picture stays: the streets and the city index, not a blank screen.
      expect(await page.locator('[data-testid="ranking-panel"] li[data-street]').count()).toBe(9);
      expect(await page.getByTestId('city-index').innerText()).toBe(cityIndex);
      await page.screenshot({ path: `${RESULTS}/wall-disconnected.png`, animations: 'disabled' });

      server = await startTestServer({ target, database, port, clock, displayDir: DISPLAY_DIR });
      await expect.poll(() => connection.getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
      expect(await connection.innerText()).toContain('实时');
      // Resynced: the new server's deltas apply on its snapshot, so a new event shows.
      const now = clock();
      const id = `after-restart-${now.getTime()}`;
      const pushed = await server.api(
        '/api/ingest/incident',
        json({ items: [feedItem('incident', now, { id, reportedAt: now.toISOString() })] }),
      );
      expect(pushed.ok).toBe(true);
      await page
        .locator(`[data-testid="ticker-panel"] li[data-key="incident:${id}"]`)
        .waitFor({ timeout: 15_000 });
      expect(await brokenText(page)).toEqual([]);
      await page.close();
    } finally {
      await server?.stop();
      await database.drop();
    }
  }, 90_000);
});
