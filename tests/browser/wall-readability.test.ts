/**
 * The wall read from five metres, in Chromium, against a real server running the city simulator:
 * no text on the 1920×1080 canvas is set under 16 px, and — in Chinese and in English — no label is
 * cut (an ellipsis, a clipped box, an SVG label beyond its tile). Needs the built display:
 * `npm run build:display`. Screenshots go to test-results/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../shared/api.js';
import { brokenText, requireBrowser } from '../support/browser.js';
import { runningClock, WORKING_MORNING } from '../support/clock.js';
import { feedItem } from '../support/feed-items.js';
import type { TestServer } from '../support/server.js';
import { until } from '../support/wait.js';
import {
  FULL_HD,
  json,
  open,
  PANELS,
  panelOverflow,
  RESULTS,
  untilLive,
  startQuietCity,
} from '../support/wall-page.js';

/** The smallest text a duty officer reads from across the room, in pixels of the design canvas. */
const MIN_FONT = 16;

const available = requireBrowser('the wall');

/** A text the wall shows: where it is (its panel and a path to it), what it says, how large it is. */
interface ShownText {
  where: string;
  text: string;
  size: number;
}

/**
 * Every element of the wall that shows text of its own (HTML or SVG), with the size its glyphs are
 * drawn at on the design canvas: the computed font size, times the scale of an SVG's viewBox. (The
 * heat map's canvas paints cells only; its labels are HTML around it.)
 */
function shownTexts(page: Page): Promise<ShownText[]> {
  return page.evaluate(() => {
    const wall = document.querySelector('[data-testid="wall"]')!;
    const where = (element: Element) => {
      const panel = element.closest('section[data-testid], header[data-testid]');
      const own = element.getAttribute('class')?.split(/\s+/)[0];
      return `${panel?.getAttribute('data-testid') ?? '?'} ${element.tagName.toLowerCase()}${own ? `.${own}` : ''}`;
    };
    const shown: { where: string; text: string; size: number }[] = [];
    for (const element of wall.querySelectorAll('*')) {
      const text = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      if (!text) continue;
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      if (style.visibility !== 'visible' || box.width === 0 || box.height === 0) continue;
      let size = parseFloat(style.fontSize);
      if (element instanceof SVGGraphicsElement) {
        const ctm = element.getCTM();
        if (ctm) size *= Math.hypot(ctm.a, ctm.b);
      }
      shown.push({ where: where(element), text, size: Math.round(size * 10) / 10 });
    }
    return shown;
  });
}

/**
 * Every text the wall cuts: a box that hides what sticks out of it (overflow hidden or clip, or an
 * ellipsis) and holds more than it shows along its line (a vertical label along its height), or
 * more lines than it shows when clamped; an SVG label beyond its tile or its drawing.
 */
function cutTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const wall = document.querySelector('[data-testid="wall"]')!;
    const cut: string[] = [];
    const name = (element: Element) =>
      `${element.closest('section[data-testid], header[data-testid]')?.getAttribute('data-testid') ?? '?'} ${element.tagName.toLowerCase()}.${element.getAttribute('class')?.split(/\s+/)[0] ?? ''}`;
    for (const element of wall.querySelectorAll('*')) {
      if (!(element instanceof HTMLElement) || !element.innerText?.trim()) continue;
      // A panel is a box too, but what sticks out of it is panelOverflow's to find. An alert's why
      // is a summary of its body on one line, trailing off where the row ends (alerts.ts whyLine):
      // the whole of it is on the street page and in the notification.
      if (element.matches('section.panel, [data-testid="alert-why"]')) continue;
      const style = getComputedStyle(element);
      const hides = (overflow: string) => overflow === 'hidden' || overflow === 'clip';
      const ellipsis = style.textOverflow === 'ellipsis';
      const clamped = style.webkitLineClamp !== 'none' && style.webkitLineClamp !== '';
      if (!hides(style.overflowX) && !hides(style.overflowY) && !ellipsis && !clamped) continue;
      if (element.clientWidth === 0 || element.clientHeight === 0) continue;
      const vertical = style.writingMode.startsWith('vertical');
      // Along the line: a pixel of slack for rounding. Across lines (a clamp): glyphs overhang
      // their line box by a pixel or two, a hidden line is a whole line.
      const alongCut = vertical
        ? element.scrollHeight > element.clientHeight + 1
        : element.scrollWidth > element.clientWidth + 1;
      const acrossCut = vertical
        ? element.scrollWidth > element.clientWidth + 6
        : element.scrollHeight > element.clientHeight + 6;
      if (alongCut || ((clamped || hides(style.overflowY)) && acrossCut))
        cut.push(
          `${name(element)} "${element.innerText.trim().replace(/\s+/g, ' ').slice(0, 60)}": ` +
            `${element.scrollWidth}×${element.scrollHeight} in ${element.clientWidth}×${element.clientHeight}`,
        );
    }
    for (const text of wall.querySelectorAll('svg text')) {
      if (!(text instanceof SVGTextElement) || !text.textContent?.trim()) continue;
      const box = text.getBoundingClientRect();
      const tile = text.parentElement?.querySelector(':scope > rect');
      const frame = (tile ?? text.ownerSVGElement)!.getBoundingClientRect();
      if (
        box.left < frame.left - 1 ||
        box.right > frame.right + 1 ||
        box.top < frame.top - 1 ||
        box.bottom > frame.bottom + 1
      )
        cut.push(
          `${name(text)} "${text.textContent.trim()}": ${Math.round(box.width)}×${Math.round(box.height)} ` +
            `beyond ${Math.round(frame.width)}×${Math.round(frame.height)}`,
        );
    }
    return cut;
  });
}

describe.skipIf(!available)('the wall from five metres', () => {
  let server: TestServer;
  let browser: Browser;
  const clock = runningClock(WORKING_MORNING);

  beforeAll(async () => {
    [server, browser] = await startQuietCity(clock);
    // An acknowledged alert beside the firing ones: its who-and-why line is text too.
    const firing = (await (await server.api('/api/alerts?state=firing')).json()) as { alerts: AlertView[] };
    if (firing.alerts[0]) {
      const acked = await server.api(
        `/api/alerts/${encodeURIComponent(firing.alerts[0].id)}/ack`,
        json({ comment: '已核实，辖区派出所跟进处置' }),
      );
      expect(acked.status).toBe(200);
    }
    // And a robbery in the street with the longest name, whose alert names it in the tightest box.
    const now = clock();
    const pushed = await server.api(
      '/api/ingest/incident',
      json({
        items: [
          feedItem('incident', now, {
            id: 'readability-robbery',
            street: 'taiping',
            community: '太平社区',
            category: 'robbery',
            reportedAt: now.toISOString(),
          }),
        ],
      }),
    );
    expect(pushed.ok).toBe(true);
    await until(async () => {
      const open = (await (await server.api('/api/alerts?state=firing')).json()) as { alerts: AlertView[] };
      return open.alerts.some((alert) => alert.event === 'readability-robbery');
    }, "the robbery's alert");
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The wall, live, with every panel holding what it holds on a working morning. */
  async function openWall(lang: 'zh' | 'en'): Promise<Page> {
    const query = lang === 'en' ? '&lang=en' : '';
    const page = await open(browser, `${server.baseUrl}/?token=${server.wallToken}${query}`, FULL_HD);
    await untilLive(page);
    await expect
      .poll(() => page.locator('[data-testid="ticker-panel"] li[data-key]').count())
      .toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="heatmap-panel"] .column').count()).toBe(27);
    await expect.poll(() => page.locator('[data-testid="windows-panel"] tr[data-hall]').count()).toBe(9);
    await expect
      .poll(() => page.locator('[data-testid="alerts-panel"] [data-alert]').count())
      .toBeGreaterThan(0);
    expect(await page.locator('html').getAttribute('lang')).toMatch(lang === 'en' ? /^en/ : /^zh/);
    return page;
  }

  for (const lang of ['zh', 'en'] as const) {
    it(`sets every text at ${MIN_FONT} px or more and cuts none, in ${lang === 'zh' ? 'Chinese' : 'English'}`, async () => {
      const page = await openWall(lang);
      await page.screenshot({ path: `${RESULTS}/wall-readability-${lang}.png`, animations: 'disabled' });
      const texts = await shownTexts(page);
      // The walk finds the wall's texts: every panel's, SVG labels among them.
      expect(texts.length).toBeGreaterThan(150);
      expect(texts.some((text) => text.where.startsWith('map-panel text'))).toBe(true);
      const small = texts
        .filter((text) => text.size < MIN_FONT)
        .map((text) => `${text.where} "${text.text.slice(0, 40)}" ${text.size}px`);
      expect.soft(small, `texts under ${MIN_FONT} px:\n${small.join('\n')}`).toEqual([]);
      const cut = await cutTexts(page);
      expect.soft(cut, `texts cut:\n${cut.join('\n')}`).toEqual([]);
      expect.soft(await panelOverflow(page)).toEqual(Object.fromEntries(PANELS.map((id) => [id, 0])));
      expect.soft(await brokenText(page)).toEqual([]);
      // The longest street name in its tightest box: whole, or its short name ("Taiping").
      const taiping = page.locator('[data-testid="alerts-panel"] li[data-alert]', {
        has: page.locator('[data-testid="alert-place"]', {
          hasText: lang === 'en' ? /^Taiping$/ : /^太平新城$/,
        }),
      });
      expect.soft(await taiping.count()).toBeGreaterThan(0);
      if (lang === 'en') {
        // Streets, communities and categories all in English: the ticker's and the alerts' words.
        const chinese = /[\u3400-\u9fff]/;
        expect.soft(await page.locator('[data-testid="ticker-panel"] ol').innerText()).not.toMatch(chinese);
        for (const why of await page.getByTestId('alert-why').allInnerTexts())
          expect.soft(why).not.toMatch(chinese);
        for (const why of await page
          .locator('[data-rule="zeroTolerance"] [data-testid="alert-why"]')
          .allInnerTexts())
          expect.soft(why).toMatch(/Community: [A-Z][a-z]+/);
      }
      await page.close();
    });
  }
});
