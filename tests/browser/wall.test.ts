/**
 * The wall as a person sees it, in Chromium, against a real server on the demo data. Needs the
 * built display: `npm run build:display` (npm test does it first).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, requireBrowser } from '../support/browser.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DISPLAY_DIR = 'display/build';
const SCREENSHOT = 'test-results/wall-1920.png';

interface Names {
  zh: string;
  en: string;
}
interface ApiStreet {
  code: string;
  name: Names;
  index: number | null;
  rank: number | null;
  grade: { label: Names } | null;
  indicators: { id: string; pointsLost: number; stale: boolean }[];
}
interface ApiIndex {
  city: number | null;
  streets: ApiStreet[];
}
interface ApiIndicators {
  indicators: { id: string; name: Names; block: string }[];
}

const available = requireBrowser('the wall');

describe.skipIf(!available)('the wall', () => {
  let server: TestServer;
  let browser: Browser;
  let catalogue: ApiIndicators;

  beforeAll(async () => {
    if (!existsSync(`${DISPLAY_DIR}/index.html`)) {
      throw new Error(`${DISPLAY_DIR} is not built: run \`npm run build:display\` first`);
    }
    [server, browser] = await Promise.all([
      startTestServer({ target: databaseTargets[0]!, seed: true, simulator: true, displayDir: DISPLAY_DIR }),
      launchBrowser(),
    ]);
    await server.warmedUp;
    catalogue = (await (
      await server.api('/api/indicators', { token: server.wallToken })
    ).json()) as ApiIndicators;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Streets in the order of the ranking: by rank, streets without one last, then by code. */
  const byRank = (index: ApiIndex) =>
    [...index.streets].sort(
      (a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.code.localeCompare(b.code),
    );
  /** How the wall prints an index: one decimal, a dash when unknown. */
  const oneDecimal = (value: number | null) => (value === null ? '—' : value.toFixed(1));

  async function openWall(query: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    await page.goto(`${server.baseUrl}/${query}`);
    return page;
  }

  /** Opens the wall with its token; answers the page and the /api/index it rendered. */
  async function openLiveWall(query = ''): Promise<{ page: Page; shown: ApiIndex }> {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/index'),
      page.goto(`${server.baseUrl}/?token=${server.wallToken}${query}`),
    ]);
    const shown = (await response.json()) as ApiIndex;
    await page.locator('[data-street]').first().waitFor();
    return { page, shown };
  }

  /** Every text and attribute of the page that reads "undefined" or "NaN", and every blank cell. */
  function brokenText(page: Page): Promise<string[]> {
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
      for (const cell of document.querySelectorAll('[data-testid], td, th')) {
        if ((cell as HTMLElement).innerText.trim() === '')
          broken.push(`blank ${cell.outerHTML.slice(0, 80)}`);
      }
      return broken;
    });
  }

  it('lists all 9 streets with the same index, rank and grade that /api/index reports', async () => {
    const { page, shown } = await openLiveWall();
    const rows = page.locator('button[data-street]');
    expect(await rows.count()).toBe(9);
    for (const [position, street] of byRank(shown).entries()) {
      const row = rows.nth(position);
      expect(await row.getAttribute('data-street')).toBe(street.code);
      expect(await row.getByTestId('street-name').innerText()).toBe(street.name.zh);
      expect(await row.getByTestId('rank').innerText()).toBe(
        street.rank === null ? '—' : String(street.rank),
      );
      expect(await row.getByTestId('index').innerText()).toBe(oneDecimal(street.index));
      expect(await row.getByTestId('grade').innerText()).toBe(street.grade?.label.zh ?? '—');
    }
    expect(await page.getByTestId('city-index').innerText()).toBe(oneDecimal(shown.city));
    await page.close();
  });

  it('shows the indicators of a selected street, with points lost summing to 100 − its index', async () => {
    const { page, shown: index } = await openLiveWall();
    // The best-ranked street: not the one shown before anybody chooses (the last ranked).
    const street = byRank(index).find((s) => s.index !== null);
    if (!street)
      throw new Error('the seeded demo gave no street an index: /api/index has nothing to explain');
    await page.locator(`button[data-street="${street.code}"]`).click();
    const panel = page.locator(`[data-testid="indicator-panel"][data-street="${street.code}"]`);
    await panel.waitFor();
    expect(await panel.locator('h2').innerText()).toContain(street.name.zh);

    const shown = await panel.locator('tr[data-indicator]').evaluateAll((rows) =>
      rows.map((row) => ({
        id: row.getAttribute('data-indicator'),
        block: row.closest('tbody')?.getAttribute('data-block'),
        name: row.querySelector('.label')?.textContent,
        stale: row.querySelector('[data-testid="stale"]') !== null,
      })),
    );
    const meta = new Map(catalogue.indicators.map((indicator) => [indicator.id, indicator]));
    expect(shown.map((row) => row.id).sort()).toEqual(street.indicators.map((i) => i.id).sort());
    for (const row of shown) {
      expect(row.block).toBe(meta.get(row.id!)!.block);
      expect(row.name).toBe(meta.get(row.id!)!.name.zh);
      expect(row.stale).toBe(street.indicators.find((i) => i.id === row.id)!.stale);
    }

    // An indicator without a score shows "—": it loses nothing.
    const pointsLost = (await panel.getByTestId('points-lost').allInnerTexts()).map((text) =>
      text === '—' ? 0 : Number(text),
    );
    expect(pointsLost.every(Number.isFinite)).toBe(true);
    const sum = pointsLost.reduce((a, b) => a + b, 0);
    // Each value is rounded to 0.01, so the sum may be off by half a hundredth per indicator.
    expect(Math.abs(sum - (100 - street.index!))).toBeLessThanOrEqual(pointsLost.length * 0.005 + 1e-9);
    await page.close();
  });

  it('never shows "undefined", "NaN" or a blank value, for any street, in either language', async () => {
    for (const lang of ['', '&lang=en']) {
      const { page, shown } = await openLiveWall(lang);
      for (let step = 0; step < shown.streets.length; step += 1) {
        expect(await brokenText(page)).toEqual([]);
        await page.keyboard.press('ArrowDown');
      }
      await page.close();
    }
  });

  it('tells how to get a wall token when the URL has none', async () => {
    const page = await openWall('');
    const message = page.getByTestId('token-message');
    await message.waitFor();
    const text = await message.innerText();
    expect(text).toContain('缺少大屏令牌');
    expect(text).toContain('npm start');
    expect(text).toContain('npm run token -- create wall');
    expect(await page.locator('[data-street]').count()).toBe(0);
    await page.close();
  });

  it('tells how to get a wall token when the token is refused', async () => {
    const page = await openWall('?token=not-a-real-token');
    const message = page.getByTestId('token-message');
    await message.waitFor();
    const text = await message.innerText();
    expect(text).toContain('大屏令牌无效');
    expect(text).toContain('npm run token -- create wall');
    expect(text).toContain('unknown or revoked');
    await page.close();
  });

  it('shows English names with ?lang=en', async () => {
    const { page, shown } = await openLiveWall('&lang=en');
    expect(await page.getByTestId('street-name').allInnerTexts()).toEqual(
      byRank(shown).map((s) => s.name.en),
    );
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('header h1').innerText()).toContain('Safety Index');
    expect(await page.locator('thead').innerText()).toContain('Points lost');
    await page.close();
  });

  it('keeps its last picture and says since when it is disconnected, then catches up by itself', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.clock.install();
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/index'),
      page.goto(`${server.baseUrl}/?token=${server.wallToken}`),
    ]);
    const shown = (await response.json()) as ApiIndex;
    await page.locator('[data-street]').first().waitFor();

    await page.route('**/api/index', (route) => route.abort('connectionrefused'));
    await page.clock.fastForward('00:16');
    const connection = page.getByTestId('connection');
    await expect.poll(() => connection.innerText()).toMatch(/连接中断 · 自 \d\d:\d\d:\d\d 起/);
    expect(await page.locator('button[data-street]').count()).toBe(9);
    expect(await page.getByTestId('city-index').innerText()).toBe(oneDecimal(shown.city));

    await page.unroute('**/api/index');
    await page.clock.fastForward('00:16');
    await expect.poll(() => connection.innerText()).toContain('实时');
    await page.close();
  });

  /** How far the page, and the indicator panel, would have to scroll: 0 when everything shows. */
  function overflow(page: Page) {
    return page.evaluate(() => {
      const panel = document.querySelector<HTMLElement>('[data-testid="indicator-panel"]')!;
      return {
        pageDown: document.documentElement.scrollHeight - window.innerHeight,
        pageAcross: document.documentElement.scrollWidth - window.innerWidth,
        panel: panel.scrollHeight - panel.clientHeight,
      };
    });
  }

  it('shows everything on a 1920×1080 screen without scrolling, and saves a screenshot', async () => {
    const { page } = await openLiveWall();
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(await overflow(page)).toEqual({ pageDown: 0, pageAcross: 0, panel: 0 });
    await page.close();
  });

  it('shows everything on a 1366×768 laptop, in English too, without scrolling', async () => {
    for (const lang of ['', '&lang=en']) {
      const page = await openWall(`?token=${server.wallToken}${lang}`, { width: 1366, height: 768 });
      await page.locator('[data-street]').first().waitFor();
      expect(await overflow(page)).toEqual({ pageDown: 0, pageAcross: 0, panel: 0 });
      await page.close();
    }
  });
});
