/**
 * The wall's render budget in Chromium: a delta re-renders only the panels whose data it carries.
 * An acknowledgement changes the alerts panel and nothing else — no other panel's DOM is touched
 * and the heat map's canvas is not redrawn — and a burst of incidents is drawn at most once per
 * picture, in fewer pictures than incidents, while the panels the incidents do not concern stay
 * as they were. Timings are `npm run bench`'s; this counts what is done. Needs the built display.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/api.js';
import { launchBrowser, requireBrowser } from '../support/browser.js';
import { databaseTargets } from '../support/databases.js';
import { feedItem } from '../support/feed-items.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import { DISPLAY_DIR, ensureBuilt, json, untilLive } from '../support/wall-page.js';

const available = requireBrowser('the render budget');

/** The panels an acknowledgement does not concern. */
const BESIDES_ALERTS = [
  'city-panel',
  'ranking-panel',
  'map-panel',
  'heatmap-panel',
  'ticker-panel',
  'fraud-panel',
  'mediation-panel',
  'windows-panel',
];
/** The panels incidents do not concern. */
const BESIDES_INCIDENTS = ['fraud-panel', 'mediation-panel', 'windows-panel'];

interface Counts {
  /** Times the heat map's canvas was cleared to be drawn again, since the page loaded. */
  heatmapDraws: number;
  /** Pictures: times the wall's `data-seq` changed since `watch` began. */
  pictures: number;
  /** DOM mutations in each watched panel since `watch` began. */
  mutations: Record<string, number>;
}

type Counted = Window & {
  heatmapDraws: number;
  pictures: number;
  mutations: Record<string, number>;
  observers?: MutationObserver[];
};

/** Before the page's scripts: counts each clear of the heat map's canvas (one per draw). */
const COUNT_DRAWS = () => {
  const counted = window as unknown as Counted;
  counted.heatmapDraws = 0;
  const clear = CanvasRenderingContext2D.prototype.clearRect;
  CanvasRenderingContext2D.prototype.clearRect = function (this: CanvasRenderingContext2D, ...args) {
    if (this.canvas.dataset.testid === 'heatmap-canvas') counted.heatmapDraws += 1;
    clear.apply(this, args);
  };
};

/** From now on, counts the wall's pictures and every mutation inside the panels named. */
const watch = (page: Page, panels: string[]) =>
  page.evaluate((ids) => {
    const counted = window as unknown as Counted;
    for (const earlier of counted.observers ?? []) earlier.disconnect();
    counted.observers = [];
    counted.pictures = 0;
    counted.mutations = Object.fromEntries(ids.map((id) => [id, 0]));
    const observer = (count: (records: MutationRecord[]) => void) => {
      const made = new MutationObserver(count);
      counted.observers = [...(counted.observers ?? []), made];
      return made;
    };
    const wall = document.querySelector('[data-testid="wall"]')!;
    observer(() => (counted.pictures += 1)).observe(wall, { attributeFilter: ['data-seq'] });
    for (const id of ids) {
      const panel = document.querySelector(`[data-testid="${id}"]`)!;
      observer((records) => (counted.mutations[id]! += records.length)).observe(panel, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
    }
  }, panels);

const counts = (page: Page): Promise<Counts> =>
  page.evaluate(() => {
    const { heatmapDraws, pictures, mutations } = window as unknown as Counted;
    return { heatmapDraws, pictures, mutations: { ...mutations } };
  });

const seqOf = async (page: Page) => Number(await page.getByTestId('wall').getAttribute('data-seq'));

/** Waits until the wall has shown no new picture for `quietMs`. */
async function untilSettled(page: Page, quietMs = 1500): Promise<void> {
  let seq = await seqOf(page);
  let since = Date.now();
  await until(
    async () => {
      const now = await seqOf(page);
      if (now !== seq) [seq, since] = [now, Date.now()];
      return Date.now() - since >= quietMs;
    },
    'the wall to settle',
    60_000,
  );
}

describe.skipIf(!available)('the render budget', () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;

  beforeAll(async () => {
    ensureBuilt();
    browser = await launchBrowser();
    // The simulator's month of backfill, and then only what the test pushes.
    server = await startTestServer({
      target: databaseTargets[0]!,
      simulator: true,
      simulatorTicks: false,
      displayDir: DISPLAY_DIR,
    });
    await server.warmedUp;
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(COUNT_DRAWS);
    await page.goto(`${server.baseUrl}/?token=${server.wallToken}`);
    await page.getByTestId('heatmap-canvas').waitFor();
  });
  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await server?.stop();
  });

  it('an acknowledgement re-renders the alerts panel only: no other panel changes, the heat map is not redrawn', async () => {
    await untilLive(page);
    await untilSettled(page);
    const firing = (await (await server.api('/api/alerts?state=firing')).json()) as { alerts: AlertView[] };
    const alert = firing.alerts[0];
    expect(alert, 'the backfill leaves a firing alert to acknowledge').toBeDefined();
    const shown = page.locator(`[data-testid="alerts-panel"] [data-alert="${alert!.id}"]`);
    await shown.waitFor();
    await watch(page, BESIDES_ALERTS);
    const before = await counts(page);

    const acked = await server.api(
      `/api/alerts/${encodeURIComponent(alert!.id)}/ack`,
      json({ comment: '已核实' }),
    );
    expect(acked.status).toBe(200);
    await expect.poll(() => shown.getAttribute('data-status'), { timeout: 15_000 }).toBe('acknowledged');
    // Room for any late redraw to show, freshness deltas included.
    await page.waitForTimeout(2000);

    const after = await counts(page);
    expect(after.pictures).toBeGreaterThan(0);
    expect(after.mutations).toEqual(Object.fromEntries(BESIDES_ALERTS.map((id) => [id, 0])));
    expect(after.heatmapDraws).toBe(before.heatmapDraws);
  });

  it('a burst of 40 incidents is drawn in fewer pictures than incidents, the heat map at most once each', async () => {
    await untilSettled(page);
    await watch(page, BESIDES_INCIDENTS);
    const before = await counts(page);
    const startSeq = await seqOf(page);

    // Forty thefts in about two seconds, one request each, as a busy feed would send them.
    for (let n = 0; n < 40; n += 1) {
      const pushed = await server.api(
        '/api/ingest/incident',
        json({ items: [feedItem('incident', server.clock(), { id: `render-burst-${n}` })] }),
      );
      expect(pushed.ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await until(async () => (await seqOf(page)) > startSeq, 'a delta of the burst', 60_000);
    await untilSettled(page);

    const after = await counts(page);
    expect(await seqOf(page)).toBeGreaterThan(startSeq);
    expect(after.pictures).toBeGreaterThan(0);
    expect(after.pictures).toBeLessThan(40);
    expect(after.heatmapDraws - before.heatmapDraws).toBeGreaterThan(0);
    expect(after.heatmapDraws - before.heatmapDraws).toBeLessThanOrEqual(after.pictures);
    expect(after.mutations).toEqual(Object.fromEntries(BESIDES_INCIDENTS.map((id) => [id, 0])));
  });
});
