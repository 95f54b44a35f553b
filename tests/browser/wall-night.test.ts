/**
 * The wall at 03:00, in Chromium: a command-centre wall runs through the night, when the service
 * halls are closed. Every panel still has figures — the windows panel yesterday's, headed as such.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBrowser } from '../support/browser.js';
import { NIGHT, runningClock } from '../support/clock.js';
import type { TestServer } from '../support/server.js';
import {
  expectEveryPanelFilled,
  open,
  panelOverflow,
  PANELS,
  RESULTS,
  untilLive,
  startQuietCity,
} from '../support/wall-page.js';

const available = requireBrowser('the wall at night');

describe.skipIf(!available)('the wall at 03:00', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await startQuietCity(runningClock(NIGHT));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("fills every panel, the service windows with yesterday's figures headed 昨日 (yesterday)", async () => {
    const page = await open(browser, `${server.baseUrl}/?token=${server.wallToken}`);
    await untilLive(page);
    await expectEveryPanelFilled(page);
    const windows = page.getByTestId('windows-panel');
    expect(await windows.locator('h2').innerText()).toBe('服务窗口 · 昨日');
    expect(await windows.getByTestId('windows-day').getAttribute('data-day')).toBe('2026-11-24');
    expect(await page.getByTestId('clock').innerText()).toMatch(/^03:\d\d:\d\d\s+2026-11-25$/);
    expect(await panelOverflow(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 0])));
    await page.screenshot({ path: `${RESULTS}/wall-night-1920.png`, animations: 'disabled' });
    await page.close();
  });

  it('says "yesterday" beside the service halls in English', async () => {
    const page = await open(browser, `${server.baseUrl}/?token=${server.wallToken}&lang=en`);
    await untilLive(page);
    expect(await page.getByTestId('windows-day').innerText()).toBe('yesterday · min');
    expect(await page.locator('[data-testid="windows-panel"] tr[data-hall]').count()).toBe(9);
    await page.close();
  });
});
