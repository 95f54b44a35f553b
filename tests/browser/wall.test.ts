/**
 * The wall as a duty officer sees it, in Chromium, against a real server running the city simulator
 * and the live channel. Needs the built display: `npm run build:display` (npm test does it first).
 * Screenshots go to test-results/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenText, requireBrowser } from '../support/browser.js';
import { runningClock } from '../support/clock.js';
import { feedItem } from '../support/feed-items.js';
import type { TestServer } from '../support/server.js';
import {
  byRank,
  expectEveryPanelFilled,
  FULL_HD,
  json,
  oneDecimal,
  open,
  PANELS,
  panelOverflow,
  RESULTS,
  UHD,
  untilLive,
  type ApiIndex,
  startQuietCity,
} from '../support/wall-page.js';

const available = requireBrowser('the wall');

describe.skipIf(!available)('the wall', () => {
  let server: TestServer;
  let browser: Browser;
  /** A working morning in Anning, whatever the hour the suite runs at; a test moves it to make a feed stale. */
  const clock = runningClock();

  beforeAll(async () => {
    // The city moves only with what the tests push: the ticker's newest item is theirs.
    [server, browser] = await startQuietCity(clock);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openWall(query = '', viewport = FULL_HD): Promise<Page> {
    const page = await open(browser, `${server.baseUrl}/?token=${server.wallToken}${query}`, viewport);
    await untilLive(page);
    return page;
  }

  it('fills every panel with figures and rows on a 1920×1080 screen, and saves a screenshot', async () => {
    const page = await openWall();
    await expectEveryPanelFilled(page);
    expect(await panelOverflow(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 0])));
    const scroll = await page.evaluate(() => [
      document.documentElement.scrollWidth - innerWidth,
      document.documentElement.scrollHeight - innerHeight,
    ]);
    expect(scroll).toEqual([0, 0]);
    await page.screenshot({ path: `${RESULTS}/wall-1920.png`, animations: 'disabled' });
    await page.close();
  });

  it('draws the same canvas twice as large and as sharp on a 4K screen, and saves a screenshot', async () => {
    const page = await openWall('', UHD);
    await expectEveryPanelFilled(page);
    expect(await page.getByTestId('stage').getAttribute('data-scale')).toBe('2');
    const box = (await page.getByTestId('wall').boundingBox())!;
    expect(box).toEqual({ x: 0, y: 0, width: 3840, height: 2160 });
    // The heat map's backing store has a device pixel per screen pixel, not a blurry quarter of them.
    const canvas = await page
      .getByTestId('heatmap-canvas')
      .evaluate((c: HTMLCanvasElement) => ({ backing: c.width, css: c.offsetWidth }));
    expect(canvas.backing).toBe(canvas.css * 2);
    await page.screenshot({ path: `${RESULTS}/wall-3840.png`, animations: 'disabled' });
    await page.close();
  });

  it('letterboxes a screen of another shape without distorting the canvas', async () => {
    const page = await openWall('', { width: 1600, height: 1200 });
    const box = (await page.getByTestId('wall').boundingBox())!;
    expect(box.width).toBeCloseTo(1600, 0);
    expect(box.height).toBeCloseTo(900, 0);
    expect(box.y).toBeCloseTo(150, 0);
    await page.close();
  });

  it('ranks the streets with the indices and grades that /api/index reports', async () => {
    const page = await openWall();
    const shown = () =>
      page.locator('[data-testid="ranking-panel"] li[data-street]').evaluateAll((rows) =>
        rows.map((row) => ({
          code: row.getAttribute('data-street'),
          name: row.querySelector('[data-testid="street-name"]')!.textContent,
          rank: row.querySelector('[data-testid="rank"]')!.textContent,
          index: row.querySelector('[data-testid="index"]')!.textContent,
          grade: (row.querySelector('[data-testid="grade"]') as HTMLElement).innerText,
        })),
      );
    const reported = async () => {
      const index = (await (await server.api('/api/index', { token: server.wallToken })).json()) as ApiIndex;
      return byRank(index).map((street) => ({
        code: street.code,
        name: street.name.zh,
        rank: street.rank === null ? '—' : String(street.rank),
        index: oneDecimal(street.index),
        grade: street.grade?.label.zh ?? '—',
      }));
    };
    // The picture follows the server within a tick: compare until they agree.
    await expect
      .poll(async () => JSON.stringify(await shown()) === JSON.stringify(await reported()))
      .toBe(true);
    const city = (await (await server.api('/api/index')).json()) as ApiIndex;
    expect(await page.getByTestId('city-index').innerText()).toBe(oneDecimal(city.city));
    await page.close();
  });

  it('never shows "undefined", "NaN", a blank value or a cut-off panel, in Chinese or in English', async () => {
    for (const lang of ['', '&lang=en']) {
      const page = await openWall(lang);
      expect(await brokenText(page)).toEqual([]);
      expect(await panelOverflow(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 0])));
      if (lang) await page.screenshot({ path: `${RESULTS}/wall-1920-en.png`, animations: 'disabled' });
      await page.close();
    }
  });

  it('speaks English with ?lang=en: street names, headings and the page language', async () => {
    const page = await openWall('&lang=en');
    const index = (await (await server.api('/api/index')).json()) as ApiIndex;
    await expect
      .poll(() => page.locator('[data-testid="ranking-panel"] [data-testid="street-name"]').allInnerTexts())
      .toEqual(byRank(index).map((street) => street.name.en));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').innerText()).toContain('Safety Index');
    expect(await page.getByTestId('feeds-panel').innerText()).toContain('Feed freshness');
    expect(await page.getByTestId('schematic').innerText()).toBe('schematic');
    await page.close();
  });

  it('heads every heat-map column with a label of its own and shows street names whole, in both languages', async () => {
    for (const lang of ['zh', 'en']) {
      const page = await openWall(lang === 'en' ? '&lang=en' : '');
      const heads = await page
        .locator('[data-testid="heatmap-panel"] .column[data-indicator]')
        .evaluateAll((columns) =>
          columns.map((column) => ({
            id: column.getAttribute('data-indicator'),
            label: (column as HTMLElement).innerText,
            whole: column.scrollHeight <= column.clientHeight,
          })),
        );
      expect(heads).toHaveLength(27);
      expect(new Set(heads.map((head) => head.label)).size, lang).toBe(27);
      // The public evaluation's columns ("Satisfaction: …" in English) read whole.
      const publicHeads = heads.filter((head) => /satisfaction|safety_sense/.test(head.id!));
      expect(publicHeads).toHaveLength(6);
      for (const head of publicHeads) expect(head.whole, `${lang} ${head.label}`).toBe(true);
      if (lang === 'zh') for (const head of heads) expect(head.whole, head.label).toBe(true);
      // Street names: the heat map's rows, the ranking and the service halls. A long one wraps on
      // two lines: a hidden third would stick out a whole line (16 px or more), while the glyphs of
      // the last overhang its line box by a few pixels.
      const cut = await page.evaluate(() =>
        [
          ...document.querySelectorAll(
            '[data-testid="heatmap-panel"] li[data-street] span, [data-testid="street-name"], [data-testid="windows-panel"] th',
          ),
        ]
          .filter((name) => name.scrollWidth > name.clientWidth || name.scrollHeight > name.clientHeight + 6)
          .map((name) => (name as HTMLElement).innerText),
      );
      expect(cut, lang).toEqual([]);
      await page.close();
    }
  });

  // How soon it shows is measured by `npm run bench` (event → wall); here, that it shows.
  it('shows an incident pushed to the server in the ticker', async () => {
    const page = await openWall();
    const id = `wall-${clock().getTime()}`;
    const now = clock();
    const pushed = await server.api(
      '/api/ingest/incident',
      json({ items: [feedItem('incident', now, { id, category: 'fire', reportedAt: now.toISOString() })] }),
    );
    expect(pushed.ok).toBe(true);
    const item = page.locator(`[data-testid="ticker-panel"] li[data-key="incident:${id}"]`);
    await item.waitFor({ timeout: 15_000 });
    expect(await item.innerText()).toMatch(/火情\s+金方\s+金方社区/);
    // Newest first.
    expect(
      await page.locator('[data-testid="ticker-panel"] li[data-key]').first().getAttribute('data-key'),
    ).toBe(`incident:${id}`);
    await page.close();
  });

  it('counts a fraud case pushed to the server in the fraud centre', async () => {
    const page = await openWall();
    const cases = page.getByTestId('fraud-cases');
    const before = Number((await cases.innerText()).replace(/\D/g, ''));
    const now = clock();
    const pushed = await server.api(
      '/api/ingest/fraud',
      json({
        items: [feedItem('fraud', now, { id: `wall-fraud-${now.getTime()}`, occurredAt: now.toISOString() })],
      }),
    );
    expect(pushed.ok).toBe(true);
    await expect
      .poll(async () => Number((await cases.innerText()).replace(/\D/g, '')), {
        timeout: 15_000,
        interval: 50,
      })
      .toBe(before + 1);
    await page.close();
  });

  it('re-ranks a street whose index falls, its row moving down the ranking', async () => {
    const page = await openWall();
    const rows = page.locator('[data-testid="ranking-panel"] li[data-street]');
    const top = (await rows.first().getAttribute('data-street'))!;
    const shownIndex = () => page.locator(`li[data-street="${top}"]`).getByTestId('index').innerText();
    const before = await shownIndex();
    // A month's worth of theft and robbery at once: the street's negative block collapses.
    const now = clock();
    const run = now.getTime();
    const incident = (i: number, category: string) =>
      feedItem('incident', now, {
        id: `drop-${run}-${category}-${i}`,
        street: top,
        community: undefined,
        category,
        reportedAt: new Date(now.getTime() - i * 60_000).toISOString(),
      });
    const items = [
      ...Array.from({ length: 300 }, (_, i) => incident(i, 'theft')),
      ...Array.from({ length: 60 }, (_, i) => incident(i, 'robbery')),
    ];
    const pushed = await server.api('/api/ingest/incident', json({ items }));
    expect(pushed.ok).toBe(true);
    await expect.poll(shownIndex, { timeout: 15_000, interval: 50 }).not.toBe(before);
    await expect
      .poll(() => rows.first().getAttribute('data-street'), { timeout: 15_000, interval: 50 })
      .not.toBe(top);
    expect(Number(await shownIndex())).toBeLessThan(Number(before));
    const index = (await (await server.api('/api/index')).json()) as ApiIndex;
    expect(await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-street')))).toEqual(
      byRank(index).map((street) => street.code),
    );
    await page.close();
  });

  it('shows a street token only its own street', async () => {
    const token = await server.issue('street', ['jinfang']);
    const page = await open(browser, `${server.baseUrl}/?token=${token}`);
    await untilLive(page);
    const streetsOn = (selector: string) =>
      page
        .locator(selector)
        .evaluateAll((elements) => [...new Set(elements.map((e) => e.getAttribute('data-street')))]);
    expect(await streetsOn('[data-testid="ranking-panel"] [data-street]')).toEqual(['jinfang']);
    expect(await streetsOn('[data-testid="map-panel"] [data-street]')).toEqual(['jinfang']);
    expect(await streetsOn('[data-testid="heatmap-panel"] [data-street]')).toEqual(['jinfang']);
    expect(await page.locator('[data-testid="heatmap-panel"] [data-cells]').getAttribute('data-cells')).toBe(
      '27',
    );
    for (const street of await streetsOn('[data-testid="ticker-panel"] [data-street]'))
      expect(street).toBe('jinfang');
    expect(await page.locator('[data-testid="windows-panel"] tr[data-hall]').count()).toBe(1);
    expect(await brokenText(page)).toEqual([]);
    await page.screenshot({ path: `${RESULTS}/wall-street-token.png`, animations: 'disabled' });
    await page.close();
  });

  it('shows tile 4 of a 2×2 spliced wall as the bottom-right quarter of the canvas', async () => {
    const screen = { width: 960, height: 540 };
    const page = await openWall('&tiles=2x2&tile=4', screen);
    const inView = async (testid: string) => {
      const box = (await page.getByTestId(testid).boundingBox())!;
      return box.x < screen.width && box.x + box.width > 0 && box.y < screen.height && box.y + box.height > 0;
    };
    // The canvas at full size, shifted up and left by one screen each way.
    expect(await page.getByTestId('wall').boundingBox()).toEqual({
      x: -960,
      y: -540,
      width: 1920,
      height: 1080,
    });
    expect(await inView('windows-panel')).toBe(true);
    expect(await inView('fraud-panel')).toBe(true);
    expect(await inView('city-panel')).toBe(false);
    expect(await inView('clock')).toBe(false);
    await page.screenshot({ path: `${RESULTS}/wall-tile-2x2-4.png`, animations: 'disabled' });
    const first = await openWall('&tiles=2x2&tile=1', screen);
    expect(await first.getByTestId('wall').boundingBox()).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    await page.close();
    await first.close();
  });

  it('tells how to get a wall token when the URL has none', async () => {
    const page = await open(browser, `${server.baseUrl}/`);
    const message = page.getByTestId('token-message');
    await message.waitFor();
    const text = await message.innerText();
    expect(text).toContain('缺少大屏令牌');
    expect(text).toContain('npm start');
    expect(text).toContain('npm run token -- create wall');
    expect(await page.getByTestId('wall').count()).toBe(0);
    await page.close();
  });

  it('tells how to get a wall token when the token is refused, and says why', async () => {
    const page = await open(browser, `${server.baseUrl}/?token=not-a-real-token`);
    const message = page.getByTestId('token-message');
    await message.waitFor();
    const text = await message.innerText();
    expect(text).toContain('大屏令牌无效');
    expect(text).toContain('npm run token -- create wall');
    expect(text).toContain('unknown or revoked');
    await page.screenshot({ path: `${RESULTS}/wall-token-refused.png`, animations: 'disabled' });
    await page.close();
  });

  it('says plainly when the token may not read the index', async () => {
    const token = await server.issue('feed');
    const page = await open(browser, `${server.baseUrl}/?token=${token}`);
    const message = page.getByTestId('token-message');
    await message.waitFor();
    expect(await message.innerText()).toContain('此令牌无权查看平安指数');
    await page.close();
  });

  it('names itself in its heartbeats with ?screen=, so the server knows which walls are alive', async () => {
    const page = await openWall('&screen=指挥中心主屏');
    const screens = async () => {
      const health = (await (await server.api('/api/health')).json()) as {
        walls: { screen: string; connected: boolean }[];
      };
      return health.walls.filter((wall) => wall.connected).map((wall) => wall.screen);
    };
    await expect.poll(screens).toContain('指挥中心主屏');
    await page.close();
  });

  // Last: it moves the server's clock on, which makes every feed late until its next poll.
  it('greys the fraud panel, says how old its data is and raises an alert when the fraud feed goes stale', async () => {
    const page = await openWall();
    server.simulator!.outage('fraud', 'error', 3_600_000);
    clock.advance(5 * 60_000);
    const fraud = page.getByTestId('fraud-panel');
    await expect.poll(() => fraud.getAttribute('data-stale'), { timeout: 20_000 }).toBe('true');
    expect(await fraud.getByTestId('stale-note').innerText()).toMatch(/^数据已过期 · \d+ (分钟|小时)前$/);
    // Greyed, not blank: the last figures stay.
    expect(await page.getByTestId('fraud-cases').innerText()).toMatch(/\d/);
    expect(await page.locator('[data-feed="fraud"]').getAttribute('data-stale')).toBe('true');
    await page
      .locator('[data-testid="alerts-panel"] [data-alert="feed:fraud"][data-level="stale"]')
      .waitFor();
    // The incident feed polls again within its interval and its panel comes back; fraud stays stale.
    const ticker = page.getByTestId('ticker-panel');
    await expect.poll(() => ticker.getAttribute('data-stale'), { timeout: 20_000 }).toBe('false');
    expect(await fraud.getAttribute('data-stale')).toBe('true');
    expect(await brokenText(page)).toEqual([]);
    expect(await panelOverflow(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 0])));
    await page.screenshot({ path: `${RESULTS}/wall-stale-fraud.png`, animations: 'disabled' });
    await page.close();
  }, 60_000);
});

/** A port free now, for a server that must come back on the same address. */
