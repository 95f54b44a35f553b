/**
 * The weights workbench (/admin/weights) in Chromium, against a server running the city simulator on
 * a fixed clock in early December 2026 with November published: the administrator drafts a weight
 * set from the one in force (one block weight changed), sees what the draft does to the ranks and
 * the rank intervals under weight noise as the API computes them, saves it with a note, publishes it
 * from the first day of next quarter, and finds both in the audit trail; a leader sees it all
 * read-only; a wall token and a street token are refused, by the page and by the API. Needs the
 * built display: `npm run build:display`. Screenshots go to test-results/.
 */
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Weights } from '../../shared/index/types.js';
import type {
  AuditEvent,
  SensitivityAnswer,
  WeightSetList,
  WhatIfAnswer,
} from '../../display/src/lib/admin/weights.js';
import { launchBrowser, requireBrowser } from '../support/browser.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DISPLAY_DIR, ensureBuilt, FULL_HD, oneDecimal, RESULTS } from '../support/wall-page.js';

const available = requireBrowser('the weights workbench');
const NOW = new Date('2026-12-03T02:00:00Z');
const TABLET = { width: 1024, height: 768 };
const NOTE = 'Positive block up to 45 after the Q4 review';
const REASON = 'Review meeting of 2026-12-03, minute 7';

/**
 * What a page of forms must never show: "undefined" or "NaN" in its text, its attributes or its
 * fields' values, or an element marked with a test id that reads blank (fields excepted: their
 * text is their value; the SVG chart is checked by its data attributes).
 */
function brokenText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const bad = /undefined|NaN/;
    const text = document.body.innerText;
    if (bad.test(text)) broken.push(`text: ${text.match(/.{0,40}(undefined|NaN).{0,40}/)?.[0]}`);
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.attributes)
        if (bad.test(attribute.value))
          broken.push(`<${element.tagName} ${attribute.name}="${attribute.value}">`);
    }
    for (const field of document.querySelectorAll('input, select, textarea'))
      if (bad.test((field as HTMLInputElement).value)) broken.push(`value ${field.outerHTML.slice(0, 80)}`);
    for (const element of document.querySelectorAll('[data-testid]')) {
      if (element.matches('input, select, textarea') || !(element instanceof HTMLElement)) continue;
      if (element.innerText.trim() === '') broken.push(`blank ${element.outerHTML.slice(0, 80)}`);
    }
    return broken;
  });
}

describe.skipIf(!available)('the weights workbench', () => {
  let server: TestServer;
  let browser: Browser;

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
    const published = await server.api('/api/reports/monthly/2026-11/publish', { method: 'POST' });
    expect(published.status, await published.clone().text()).toBe(201);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const json = async <T>(response: Response): Promise<T> => {
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return (await response.json()) as T;
  };
  const post = (path: string, body: unknown, token?: string) =>
    server.api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      token,
    });
  const openWorkbench = async (token: string, query = '', viewport = FULL_HD): Promise<Page> => {
    const page = await browser.newPage({ viewport, timezoneId: 'Asia/Shanghai' });
    await page.goto(`${server.baseUrl}/admin/weights?token=${token}${query}`);
    return page;
  };
  const ready = async (page: Page, testid: 'what-if' | 'sensitivity') =>
    expect.poll(() => page.getByTestId(testid).getAttribute('data-state')).toBe('ready');

  it('lets the administrator draft, try, save and publish a weight set, and keeps the trail', async () => {
    const list = await json<WeightSetList>(await server.api('/api/weight-sets'));
    expect(list.nextQuarter).toBe('2027-01-01');
    const inForce = list.weightSets.find((set) => set.status === 'in_force')!;
    const draft: Weights = { ...inForce.weights, blocks: { ...inForce.weights.blocks, positive: 45 } };

    const page = await openWorkbench(server.adminToken);
    const workbench = page.getByTestId('weights-workbench');
    await expect.poll(() => workbench.getAttribute('data-status')).toBe('ready');
    expect(await workbench.getAttribute('data-can-edit')).toBe('true');
    expect(await page.getByTestId('read-only').count()).toBe(0);
    expect(await page.getByTestId('no-draft').isVisible()).toBe(true);

    await page.getByTestId('start-draft').click();
    expect(await page.getByTestId('open-set').getAttribute('data-editing')).toBe('true');
    const positive = page.locator('[data-testid="block-row"][data-block="positive"]');
    await positive.getByTestId('block-weight').fill('45');
    // Shares as typed: 45 / (45 + 35 + 30).
    expect(await positive.getByTestId('block-share').innerText()).toBe('40.9%');
    expect(await page.getByTestId('block-sum').innerText()).toBe('110');

    // A weight that is not a number is named beside its field, and nothing runs until it is fixed.
    const theft = page.locator('[data-testid="indicator-row"][data-indicator="theft"]');
    await theft.getByTestId('indicator-weight').fill('abc');
    const problem = theft.locator('[data-testid="field-problem"][data-path="weights.indicators.theft"]');
    expect(await problem.innerText()).toContain('不是数字');
    expect(await page.getByTestId('save').isDisabled()).toBe(true);
    await theft.getByTestId('indicator-weight').fill(String(inForce.weights.indicators.theft));
    expect(await problem.count()).toBe(0);

    // The what-if on the newest published month, as the API answers it for the same draft.
    expect(await page.getByTestId('period').inputValue()).toBe('2026-11');
    await ready(page, 'what-if');
    const whatIf = await json<WhatIfAnswer>(
      await post('/api/weight-sets/what-if', { weights: draft, period: '2026-11' }),
    );
    const rows = page.getByTestId('what-if-row');
    expect(await rows.count()).toBe(whatIf.streets.length);
    const shown = await rows.evaluateAll((all) =>
      all.map((row) => [
        row.getAttribute('data-street'),
        [
          row.querySelector('[data-testid="draft-index"]')!.textContent!.trim(),
          row.querySelector('[data-testid="draft-rank"]')!.textContent!.trim(),
          row.querySelector('[data-testid="rank-shift"]')!.textContent!.trim(),
        ].join(' '),
      ]),
    );
    const arrow = (shift: number | null) =>
      shift === null ? '—' : shift === 0 ? '–' : shift > 0 ? `▲${shift}` : `▼${-shift}`;
    expect(Object.fromEntries(shown)).toEqual(
      Object.fromEntries(
        whatIf.streets.map((s) => [
          s.code,
          `${oneDecimal(s.draft.index)} ${s.draft.rank ?? '—'} ${arrow(s.rankShift)}`,
        ]),
      ),
    );
    // The draft is not the set in force: the city's index moves.
    expect(whatIf.city.draft).not.toBe(whatIf.city.current);
    expect(await page.getByTestId('city-index').innerText()).toBe(
      `${oneDecimal(whatIf.city.current)} → ${oneDecimal(whatIf.city.draft)}`,
    );
    expect(await page.getByTestId('mean-rank-shift').innerText()).toBe(
      whatIf.meanAbsoluteRankShift === null ? '—' : whatIf.meanAbsoluteRankShift.toFixed(2),
    );

    // The rank intervals, drawn from the sensitivity run the page asked for (its seed shown).
    await ready(page, 'sensitivity');
    const seed = Number(await page.getByTestId('seed').innerText());
    expect(Number.isInteger(seed)).toBe(true);
    const sensitivity = await json<SensitivityAnswer>(
      await post('/api/weight-sets/sensitivity', { weights: draft, period: '2026-11', seed }),
    );
    const intervals = await page
      .locator('[data-rank-interval]')
      .evaluateAll((all) =>
        all.map((g) => [
          g.getAttribute('data-street'),
          g.getAttribute('data-p5'),
          g.getAttribute('data-p95'),
        ]),
      );
    expect(intervals.length).toBe(sensitivity.streets.length);
    expect(Object.fromEntries(intervals.map(([code, p5, p95]) => [code, `${p5}–${p95}`]))).toEqual(
      Object.fromEntries(sensitivity.streets.map((s) => [s.code, `${s.p5 ?? ''}–${s.p95 ?? ''}`])),
    );
    // Sorted by nominal rank.
    const ranks = await page
      .locator('[data-rank-interval]')
      .evaluateAll((all) => all.map((g) => Number(g.getAttribute('data-rank'))));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(await page.getByTestId('removal-row').count()).toBe(sensitivity.removal.length);
    expect(await brokenText(page)).toEqual([]);
    await page.screenshot({ path: `${RESULTS}/admin-weights-draft.png` });

    // Saved with its note: a draft the API lists with the changed weight.
    await page.getByTestId('save-note').fill(NOTE);
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-kind')).toBe('saved');
    const saved = (await json<WeightSetList>(await server.api('/api/weight-sets'))).weightSets.find(
      (set) => set.status === 'draft',
    )!;
    expect(saved.weights.blocks.positive).toBe(45);
    expect(saved.note).toBe(NOTE);

    // Published from the first day of next quarter, with a reason.
    await page.getByTestId('publish-open').click();
    expect(await page.getByTestId('publish-next-quarter').isChecked()).toBe(true);
    await page.getByTestId('publish-reason').fill(REASON);
    await page.getByTestId('publish').click();
    await page.getByTestId('published').waitFor();
    expect(await page.getByTestId('published').innerText()).toContain('2027-01-01');
    const after = await json<WeightSetList>(await server.api('/api/weight-sets'));
    const scheduled = after.weightSets.find((set) => set.id === saved.id)!;
    expect(scheduled).toMatchObject({ status: 'scheduled', effectiveFrom: '2027-01-01' });
    // The published set is shown, no longer editable.
    expect(await page.getByTestId('open-set').getAttribute('data-editing')).toBe('false');

    // The audit trail: the draft's note and the publication's reason, newest first, as the API has them.
    const audit = await json<{ events: AuditEvent[] }>(await server.api('/api/weight-sets/audit'));
    const ours = audit.events.filter((event) => event.weightSetId === saved.id);
    expect(ours.map((event) => event.action)).toContain('published');
    const trail = page.locator(`[data-testid="audit-row"][data-set="${saved.id}"]`);
    await expect.poll(() => trail.count()).toBe(ours.length);
    expect(await trail.first().getAttribute('data-action')).toBe('published');
    expect(await trail.first().getByTestId('audit-why').innerText()).toBe(REASON);
    expect(await page.getByTestId('audit').innerText()).toContain(NOTE);
    expect(await brokenText(page)).toEqual([]);
    await page.screenshot({ path: `${RESULTS}/admin-weights-published.png`, fullPage: true });
    await page.close();
  });

  it('shows a leader the workbench read-only, on a tablet, in English', async () => {
    const leader = await server.issue('leader');
    const page = await openWorkbench(leader, '&lang=en', TABLET);
    const workbench = page.getByTestId('weights-workbench');
    await expect.poll(() => workbench.getAttribute('data-status')).toBe('ready');
    expect(await workbench.getAttribute('data-can-edit')).toBe('false');
    expect(await page.getByTestId('read-only').innerText()).toContain('Read-only');
    expect(await page.getByTestId('start-draft').count()).toBe(0);
    expect(await page.getByTestId('save-bar').count()).toBe(0);
    // Every weight and goalpost shown, none of them editable.
    const fields = page.locator(
      '[data-testid="block-weight"], [data-testid="indicator-weight"], [data-testid="method"]',
    );
    expect(await fields.count()).toBeGreaterThan(20);
    expect(
      await fields.evaluateAll((all) => all.filter((f) => !(f as HTMLInputElement).disabled).length),
    ).toBe(0);
    // The review's reading side works for a leader: the what-if and the rank intervals.
    await ready(page, 'what-if');
    await ready(page, 'sensitivity');
    expect(await page.locator('[data-rank-interval]').count()).toBeGreaterThan(0);
    // No horizontal scroll on a tablet.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(TABLET.width);
    expect(await brokenText(page)).toEqual([]);
    await page.screenshot({ path: `${RESULTS}/admin-weights-leader-tablet.png` });
    await page.close();
  });

  it('refuses a wall token and a street token, as the API does', async () => {
    const street = await server.issue('street', ['lianran']);
    for (const token of [server.wallToken, street]) {
      expect((await server.api('/api/weight-sets/audit', { token })).status).toBe(403);
      expect((await post('/api/weight-sets/what-if', { weights: {}, period: 'live' }, token)).status).toBe(
        403,
      );
      const page = await openWorkbench(token);
      const message = page.getByTestId('weights-message');
      await expect.poll(() => message.getAttribute('data-status')).toBe('forbidden');
      expect(await message.innerText()).toContain('此令牌无权使用权重工作台');
      expect(await page.getByTestId('block-weight').count()).toBe(0);
      await page.close();
    }
    const page = await openWorkbench('pw_not-a-token');
    await expect
      .poll(() => page.getByTestId('weights-message').getAttribute('data-status'))
      .toBe('token-refused');
    await page.screenshot({ path: `${RESULTS}/admin-weights-refused.png` });
    await page.close();
  });
});
