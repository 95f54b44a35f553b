/**
 * The briefing room in Chromium, against a server running the city simulator on a fixed clock in
 * early December 2026 (the simulator backfills the 30 days before it, so November is whole and
 * October partly there): both months published, the carousel stepped with the keyboard and paused
 * with space, an older month picked, and the printed monthly report. Needs the built display:
 * `npm run build:display`. Screenshots of every page and the report's PDF go to test-results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MonthlyReport } from '../../shared/reports/monthly.js';
import { brokenText, launchBrowser, requireBrowser } from '../support/browser.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DISPLAY_DIR, ensureBuilt, FULL_HD, oneDecimal, RESULTS } from '../support/wall-page.js';

const available = requireBrowser('the briefing');
const NOW = new Date('2026-12-03T02:00:00Z');
/** Overview, ranking, 9 streets, heat map, surveys, alerts. */
const PAGES = 14;

describe.skipIf(!available)('the briefing room', () => {
  let server: TestServer;
  let browser: Browser;
  const reports = new Map<string, MonthlyReport>();

  beforeAll(async () => {
    ensureBuilt();
    await mkdir(RESULTS, { recursive: true });
    server = await startTestServer({
      target: databaseTargets[0]!,
      simulator: true,
      seed: true,
      clock: () => NOW,
      displayDir: DISPLAY_DIR,
    });
    await server.warmedUp;
    for (const month of ['2026-10', '2026-11']) {
      const published = await server.api(`/api/reports/monthly/${month}/publish`, { method: 'POST' });
      expect(published.status, await published.clone().text()).toBe(201);
      reports.set(month, (await (await server.api(`/api/reports/monthly/${month}`)).json()) as MonthlyReport);
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const openBriefing = async (query = ''): Promise<Page> => {
    const page = await browser.newPage({ viewport: FULL_HD, timezoneId: 'Asia/Shanghai' });
    await page.goto(`${server.baseUrl}/briefing?token=${server.wallToken}${query}`);
    await page.getByTestId('briefing').waitFor();
    return page;
  };
  const indicator = (page: Page) => page.getByTestId('page-indicator').innerText();

  it('opens on the newest month, steps with the keyboard and pauses with space', async () => {
    const page = await openBriefing('&interval=5');
    expect(await page.getByTestId('briefing').getAttribute('data-month')).toBe('2026-11');
    expect(await indicator(page)).toBe(`1 / ${PAGES}`);
    // The city's index as published, on the overview.
    expect(await page.getByTestId('city-index').innerText()).toBe(
      oneDecimal(reports.get('2026-11')!.figures.city),
    );
    // Paused at once, so that the 5 s timer cannot turn a page under the test.
    await page.keyboard.press(' ');
    expect(await page.getByTestId('play-state').getAttribute('data-paused')).toBe('true');
    expect(await page.getByTestId('play-state').innerText()).toContain('已暂停');
    await page.keyboard.press('ArrowRight');
    expect(await indicator(page)).toBe(`2 / ${PAGES}`);
    await page.getByTestId('page-ranking').waitFor();
    await page.keyboard.press('PageDown');
    expect(await indicator(page)).toBe(`3 / ${PAGES}`);
    await page.getByTestId('page-street').waitFor();
    await page.keyboard.press('PageUp');
    await page.keyboard.press('ArrowLeft');
    expect(await indicator(page)).toBe(`1 / ${PAGES}`);
    await page.keyboard.press('End');
    expect(await indicator(page)).toBe(`${PAGES} / ${PAGES}`);
    await page.getByTestId('page-alerts').waitFor();
    await page.keyboard.press('ArrowRight');
    expect(await indicator(page)).toBe(`${PAGES} / ${PAGES}`);
    await page.keyboard.press('Home');
    await page.keyboard.press('4');
    expect(await indicator(page)).toBe(`4 / ${PAGES}`);
    // Paused: past two intervals, still on page 4.
    await page.waitForTimeout(11_000);
    expect(await indicator(page)).toBe(`4 / ${PAGES}`);
    // Resumed: the timer turns to page 5.
    await page.keyboard.press(' ');
    expect(await page.getByTestId('play-state').getAttribute('data-paused')).toBe('false');
    await expect.poll(() => indicator(page), { timeout: 20_000 }).toBe(`5 / ${PAGES}`);
    await page.close();
  });

  it('shows every page without broken text, and saves a screenshot of each', async () => {
    const page = await openBriefing();
    const ranked = [...reports.get('2026-11')!.figures.streets].sort((a, b) => a.rank! - b.rank!);
    for (let n = 1; n <= PAGES; n++) {
      expect(await indicator(page)).toBe(`${n} / ${PAGES}`);
      if (n === 2) {
        const indices = await page.getByTestId('ranking-index').allInnerTexts();
        expect(indices).toEqual(ranked.map((s) => oneDecimal(s.index)));
      }
      if (n === 3) {
        // The best street's 扣分项, biggest first.
        const points = await page
          .getByTestId('loss-bar')
          .evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute('data-points'))));
        expect(points.length).toBeGreaterThan(0);
        expect(points).toEqual([...points].sort((a, b) => b - a));
      }
      expect(await brokenText(page)).toEqual([]);
      await page.screenshot({ path: `${RESULTS}/briefing-${String(n).padStart(2, '0')}.png` });
      await page.keyboard.press('ArrowRight');
    }
    await page.close();
  });

  it('shows an older month picked in the month picker with the figures the API publishes', async () => {
    const page = await openBriefing('&lang=en');
    await page.getByTestId('month-picker').selectOption('2026-10');
    await expect.poll(() => page.getByTestId('briefing').getAttribute('data-month')).toBe('2026-10');
    expect(page.url()).toContain('month=2026-10');
    const october = reports.get('2026-10')!;
    expect(await page.getByTestId('city-index').innerText()).toBe(oneDecimal(october.figures.city));
    await page.keyboard.press('ArrowRight');
    const shown = await page
      .getByTestId('ranking-row')
      .evaluateAll((rows) =>
        rows.map((row) => [
          row.getAttribute('data-street'),
          row.querySelector('[data-testid="ranking-index"]')!.textContent!.trim(),
        ]),
      );
    expect(Object.fromEntries(shown)).toEqual(
      Object.fromEntries(october.figures.streets.map((s) => [s.code, oneDecimal(s.index)])),
    );
    expect(await brokenText(page)).toEqual([]);
    await page.close();
  });

  it('says what is wrong for a refused token and for a month not published', async () => {
    const page = await browser.newPage({ viewport: FULL_HD });
    await page.goto(`${server.baseUrl}/briefing?token=pw_not-a-token`);
    const message = page.getByTestId('briefing-message');
    await expect.poll(() => message.getAttribute('data-status')).toBe('token-refused');
    expect(await message.innerText()).toContain('令牌无效');
    await page.goto(`${server.baseUrl}/briefing?token=${server.wallToken}&month=2026-09`);
    await expect.poll(() => message.getAttribute('data-status')).toBe('not-published');
    expect(await message.innerText()).toContain('2026-09 尚未发布');
    await page.close();
  });

  it('prints the monthly report on A4 with every section and no row cut by a page', async () => {
    const page = await browser.newPage({ timezoneId: 'Asia/Shanghai' });
    await page.goto(`${server.baseUrl}/briefing/report/2026-11?token=${server.wallToken}`);
    await page.getByTestId('report').waitFor();
    await page.emulateMedia({ media: 'print' });
    const headings = await page.locator('h2').allInnerTexts();
    expect(headings).toEqual([
      '一、概况',
      '二、街道排名',
      '三、各街道扣分项',
      '四、指标得分',
      '五、社区民调',
      '六、告警与连续红月',
    ]);
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/NaN|undefined|null/);
    // Rows never split across pages, and each table's head repeats on every page it spans.
    const rows = await page
      .locator('tr')
      .evaluateAll((trs) => trs.map((tr) => getComputedStyle(tr).breakInside));
    expect(rows.length).toBeGreaterThan(50);
    expect(new Set(rows)).toEqual(new Set(['avoid']));
    const heads = await page
      .locator('thead')
      .evaluateAll((all) => all.map((h) => getComputedStyle(h).display));
    expect(new Set(heads)).toEqual(new Set(['table-header-group']));
    // Sections start on new pages.
    const sections = await page
      .locator('section.report-section')
      .evaluateAll((all) => all.slice(1).map((s) => getComputedStyle(s).breakBefore));
    expect(new Set(sections)).toEqual(new Set(['page']));
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    await writeFile(`${RESULTS}/briefing-report-2026-11.pdf`, pdf);
    // A4 pages: at least one per section.
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(6);
    await page.close();
  });
});
