/**
 * The API's docs page renders the document in Chromium with no network beyond this server: every
 * request the page makes goes to it, and the operations of every group are on the page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAGS } from '../../server/openapi/describe.js';
import { launchBrowser, requireBrowser } from '../support/browser.js';
import { databaseTargets } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.skipIf(!requireBrowser('the API docs page'))('the API docs page', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ target: databaseTargets[0]! });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders every group of operations from this server’s own files alone', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const elsewhere: string[] = [];
    // Anything not of this server is refused, as on a command centre's network, and noted.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.baseUrl)) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${server.baseUrl}/api/docs`);
    await page.getByText('Pingan Wall API').first().waitFor({ timeout: 30_000 });
    for (const tag of Object.keys(TAGS))
      await page.locator(`[data-tag="${tag}"]`).first().waitFor({ timeout: 10_000 });
    // An operation of each kind of caller, with its path as the document gives it.
    for (const path of ['/api/health', '/api/alerts/{id}/ack', '/api/webhook/{feed}'])
      expect(await page.locator(`[data-path="${path}"]`).count(), path).toBeGreaterThan(0);
    await page.locator('[data-path="/api/alerts"]').first().click();
    await page
      .getByText('A token with the `read` permission')
      .first()
      .waitFor({ timeout: 10_000 })
      .catch(async () => {
        await page.getByText('A token with the read permission').first().waitFor({ timeout: 10_000 });
      });
    expect(elsewhere).toEqual([]);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
