/**
 * Alerts as people see them, in Chromium against a real server running the city simulator: the
 * wall's alerts panel (flash, mute, sound, acknowledgements), the page a notification's signed link
 * opens on a phone, and the street page acknowledging over the live channel. Needs the built
 * display: `npm run build:display`. Screenshots go to test-results/.
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/api.js';
import { brokenText, launchBrowser, requireBrowser } from '../support/browser.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, type TestServer } from '../support/server.js';
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

const available = requireBrowser('the alerts');

const PHONE = { width: 390, height: 844 };
/** A street head's phone is in the city: its clock reads the city's time. */
const openPhone = async (browser: Browser, url: string): Promise<Page> => {
  const page = await browser.newPage({ viewport: PHONE, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
  await page.goto(url);
  return page;
};

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

/**
 * Whether an element shows all its text: not clamped to fewer lines (a clamped line would stick out
 * a whole line, 18 px or more; glyphs overhang their line box by a pixel or two), not cut at its side.
 */
const whole = (element: Locator) =>
  element.evaluate((e) => e.scrollHeight <= e.clientHeight + 6 && e.scrollWidth <= e.clientWidth + 1);

/** The CSS animation a row runs ("none" when it does not flash). */
const animation = (row: Locator) => row.evaluate((element) => getComputedStyle(element).animationName);

describe.skipIf(!available)('alerts on the wall, the acknowledgement page and the street page', () => {
  let server: TestServer;
  let browser: Browser;
  /** The street head's subscription: its notifications reach the street page over the socket. */
  let subscriptionId: number;
  let serial = 0;

  beforeAll(async () => {
    ensureBuilt();
    [server, browser] = await Promise.all([
      startTestServer({
        target: databaseTargets[0]!,
        seed: true,
        simulator: true,
        displayDir: DISPLAY_DIR,
      }),
      launchBrowser(),
    ]);
    await server.warmedUp;
    await mkdir(RESULTS, { recursive: true });
    const created = await server.api(
      '/api/subscriptions',
      json({
        name: '金方街道负责人',
        kind: 'group',
        audiences: ['street'],
        streets: ['jinfang'],
        channels: [{ kind: 'socket', config: {} }],
      }),
    );
    expect(created.status).toBe(201);
    subscriptionId = ((await created.json()) as { id: number }).id;
    // The simulator's month of backfill holds robberies and fires of the last day: the duty officer
    // has handled them, so each test's new alert is the one firing on top of the list.
    const firing = (await (await server.api('/api/alerts?state=firing')).json()) as { alerts: AlertView[] };
    for (const alert of firing.alerts) {
      const acked = await server.api(
        `/api/alerts/${encodeURIComponent(alert.id)}/ack`,
        json({ comment: '已核实，辖区派出所跟进' }),
      );
      expect(acked.status).toBe(200);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openWall(query = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: FULL_HD });
    await page.addInitScript(COUNT_TONES);
    await page.goto(`${server.baseUrl}/?token=${server.wallToken}${query}`);
    await untilLive(page);
    return page;
  }

  /** Pushes a robbery (a zero-tolerance category: it fires at once) and answers its alert. */
  async function robbery(street = 'jinfang', community = '金方社区'): Promise<AlertView> {
    const now = new Date();
    const event = `alert-test-${Date.now()}-${++serial}`;
    const pushed = await server.api(
      '/api/ingest/incident',
      json({
        items: [
          feedItem('incident', now, {
            id: event,
            street,
            community,
            category: 'robbery',
            reportedAt: now.toISOString(),
          }),
        ],
      }),
    );
    expect(pushed.ok).toBe(true);
    let found: AlertView | undefined;
    await expect
      .poll(
        async () => {
          const open = (await (await server.api('/api/alerts?state=open')).json()) as { alerts: AlertView[] };
          found = open.alerts.find((alert) => alert.event === event);
          return found?.status;
        },
        { timeout: 5000, interval: 100 },
      )
      .toBe('firing');
    return found!;
  }

  const row = (page: Page, alert: AlertView) =>
    page.locator(`[data-testid="alerts-panel"] [data-alert="${alert.id}"]`);

  /** The path and query of a signed link (the server names itself localhost; the test talks to 127.0.0.1). */
  const ackPath = (alert: AlertView, sub: number | null, at = new Date()) => {
    const url = new URL(server.ctx.ackLinks!.url(alert.id, sub, at));
    return `${url.pathname}${url.search}`;
  };

  let first: AlertView;
  let second: AlertView;

  it('shows a robbery in the alerts panel within seconds: critical, flashing, its street, what and why', async () => {
    const page = await openWall('&sound=on');
    expect(await page.getByTestId('alerts-sound').count()).toBe(1);
    const started = Date.now();
    first = await robbery();
    const shown = row(page, first);
    await shown.waitFor({ timeout: 5000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await shown.getAttribute('data-severity')).toBe('critical');
    expect(await shown.getAttribute('data-flashing')).toBe('true');
    expect(await animation(shown)).toMatch(/flash-alert/);
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
    second = await robbery();
    await row(page, second).waitFor({ timeout: 5000 });
    expect(await row(page, second).getAttribute('data-flashing')).toBe('true');
    expect(await animation(row(page, second))).toMatch(/flash-alert/);
    expect(await row(page, first).getAttribute('data-flashing')).toBe('false');
    await expect.poll(() => chimes(page)).toBe(1);
    await page.close();
  });

  it('shows ✓, who and the comment on the wall when an alert is acknowledged through the API', async () => {
    const page = await openWall();
    const comment = '已派民警到场处置，嫌疑人已控制，现场秩序恢复正常，后续由金方派出所跟进调查';
    const acked = await server.api(`/api/alerts/${encodeURIComponent(first.id)}/ack`, json({ comment }));
    expect(acked.status).toBe(200);
    const { alert } = (await acked.json()) as { alert: AlertView };
    const shown = row(page, first);
    await expect.poll(() => shown.getAttribute('data-status'), { timeout: 5000 }).toBe('acknowledged');
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
    const again = await server.api(
      `/api/alerts/${encodeURIComponent(first.id)}/ack`,
      json({ comment: '再次' }),
    );
    expect(again.status).toBe(409);
    await page.close();
  });

  it('acknowledges through the signed link of a notification on a phone, and the wall shows it', async () => {
    const alert = await robbery();
    const wall = await openWall();
    await row(wall, alert).waitFor();
    const page = await openPhone(browser, `${server.baseUrl}${ackPath(alert, subscriptionId)}`);
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
      .poll(() => row(wall, alert).getAttribute('data-status'), { timeout: 5000 })
      .toBe('acknowledged');
    expect(await row(wall, alert).getByTestId('alert-ack').innerText()).toContain('金方派出所已出警');
    // The link again: nothing left to do, and said so, in English when asked.
    await page.goto(`${server.baseUrl}${ackPath(alert, subscriptionId)}&lang=en`);
    const state = page.getByTestId('ack-state');
    await state.waitFor();
    expect(await state.getAttribute('data-code')).toBe('acknowledged');
    expect(await state.innerText()).toContain('Already acknowledged');
    expect(await page.locator('h1').innerText()).toBe('Acknowledge alert');
    expect(await page.getByTestId('ack-form').count()).toBe(0);
    await page.close();
    await wall.close();
  });

  it('refuses an expired or tampered link and says why, without showing the alert', async () => {
    const page = await browser.newPage({ viewport: PHONE, timezoneId: 'Asia/Shanghai' });
    const expired = ackPath(second, subscriptionId, new Date(Date.now() - 400 * 86_400_000));
    await page.goto(`${server.baseUrl}${expired}`);
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
    const valid = ackPath(second, subscriptionId);
    const tampered = valid.replace(/sig=([^&])/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect(tampered).not.toBe(valid);
    await page.goto(`${server.baseUrl}${tampered}`);
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('link_invalid');
    expect(await refused.innerText()).toContain('链接无效');
    expect(await refused.innerText()).not.toMatch(/[A-Za-z]/);
    // The alert is still firing: a refused link acknowledged nothing.
    const stored = (await (await server.api(`/api/alerts/${encodeURIComponent(second.id)}`)).json()) as {
      alert: AlertView;
    };
    expect(stored.alert.status).toBe('firing');
    await page.close();
  });

  it('lets a street head acknowledge on the street page over the live channel, with notifications as they come', async () => {
    const token = await server.issue('street', ['jinfang'], '金方街道值班');
    const page = await openPhone(browser, `${server.baseUrl}/street/jinfang?token=${token}`);
    const section = page.getByTestId('street-alerts');
    await section.waitFor();
    const alert = await robbery();
    // The notification, briefly, as the socket channel delivers it.
    const toast = page.locator(`[data-testid="toast"][data-alert="${alert.id}"]`);
    await toast.waitFor({ timeout: 10_000 });
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
    await expect.poll(() => card.getByTestId('alert-status').innerText(), { timeout: 5000 }).toBe('已确认');
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
    const token = await server.issue('street', ['jinfang'], '金方街道负责人');
    for (const lang of ['zh', 'en']) {
      const page = await openPhone(
        browser,
        `${server.baseUrl}/street/jinfang?token=${token}${lang === 'en' ? '&lang=en' : ''}`,
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

  it('covers the whole acknowledgement page with its background, however far a phone scrolls', async () => {
    const page = await browser.newPage({ viewport: { width: PHONE.width, height: 480 } });
    await page.goto(`${server.baseUrl}${ackPath(second, subscriptionId)}&lang=en`);
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
    // A wall token reads every street but acknowledges nothing.
    const page = await openPhone(browser, `${server.baseUrl}/street/jinfang?token=${server.wallToken}`);
    const card = page.locator(`[data-testid="street-alerts"] li[data-alert="${second.id}"]`);
    await card.waitFor();
    await card.getByTestId('ack-open').click();
    await card.getByRole('textbox').fill('大屏不能确认');
    await card.getByTestId('ack-confirm').click();
    const refusal = card.getByTestId('ack-refusal');
    await refusal.waitFor({ timeout: 5000 });
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

  it('lists as many alerts as fit and says how many more, nothing cut off, in both languages', async () => {
    for (const [street, community] of [
      ['lianran', '宁湖社区'],
      ['caopu', '草铺社区'],
      ['taiping', '太平社区'],
    ] as const)
      await robbery(street, community);
    for (const lang of ['', '&lang=en']) {
      const page = await openWall(lang);
      const more = page.getByTestId('alerts-more');
      await more.waitFor();
      const total = Number(await page.locator('[data-testid="alerts-panel"] ul').getAttribute('data-total'));
      // The badge counts what still needs someone: the firing alerts.
      const firing = (await (await server.api('/api/alerts?state=firing')).json()) as { alerts: AlertView[] };
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
