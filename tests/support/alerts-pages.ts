/**
 * What the browser tests of alerts share: a server running the city simulator, with a street head's
 * subscription whose notifications reach the street page over the socket, a browser, robberies to
 * raise alerts with (a zero-tolerance category: they fire at once), a phone to open pages on, and
 * the signed links of notifications.
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { AlertView } from '../../shared/api.js';
import { launchBrowser } from './browser.js';
import { databaseTargets } from './databases.js';
import { feedItem } from './feed-items.js';
import { startTestServer, type TestServer } from './server.js';
import { DISPLAY_DIR, ensureBuilt, json, RESULTS } from './wall-page.js';

export const PHONE = { width: 390, height: 844 };

/** A street head's phone is in the city: its clock reads the city's time. */
export async function openPhone(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: PHONE, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
  await page.goto(url);
  return page;
}

/**
 * Whether an element shows all its text: not clamped to fewer lines (a clamped line would stick out
 * a whole line, 18 px or more; glyphs overhang their line box by a pixel or two), not cut at its side.
 */
export const whole = (element: Locator) =>
  element.evaluate((e) => e.scrollHeight <= e.clientHeight + 6 && e.scrollWidth <= e.clientWidth + 1);

/** The server, browser and helpers of one test file; set once its `beforeAll` has run. */
export class AlertsPages {
  server!: TestServer;
  browser!: Browser;
  /** The street head's subscription: its notifications reach the street page over the socket. */
  subscriptionId!: number;
  private serial = 0;

  /** Pushes a robbery in a street and answers its alert once it fires. */
  async robbery(street = 'jinfang', community = '金方社区'): Promise<AlertView> {
    const now = this.server.clock();
    const event = `alert-test-${now.getTime()}-${++this.serial}`;
    const pushed = await this.server.api(
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
          const open = (await (await this.server.api('/api/alerts?state=open')).json()) as {
            alerts: AlertView[];
          };
          found = open.alerts.find((alert) => alert.event === event);
          return found?.status;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe('firing');
    return found!;
  }

  /** The path and query of a signed link (the server names itself localhost; the test talks to 127.0.0.1). */
  ackPath(alert: AlertView, at = this.server.clock()): string {
    const url = new URL(this.server.ctx.ackLinks.url(alert.id, this.subscriptionId, at));
    return `${url.pathname}${url.search}`;
  }
}

/** Starts the server and the browser for the calling file, and stops them after it. */
export function useAlertsPages(): AlertsPages {
  const pages = new AlertsPages();
  beforeAll(async () => {
    ensureBuilt();
    [pages.server, pages.browser] = await Promise.all([
      startTestServer({ target: databaseTargets[0]!, seed: true, simulator: true, displayDir: DISPLAY_DIR }),
      launchBrowser(),
    ]);
    await pages.server.warmedUp;
    await mkdir(RESULTS, { recursive: true });
    const created = await pages.server.api(
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
    pages.subscriptionId = ((await created.json()) as { id: number }).id;
    // The simulator's month of backfill holds robberies and fires of the last day: the duty officer
    // has handled them, so each test's new alert is the one firing on top of the list.
    const firing = (await (await pages.server.api('/api/alerts?state=firing')).json()) as {
      alerts: AlertView[];
    };
    for (const alert of firing.alerts) {
      const acked = await pages.server.api(
        `/api/alerts/${encodeURIComponent(alert.id)}/ack`,
        json({ comment: '已核实，辖区派出所跟进' }),
      );
      expect(acked.status).toBe(200);
    }
  });
  afterAll(async () => {
    await pages.browser?.close();
    await pages.server?.stop();
  });
  return pages;
}
