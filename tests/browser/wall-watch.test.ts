/**
 * The wall watch in Chromium: a wall whose page is closed goes dark and one notification reaches a
 * subscribed webhook; a wall whose JavaScript is paused (CDP `Debugger.pause`) goes frozen — its
 * watchdog worker beats in its stead — and resuming it resolves the alert; the alert shows on
 * another wall's panel, naming the screen and where it hangs; and a new server version makes an
 * open wall reload by itself. A short `wallDown.minutes` (6 s) stands in for the product's five.
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../server/alerts/channels/channel.js';
import type { AlertView } from '../../shared/api.js';
import type { CityConfig } from '../../shared/city.js';
import { brokenText, launchBrowser, requireBrowser } from '../support/browser.js';
import { runningClock } from '../support/clock.js';
import { databaseTargets } from '../support/databases.js';
import { startHttpReceiver, type HttpReceiver } from '../support/receivers.js';
import { startTestServer, testCity, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import { DISPLAY_DIR, ensureBuilt, freePort, json, open, RESULTS, untilLive } from '../support/wall-page.js';

const available = requireBrowser('the wall watch');

const MAIN = {
  name: 'command-main',
  location: { zh: '市指挥中心主屏', en: 'City command centre, main wall' },
};

async function watchedCity(): Promise<CityConfig> {
  const city = await testCity();
  city.screens.walls = [MAIN];
  // 6 s: heartbeats every 1.2 s, the watchdog steps in after 2.4 s of silence.
  city.alerts.wallDown = { enabled: true, minutes: 0.1 };
  return city;
}

describe.skipIf(!available)('the wall watch', () => {
  let browser: Browser;
  let server: TestServer;
  let receiver: HttpReceiver;

  beforeAll(async () => {
    ensureBuilt();
    await mkdir(RESULTS, { recursive: true });
    browser = await launchBrowser();
    receiver = await startHttpReceiver();
    server = await startTestServer({
      target: databaseTargets[0]!,
      city: await watchedCity(),
      displayDir: DISPLAY_DIR,
    });
    const subscribed = await server.api(
      '/api/subscriptions',
      json({
        name: '运维值班',
        kind: 'group',
        audiences: ['operators'],
        rules: ['wallDown'],
        channels: [
          { kind: 'webhook', config: { url: `${receiver.origin}/hook`, secret: 'wall-watch-secret-0123' } },
        ],
      }),
    );
    expect(subscribed.status).toBe(201);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.stop();
  });

  const wallUrl = (screen: string, lang = 'en') =>
    `${server.baseUrl}/?token=${server.wallToken}&screen=${screen}&lang=${lang}`;
  const screenState = async () => {
    const health = await (await server.api('/api/health', { token: null })).json();
    return health.screens.find((s: { screen: string }) => s.screen === MAIN.name) as {
      state: string;
      reason: string | null;
    };
  };
  /** Evaluates the rules (the evaluator's timer is a job, off in tests) until the main wall's alert is as asked. */
  const untilAlert = (what: string, matches: (alert: AlertView | null) => boolean) =>
    until(
      async () => {
        await server.ctx.alerts.evaluate();
        const { alerts } = (await (await server.api('/api/alerts?rule=wallDown&state=all')).json()) as {
          alerts: AlertView[];
        };
        const newest = alerts.find((alert) => alert.screen === MAIN.name) ?? null;
        return matches(newest) && newest;
      },
      what,
      45_000,
    );
  const notified = (alert: AlertView) =>
    receiver.requests
      .map((request) => JSON.parse(request.body) as Notification)
      .filter((n) => n.alertId === alert.id);

  it('a paused page is frozen, beating from its watchdog, and resuming it resolves the alert', async () => {
    const page = await open(browser, wallUrl(MAIN.name));
    await untilLive(page);
    await until(async () => (await screenState()).state === 'ok', 'the main wall beating');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    try {
      const frozen = await untilAlert('the main wall frozen', (alert) => alert?.status === 'firing');
      expect(frozen.detail).toMatchObject({ rule: 'wallDown', state: 'frozen', reason: 'paint' });
      expect(frozen.text.en.title).toMatch(
        /^Screen command-main \(City command centre, main wall\) frozen for/,
      );
      expect(await screenState()).toMatchObject({ state: 'frozen', reason: 'paint' });
      await cdp.send('Debugger.resume');
      const resolved = await untilAlert(
        'the main wall back',
        (alert) => alert?.id === frozen.id && alert.status === 'resolved',
      );
      expect(resolved.status).toBe('resolved');
      expect(await screenState()).toMatchObject({ state: 'ok' });
      await until(
        () =>
          notified(frozen)
            .map((n) => n.kind)
            .join(',') === 'fire,resolve',
        'the frozen wall’s notification and its resolution',
      );
    } finally {
      await cdp.send('Debugger.resume').catch(() => {});
      await page.close();
    }
  }, 120_000);

  it('a closed page goes dark: one notification reaches the webhook, and another wall shows it', async () => {
    const main = await open(browser, wallUrl(MAIN.name));
    await untilLive(main);
    await until(async () => (await screenState()).state === 'ok', 'the main wall beating');
    const ops = await open(browser, wallUrl('ops-room', 'zh'));
    await untilLive(ops);
    await main.close();
    const dark = await untilAlert(
      'the main wall dark',
      (alert) =>
        alert?.status === 'firing' && alert.detail.rule === 'wallDown' && alert.detail.state === 'dark',
    );
    expect(await screenState()).toMatchObject({ state: 'dark' });
    const row = ops.locator(`[data-testid="alerts-panel"] [data-alert="${dark.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-rule')).toBe('wallDown');
    expect(await row.getByTestId('alert-place').innerText()).toBe('大屏');
    expect(await row.getByTestId('alert-title').innerText()).toMatch(/^command-main（市指挥中心主屏）已离线/);
    expect(await row.getByTestId('alert-why').innerText()).toMatch(/^最后心跳: /);
    expect(await brokenText(ops)).toEqual([]);
    await ops.screenshot({ path: `${RESULTS}/wall-watch-dark.png`, animations: 'disabled' });
    // Evaluated again and again while dark: told once.
    await untilAlert('the main wall still dark', (alert) => alert?.id === dark.id);
    const fired = await until(() => {
      const fires = notified(dark).filter((n) => n.kind === 'fire');
      return fires.length > 0 && fires;
    }, 'the dark wall’s notification');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.title.zh).toContain('command-main（市指挥中心主屏）');
    await ops.close();
  }, 120_000);
});

describe.skipIf(!available)('a deploy', () => {
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('makes an open wall reload by itself when the server comes back with a new version', async () => {
    const target = databaseTargets[0]!;
    const database = await target.create({ persistent: true });
    const port = await freePort();
    const clock = runningClock();
    const start = (version: string) =>
      startTestServer({ target, database, port, clock, displayDir: DISPLAY_DIR, version });
    let server: TestServer | null = await start('0.1.0');
    try {
      const page: Page = await open(browser, `${server.baseUrl}/?token=${server.wallToken}&screen=lobby`);
      await untilLive(page);
      // Gone with a reload, and only with one.
      await page.evaluate(() => ((window as unknown as { loadedBefore: boolean }).loadedBefore = true));
      await server.stop();
      server = null;
      server = await start('0.1.1');
      await page.waitForFunction(
        () => !(window as unknown as { loadedBefore?: boolean }).loadedBefore,
        null,
        {
          timeout: 60_000,
        },
      );
      await untilLive(page);
      expect(
        await page.evaluate(() => JSON.parse(sessionStorage.getItem('pingan-wall:reload') ?? 'null')?.reason),
      ).toBe('build');
      // The new server's version is the one it now runs with: no second reload.
      await page.evaluate(() => ((window as unknown as { loadedBefore: boolean }).loadedBefore = true));
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      expect(await page.evaluate(() => (window as unknown as { loadedBefore?: boolean }).loadedBefore)).toBe(
        true,
      );
      await page.close();
    } finally {
      await server?.stop();
      await database.drop();
    }
  }, 150_000);
});
