/**
 * The wall's alerts panel in Chromium, against a real server running the city simulator: an alert
 * flashes, sounds and can be muted; acknowledgements (through the API, or the signed link of a
 * notification on a phone) show who and why; what does not fit is counted. The phone pages are in
 * phone-pages.test.ts. Needs the built display: `npm run build:display`. Screenshots go to test-results/.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/api.js';
import { openPhone, PHONE, useAlertsPages, whole } from '../support/alerts-pages.js';
import { brokenText, launchBrowser, requireBrowser } from '../support/browser.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer } from '../support/server.js';
import {
  DISPLAY_DIR,
  ensureBuilt,
  FULL_HD,
  json,
  open,
  PANELS,
  panelOverflow,
  RESULTS,
  untilLive,
} from '../support/wall-page.js';

const available = requireBrowser('the alerts panel');

/** Counts the chimes the page plays: each is two oscillators (display/src/lib/chime.ts). */
const COUNT_TONES = () => {
  const counted = window as unknown as { tones: number };
  counted.tones = 0;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    counted.tones += 1;
    return create.call(this);
  };
};
const chimes = async (page: Page) =>
  (await page.evaluate(() => (window as unknown as { tones: number }).tones)) / 2;

/** The CSS animation of a row's flashing overlay ("none" when it does not flash). */
const animation = (row: Locator) =>
  row.evaluate((element) => getComputedStyle(element, '::before').animationName);
/** Svelte scopes a component's keyframes: `flash` is named `svelte-<hash>-flash` on the page. */
const FLASH = /-flash$/;

/**
 * The properties of every running animation that are neither opacity nor transform: those the
 * browser repaints on every frame, for as long as the animation runs.
 */
const repaintingAnimations = (page: Page) =>
  page.evaluate(() =>
    document
      .getAnimations()
      .filter((running) => running.playState === 'running')
      .flatMap((running) =>
        (running.effect as KeyframeEffect)
          .getKeyframes()
          .flatMap((frame) => Object.keys(frame))
          .filter(
            (key) =>
              !['offset', 'computedOffset', 'easing', 'composite', 'opacity', 'transform'].includes(key),
          )
          .map((key) => `${(running as CSSAnimation).animationName ?? 'animation'}: ${key}`),
      ),
  );

describe.skipIf(!available)('alerts on the wall', () => {
  const t = useAlertsPages();

  async function openWall(query = ''): Promise<Page> {
    const page = await t.browser.newPage({ viewport: FULL_HD });
    await page.addInitScript(COUNT_TONES);
    await page.goto(`${t.server.baseUrl}/?token=${t.server.wallToken}${query}`);
    await untilLive(page);
    return page;
  }

  const row = (page: Page, alert: AlertView) =>
    page.locator(`[data-testid="alerts-panel"] [data-alert="${alert.id}"]`);

  let first: AlertView;
  let second: AlertView;

  it('shows a robbery in the alerts panel: critical, flashing, its street, what and why', async () => {
    const page = await openWall('&sound=on');
    expect(await page.getByTestId('alerts-sound').count()).toBe(1);
    first = await t.robbery();
    const shown = row(page, first);
    await shown.waitFor({ timeout: 15_000 });
    expect(await shown.getAttribute('data-severity')).toBe('critical');
    expect(await shown.getAttribute('data-flashing')).toBe('true');
    expect(await animation(shown)).toMatch(FLASH);
    // It flashes on the compositor: nothing the page repaints frame after frame.
    expect(await repaintingAnimations(page)).toEqual([]);
    expect(await shown.getByTestId('alert-place').innerText()).toBe('金方');
    expect(await shown.getByTestId('alert-title').innerText()).toBe('发生抢劫警情');
    expect(await shown.getByTestId('alert-why').innerText()).toMatch(/^类别: 抢劫 · 社区: 金方社区 · 时间: /);
    expect(await shown.innerText()).toMatch(/严重/);
    expect(await shown.innerText()).toMatch(/\d+ (秒|分钟)前/);
    // The newest firing alert is first; the ones handled before show who handled them.
    const rows = page.locator('[data-testid="alerts-panel"] li[data-status]');
    expect(await rows.first().getAttribute('data-alert')).toBe(first.id);
    expect(await rows.nth(1).getAttribute('data-status')).toBe('acknowledged');
    expect(await rows.nth(1).getByTestId('alert-ack').innerText()).toContain('已核实，辖区派出所跟进');
    await expect.poll(() => chimes(page)).toBe(1);
    expect(await brokenText(page)).toEqual([]);
    expect(await panelOverflow(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 0])));
    await page.screenshot({ path: `${RESULTS}/wall-alerts-1920.png`, animations: 'disabled' });
    await page.close();
  });

  it('mutes the flashing and the sound of the alerts present, across a reload; a new alert flashes and sounds', async () => {
    const page = await openWall('&sound=on');
    const mute = page.getByTestId('alerts-mute');
    expect(await mute.innerText()).toBe('静音 10 分钟');
    await mute.click();
    await expect.poll(() => row(page, first).getAttribute('data-flashing')).toBe('false');
    expect(await animation(row(page, first))).toBe('none');
    expect(await mute.getAttribute('aria-pressed')).toBe('true');
    expect(await mute.innerText()).toBe('已静音 · 剩 10 分钟');
    // The wall restarts (a kiosk reloads): still muted.
    await page.reload();
    await untilLive(page);
    await row(page, first).waitFor();
    expect(await row(page, first).getAttribute('data-flashing')).toBe('false');
    expect(await page.getByTestId('alerts-mute').getAttribute('aria-pressed')).toBe('true');
    second = await t.robbery();
    await row(page, second).waitFor({ timeout: 15_000 });
    expect(await row(page, second).getAttribute('data-flashing')).toBe('true');
    expect(await animation(row(page, second))).toMatch(FLASH);
    expect(await row(page, first).getAttribute('data-flashing')).toBe('false');
    await expect.poll(() => chimes(page)).toBe(1);
    await page.close();
  });

  it('shows ✓, who and the comment on the wall when an alert is acknowledged through the API', async () => {
    const page = await openWall();
    const comment = '已派民警到场处置，嫌疑人已控制，现场秩序恢复正常，后续由金方派出所跟进调查';
    const acked = await t.server.api(`/api/alerts/${encodeURIComponent(first.id)}/ack`, json({ comment }));
    expect(acked.status).toBe(200);
    const { alert } = (await acked.json()) as { alert: AlertView };
    const shown = row(page, first);
    await expect.poll(() => shown.getAttribute('data-status'), { timeout: 15_000 }).toBe('acknowledged');
    const ack = await shown.getByTestId('alert-ack').innerText();
    expect(ack).toMatch(/^✓\s+/);
    expect(ack).toContain(alert.acknowledgement!.by);
    expect(ack).toMatch(/\d\d:\d\d/);
    expect(ack).toContain(comment);
    // Who and the comment wrap onto a second line rather than being cut off.
    const line = shown.getByTestId('alert-ack');
    expect(await whole(line)).toBe(true);
    expect(await line.evaluate((e) => e.getClientRects()[0]!.height)).toBeGreaterThan(30);
    expect(await shown.getAttribute('data-flashing')).toBe('false');
    // Once is enough: a second acknowledgement is refused.
    const again = await t.server.api(
      `/api/alerts/${encodeURIComponent(first.id)}/ack`,
      json({ comment: '再次' }),
    );
    expect(again.status).toBe(409);
    await page.close();
  });

  it('acknowledges through the signed link of a notification on a phone, and the wall shows it', async () => {
    const alert = await t.robbery();
    const wall = await openWall();
    await row(wall, alert).waitFor();
    const page = await openPhone(t.browser, `${t.server.baseUrl}${t.ackPath(alert)}`);
    const form = page.getByTestId('ack-form');
    await form.waitFor();
    expect(await page.getByTestId('alert-title').innerText()).toBe('金方街道发生抢劫警情');
    expect(await page.getByTestId('alert-body').innerText()).toMatch(/类别: 抢劫\s+社区: 金方社区\s+时间: /);
    expect(await page.getByTestId('alert-status').innerText()).toBe('告警中 · 待确认');
    // A comment is required, and counted.
    const confirm = page.getByTestId('ack-confirm');
    await confirm.click();
    expect(await page.getByTestId('ack-problem').innerText()).toBe('请填写处置情况后再确认');
    await page.getByRole('textbox').fill('金方派出所已出警，现场处置中');
    expect(await page.getByTestId('ack-counter').innerText()).toBe('14/500');
    // Phone-first: nothing wider than the screen, a button a thumb can hit.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect((await confirm.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    expect(await brokenText(page)).toEqual([]);
    await page.screenshot({ path: `${RESULTS}/ack-page-390.png`, fullPage: true });
    await confirm.click();
    const success = page.getByTestId('ack-success');
    await success.waitFor();
    expect(await success.innerText()).toContain('告警已确认');
    const ack = await page.getByTestId('alert-ack').innerText();
    expect(ack).toContain('金方街道负责人');
    expect(ack).toContain('金方派出所已出警，现场处置中');
    expect(await page.getByTestId('alert-status').innerText()).toBe('已确认');
    await page.screenshot({ path: `${RESULTS}/ack-page-confirmed-390.png`, fullPage: true });
    // The wall shows it within a tick.
    await expect
      .poll(() => row(wall, alert).getAttribute('data-status'), { timeout: 15_000 })
      .toBe('acknowledged');
    expect(await row(wall, alert).getByTestId('alert-ack').innerText()).toContain('金方派出所已出警');
    // The link again: nothing left to do, and said so, in English when asked.
    await page.goto(`${t.server.baseUrl}${t.ackPath(alert)}&lang=en`);
    const state = page.getByTestId('ack-state');
    await state.waitFor();
    expect(await state.getAttribute('data-code')).toBe('acknowledged');
    expect(await state.innerText()).toContain('Already acknowledged');
    expect(await page.locator('h1').innerText()).toBe('Acknowledge alert');
    expect(await page.getByTestId('ack-form').count()).toBe(0);
    await page.close();
    await wall.close();
  });

  it('lists as many alerts as fit and says how many more, nothing cut off, in both languages', async () => {
    for (const [street, community] of [
      ['lianran', '宁湖社区'],
      ['caopu', '草铺社区'],
      ['taiping', '太平社区'],
    ] as const)
      await t.robbery(street, community);
    for (const lang of ['', '&lang=en']) {
      const page = await openWall(lang);
      const more = page.getByTestId('alerts-more');
      await more.waitFor();
      const total = Number(await page.locator('[data-testid="alerts-panel"] ul').getAttribute('data-total'));
      // The badge counts what still needs someone: the firing alerts.
      const firing = (await (await t.server.api('/api/alerts?state=firing')).json()) as {
        alerts: AlertView[];
      };
      expect(await page.getByTestId('alert-count').innerText()).toBe(String(firing.alerts.length));
      const listed = await page.locator('[data-testid="alerts-panel"] li[data-alert]').count();
      expect(await more.innerText()).toContain(String(total - listed));
      expect(await brokenText(page)).toEqual([]);
      expect(await panelOverflow(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 0])));
      // Titles show whole (a long one wraps onto a second line); every line stays inside its row.
      for (const text of await page
        .locator(
          '[data-testid="alerts-panel"] :is([data-testid="alert-title"], [data-testid="alert-why"], [data-testid="alert-ack"])',
        )
        .all()) {
        if ((await text.getAttribute('data-testid')) === 'alert-title')
          expect(await whole(text), await text.innerText()).toBe(true);
        const box = await text.evaluate((element) => ({
          right: element.getBoundingClientRect().right,
          bottom: element.getBoundingClientRect().bottom,
          row: element.closest('li')!.getBoundingClientRect(),
        }));
        expect(box.right).toBeLessThanOrEqual(box.row.right);
        expect(box.bottom).toBeLessThanOrEqual(box.row.bottom);
      }
      // In English the row names the street; the title does not say it again.
      if (lang)
        expect(
          await page.locator('[data-testid="alerts-panel"] [data-testid="alert-title"]').allInnerTexts(),
        ).toContain('Robbery reported');
      await page.screenshot({
        path: `${RESULTS}/wall-alerts-more-1920${lang ? '-en' : ''}.png`,
        animations: 'disabled',
      });
      await page.close();
    }
  });
});

describe.skipIf(!available)('a wall without alerts', () => {
  it('says so instead of leaving the panel blank', async () => {
    ensureBuilt();
    const [server, browser] = await Promise.all([
      startTestServer({ target: databaseTargets[0]!, seed: true, displayDir: DISPLAY_DIR }),
      launchBrowser(),
    ]);
    try {
      await server.warmedUp;
      const page = await open(browser, `${server.baseUrl}/?token=${server.wallToken}`);
      await untilLive(page);
      const panel = page.getByTestId('alerts-panel');
      expect(await panel.getByTestId('no-alerts').innerText()).toContain('无告警');
      expect(await panel.getByTestId('alerts-mute').count()).toBe(0);
      expect(await panelOverflow(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 0])));
      await page.screenshot({ path: `${RESULTS}/wall-no-alerts-1920.png`, animations: 'disabled' });
      await page.close();
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});
