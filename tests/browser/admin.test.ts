/**
 * The administrator's pages in Chromium, against a server polling the city simulator on a fixed
 * clock (nothing moves under the test but what it changes): an administrator changes a street's
 * population with a reason and the live index follows at once, without a restart — the street's
 * per-10k rates are its counts over the new population — and the history lists the version; a bad
 * population is refused naming the field and nothing changes; a wall token and a street token can
 * neither open /admin nor use its API. Needs the built display: `npm run build:display`.
 * Screenshots go to test-results/.
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveIndex } from '../../shared/api.js';
import type { CityConfig } from '../../shared/city.js';
import { launchBrowser, requireBrowser } from '../support/browser.js';
import { WORKING_MORNING } from '../support/clock.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DISPLAY_DIR, ensureBuilt, RESULTS } from '../support/wall-page.js';

const available = requireBrowser('the admin pages');
const TABLET = { width: 768, height: 1024 };
const DESKTOP = { width: 1920, height: 1080 };
/** The street whose population is changed: the third, as in the contract's example path. */
const STREET = 2;

interface AdminConfig {
  version: { id: number; reason: string | null; sections: string[] };
  config: CityConfig;
}

describe.skipIf(!available)('the admin pages', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    await mkdir(RESULTS, { recursive: true });
    server = await startTestServer({
      target: databaseTargets[0]!,
      simulator: true,
      clock: () => WORKING_MORNING,
      displayDir: DISPLAY_DIR,
    });
    await server.warmedUp;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const config = async (): Promise<AdminConfig> => {
    const response = await server.api('/api/admin/config');
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as AdminConfig;
  };
  const liveIndex = async (): Promise<LiveIndex> =>
    (await (await server.api('/api/index')).json()) as LiveIndex;
  const openAdmin = async (token: string, query = '', viewport = DESKTOP): Promise<Page> => {
    const page = await browser.newPage({ viewport, timezoneId: 'Asia/Shanghai' });
    await page.goto(`${server.baseUrl}/admin?token=${token}${query}`);
    return page;
  };
  const streetForm = (page: Page, code: string) =>
    page.locator(`[data-testid="street-form"][data-code="${code}"]`);

  it('saves a street’s population with a reason: the live index follows at once, the history lists it', async () => {
    const before = await config();
    const street = before.config.streets[STREET]!;
    const perTenK = before.config.indicators.filter((i) => i.measure === 'count_per_10k').map((i) => i.id);
    expect(perTenK.length).toBeGreaterThan(0);
    const rawOf = (index: LiveIndex) =>
      new Map(
        index.streets
          .find((s) => s.code === street.code)!
          .indicators.filter((i) => perTenK.includes(i.id))
          .map((i) => [i.id, i.raw]),
      );
    const rawBefore = rawOf(await liveIndex());
    // Counts to be rescaled: at least one per-10k rate of the street is above zero.
    expect([...rawBefore.values()].some((raw) => raw !== null && raw > 0)).toBe(true);
    const population = street.population * 2;

    const page = await openAdmin(server.adminToken, '&section=streets');
    const form = streetForm(page, street.code);
    await form.getByTestId('population').fill(String(population));
    // A save without a reason is not sent.
    await page.getByTestId('save').click();
    await page.getByTestId('reason-missing').waitFor();
    expect((await config()).version.id).toBe(before.version.id);

    await page.getByTestId('reason').fill('2026 年人口普查更新');
    await page.getByTestId('save').click();
    const saved = page.getByTestId('saved');
    await saved.waitFor();
    const version = Number(await saved.getAttribute('data-version'));
    expect(version).toBeGreaterThan(before.version.id);
    expect(await saved.innerText()).toContain(`第 ${version} 版`);
    await page.screenshot({ path: `${RESULTS}/admin-streets-saved.png` });
    // Form fields are blank by nature, so only words are checked for what must never show.
    expect(await page.locator('body').innerText()).not.toMatch(/undefined|NaN/);

    const after = await config();
    expect(after.version.id).toBe(version);
    expect(after.config.streets[STREET]!.population).toBe(population);
    // Every other street as it was.
    expect(after.config.streets.filter((_, i) => i !== STREET)).toEqual(
      before.config.streets.filter((_, i) => i !== STREET),
    );

    // The same counts over twice the people: each per-10k rate halves, in the live index, now.
    const rawAfter = rawOf(await liveIndex());
    for (const [id, raw] of rawBefore) {
      if (raw === null) expect(rawAfter.get(id)).toBeNull();
      else expect(rawAfter.get(id), id).toBeCloseTo(raw / 2, 6);
    }

    await page.getByTestId('nav-history').click();
    const row = page.locator(`[data-testid="version-row"][data-id="${version}"]`);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('2026 年人口普查更新');
    expect(text).toContain('管理页');
    expect(text).toContain('街道');
    await page.screenshot({ path: `${RESULTS}/admin-history.png` });
    await page.setViewportSize(TABLET);
    await page.screenshot({ path: `${RESULTS}/admin-history-tablet.png` });
    await page.close();
  });

  it('refuses a bad population naming the field, and changes nothing', async () => {
    const before = await config();
    const street = before.config.streets[STREET]!;
    const index = JSON.stringify((await liveIndex()).streets.find((s) => s.code === street.code)!.indicators);
    const page = await openAdmin(server.adminToken, '&section=streets&lang=en');
    const form = streetForm(page, street.code);
    for (const typed of ['-5', 'many']) {
      await form.getByTestId('population').fill(typed);
      await page.getByTestId('reason').fill('a mistake');
      await page.getByTestId('save').click();
      await page.getByTestId('refused').waitFor();
      // The problem is said beside the population of that street, not elsewhere.
      const issue = form.locator(`[data-testid="field-issue"][data-path="streets.${STREET}.population"]`);
      await issue.waitFor();
      expect((await issue.innerText()).length).toBeGreaterThan(0);
      expect(await page.getByTestId('field-issue').count()).toBe(1);
      expect(await page.getByTestId('saved').count()).toBe(0);
      const after = await config();
      expect(after.version.id).toBe(before.version.id);
      expect(after.config.streets).toEqual(before.config.streets);
    }
    await page.screenshot({ path: `${RESULTS}/admin-streets-refused.png` });
    expect(JSON.stringify((await liveIndex()).streets.find((s) => s.code === street.code)!.indicators)).toBe(
      index,
    );
    await page.close();
  });

  it('lets neither a wall token nor a street token administer', async () => {
    const { config: city } = await config();
    const tokens = { wall: server.wallToken, street: await server.issue('street', [city.streets[0]!.code]) };
    for (const [role, token] of Object.entries(tokens)) {
      const page = await openAdmin(token, '', TABLET);
      const message = page.getByTestId('admin-message');
      await message.waitFor();
      expect(await message.getAttribute('data-status'), role).toBe('forbidden');
      expect(await message.innerText()).toContain('此令牌无权管理系统');
      expect(await page.getByTestId('admin-nav').count()).toBe(0);
      expect(await page.getByTestId('street-form').count()).toBe(0);
      await page.screenshot({ path: `${RESULTS}/admin-refused-${role}.png` });
      await page.close();

      expect((await server.api('/api/admin/config', { token })).status, role).toBe(403);
      const put = await server.api('/api/admin/config/streets', {
        token,
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: city.streets, reason: 'not allowed' }),
      });
      expect(put.status, role).toBe(403);
    }
    // And without a token the page says one is needed.
    const page = await browser.newPage({ viewport: TABLET });
    await page.goto(`${server.baseUrl}/admin`);
    await page.getByTestId('admin-message').waitFor();
    expect(await page.getByTestId('admin-message').getAttribute('data-status')).toBe('no-token');
    await page.close();
  });
});
