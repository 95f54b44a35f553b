/**
 * The phone pages of alerts in Chromium, against a real server running the city simulator: the page
 * a notification's signed link opens (refusing an expired or altered link), and the street head's
 * page — acknowledging over the live channel, the index history, the indicators by points lost —
 * all in one column a phone shows without sideways scrolling. Needs the built display:
 * `npm run build:display`. Screenshots go to test-results/.
 */
import { describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/api.js';
import { openPhone, PHONE, useAlertsPages } from '../support/alerts-pages.js';
import { brokenText, requireBrowser } from '../support/browser.js';
import { RESULTS } from '../support/wall-page.js';
import { ReportService } from '../../server/services/reports.js';

const available = requireBrowser('the phone pages');

describe.skipIf(!available)('the acknowledgement page and the street page on a phone', () => {
  const t = useAlertsPages();
  /** A robbery in 金方, firing throughout: what the refused link and the refused token try to acknowledge. */
  let robbery: AlertView | undefined;
  const firing = async () => (robbery ??= await t.robbery());

  it('refuses an expired or tampered link and says why, without showing the alert', async () => {
    const firingAlert = await firing();
    const page = await t.browser.newPage({ viewport: PHONE, timezoneId: 'Asia/Shanghai' });
    const expired = t.ackPath(firingAlert, new Date(t.server.clock().getTime() - 400 * 86_400_000));
    await page.goto(`${t.server.baseUrl}${expired}`);
    const refused = page.getByTestId('ack-refused');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('link_expired');
    expect(await refused.innerText()).toContain('链接已过期');
    expect(await refused.innerText()).toMatch(/此链接已于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 失效/);
    // Chinese sentences only: the server's English reason is folded away, there for whoever asks.
    expect(await refused.innerText()).not.toMatch(/[A-Za-z]/);
    const said = refused.getByTestId('server-said');
    expect(await said.textContent()).toContain('the link expired at');
    await said.locator('summary').click();
    expect(await refused.innerText()).toContain('the link expired at');
    expect(await page.getByTestId('alert-card').count()).toBe(0);
    expect(await brokenText(page)).toEqual([]);
    await page.screenshot({ path: `${RESULTS}/ack-page-expired-390.png`, fullPage: true });
    const valid = t.ackPath(firingAlert);
    const tampered = valid.replace(/sig=([^&])/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect(tampered).not.toBe(valid);
    await page.goto(`${t.server.baseUrl}${tampered}`);
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('link_invalid');
    expect(await refused.innerText()).toContain('链接无效');
    expect(await refused.innerText()).not.toMatch(/[A-Za-z]/);
    // The alert is still firing: a refused link acknowledged nothing.
    const stored = (await (
      await t.server.api(`/api/alerts/${encodeURIComponent(firingAlert.id)}`)
    ).json()) as {
      alert: AlertView;
    };
    expect(stored.alert.status).toBe('firing');
    await page.close();
  });

  it('lets a street head acknowledge on the street page over the live channel, with notifications as they come', async () => {
    const token = await t.server.issue('street', ['jinfang'], '金方街道值班');
    const page = await openPhone(t.browser, `${t.server.baseUrl}/street/jinfang?token=${token}`);
    const section = page.getByTestId('street-alerts');
    await section.waitFor();
    const alert = await t.robbery();
    // The notification, briefly, as the socket channel delivers it.
    const toast = page.locator(`[data-testid="toast"][data-alert="${alert.id}"]`);
    await toast.waitFor({ timeout: 20_000 });
    expect(await toast.innerText()).toContain('新告警');
    expect(await toast.innerText()).toContain('抢劫');
    const card = section.locator(`li[data-alert="${alert.id}"]`);
    await card.waitFor();
    expect(await card.getByTestId('alert-status').innerText()).toBe('告警中 · 待确认');
    expect(await card.getByTestId('alert-place').innerText()).toBe('金方');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: `${RESULTS}/street-page-390.png`, fullPage: true, animations: 'disabled' });
    await card.getByTestId('ack-open').click();
    await card.getByTestId('ack-confirm').click();
    expect(await card.getByTestId('ack-problem').innerText()).toBe('请填写处置情况后再确认');
    await card.getByRole('textbox').fill('社区网格员已到场');
    await card.getByTestId('ack-confirm').click();
    await expect.poll(() => card.getByTestId('alert-status').innerText(), { timeout: 15_000 }).toBe('已确认');
    const ack = await card.getByTestId('alert-ack').innerText();
    expect(ack).toContain('金方街道值班');
    expect(ack).toContain('社区网格员已到场');
    expect(await card.getByTestId('ack-form').count()).toBe(0);
    expect(await brokenText(page)).toEqual([]);
    // The toast goes by itself.
    await expect.poll(() => toast.count(), { timeout: 15_000 }).toBe(0);
    await page.close();
  });

  it('shows a street head the index history and every indicator, most points lost first, on a phone without sideways scrolling', async () => {
    const token = await t.server.issue('street', ['jinfang'], '金方街道负责人');
    for (const lang of ['zh', 'en']) {
      const page = await openPhone(
        t.browser,
        `${t.server.baseUrl}/street/jinfang?token=${token}${lang === 'en' ? '&lang=en' : ''}`,
      );
      const list = page.getByTestId('indicator-list');
      await list.waitFor();
      // The last 30 days, drawn.
      const history = page.getByTestId('street-history');
      await expect.poll(() => history.getAttribute('data-status')).toBe('ready');
      expect(Number(await history.getAttribute('data-points'))).toBeGreaterThan(1);
      expect(await history.locator('svg path.line').count()).toBe(1);
      expect(await page.getByTestId('history-range').innerText()).toMatch(/^\d+\.\d – \d+\.\d$/);
      // One row per indicator, the largest 扣分项 first.
      const rows = list.locator('li[data-indicator]');
      expect(await rows.count()).toBe(27);
      const lost = (await rows.getByTestId('points-lost').allInnerTexts())
        .map(Number)
        .filter(Number.isFinite);
      expect(lost.length).toBeGreaterThan(20);
      expect(lost).toEqual([...lost].sort((a, b) => b - a));
      // Nothing wider than the phone, nothing cut off at its side: names wrap.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        PHONE.width,
      );
      const cut = await page.evaluate(() =>
        [...document.querySelectorAll('main *')]
          .filter(
            (element) =>
              element.clientWidth > 1 &&
              element.scrollWidth > element.clientWidth + 1 &&
              getComputedStyle(element).overflowX !== 'visible',
          )
          .map((element) => element.textContent),
      );
      expect(cut, lang).toEqual([]);
      if (lang === 'en')
        expect(await rows.getByTestId('indicator-name').allInnerTexts()).toContain(
          'Satisfaction with law enforcement',
        );
      expect(await brokenText(page)).toEqual([]);
      await page.screenshot({
        path: `${RESULTS}/street-page-indicators-390${lang === 'en' ? '-en' : ''}.png`,
        fullPage: true,
        animations: 'disabled',
      });
      await page.close();
    }
  });

  it('shows where the street stands on the red-month ladder: none before a publication, then the latest', async () => {
    const token = await t.server.issue('street', ['jinfang'], '金方街道负责人');
    const open = async () => {
      const page = await openPhone(t.browser, `${t.server.baseUrl}/street/jinfang?token=${token}`);
      const ladder = page.getByTestId('red-month-ladder');
      await expect.poll(() => ladder.getAttribute('data-status')).not.toBe('loading');
      return { page, ladder };
    };
    if ((await t.server.ctx.reports.months()).length === 0) {
      const before = await open();
      expect(await before.ladder.getAttribute('data-status')).toBe('none-published');
      expect(await before.ladder.innerText()).toContain('尚无已发布的月份');
      await before.page.close();
    }
    await t.server.ctx.reports.publish(ReportService.period('2026-10'), 'test');
    const report = await t.server.ctx.reports.report(ReportService.period('2026-10'));
    const standing = report.ladder.find((l) => l.code === 'jinfang')!;
    const { page, ladder } = await open();
    expect(await ladder.getAttribute('data-status')).toBe('ready');
    expect(await ladder.getAttribute('data-months')).toBe(String(standing.months));
    expect(await ladder.getAttribute('data-step')).toBe(standing.step);
    expect(await ladder.innerText()).toContain('截至 2026年10月 发布');
    expect(await ladder.innerText()).toContain('满 3 个月：约谈预警');
    expect(await brokenText(page)).toEqual([]);
    await page.screenshot({
      path: `${RESULTS}/street-page-ladder-390.png`,
      fullPage: true,
      animations: 'disabled',
    });
    await page.close();
  });

  it('covers the whole acknowledgement page with its background, however far a phone scrolls', async () => {
    const firingAlert = await firing();
    const page = await t.browser.newPage({ viewport: { width: PHONE.width, height: 480 } });
    await page.goto(`${t.server.baseUrl}${t.ackPath(firingAlert)}&lang=en`);
    await page.getByTestId('alert-card').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(480);
    const screenshot = (await page.screenshot({ fullPage: true })).toString('base64');
    // The left margin, top to bottom: the background changes smoothly, with no seam where a screen ends.
    const jump = await page.evaluate(async (png) => {
      const image = new Image();
      image.src = `data:image/png;base64,${png}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const column = context.getImageData(2, 0, 1, image.height).data;
      let largest = 0;
      for (let i = 4; i < column.length; i += 4)
        for (let channel = 0; channel < 3; channel++)
          largest = Math.max(largest, Math.abs(column[i + channel]! - column[i - 4 + channel]!));
      return largest;
    }, screenshot);
    expect(jump).toBeLessThanOrEqual(4);
    await page.close();
  });

  it('shows the server’s refusal on the street page when the token may not acknowledge', async () => {
    const firingAlert = await firing();
    // A wall token reads every street but acknowledges nothing.
    const page = await openPhone(t.browser, `${t.server.baseUrl}/street/jinfang?token=${t.server.wallToken}`);
    const card = page.locator(`[data-testid="street-alerts"] li[data-alert="${firingAlert.id}"]`);
    await card.waitFor();
    await card.getByTestId('ack-open').click();
    await card.getByRole('textbox').fill('大屏不能确认');
    await card.getByTestId('ack-confirm').click();
    const refusal = card.getByTestId('ack-refusal');
    await refusal.waitFor({ timeout: 15_000 });
    expect(await refusal.getAttribute('data-code')).toBe('forbidden');
    expect(await refusal.innerText()).toContain('无权确认此告警');
    expect(await refusal.innerText()).not.toMatch(/[A-Za-z]/);
    // What the server said, folded under the page's own words.
    await refusal.getByTestId('server-said').locator('summary').click();
    expect(await refusal.innerText()).toMatch(/服务器答复\s+\S+/);
    expect(await refusal.innerText()).toContain('the wall role may not acknowledge');
    expect(await card.getByTestId('alert-status').innerText()).toBe('告警中 · 待确认');
    await page.screenshot({ path: `${RESULTS}/street-page-refused-390.png`, fullPage: true });
    await page.close();
  });
});
