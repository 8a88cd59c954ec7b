import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('the home page', () => {
  it('shows the API status it fetched through the generated client, on a 360 px screen', async () => {
    const { page, errors } = await stack.openPage(stack.web.url);
    const status = page.locator('#api-status');
    await status.filter({ hasText: 'API: ok' }).waitFor({ timeout: 15_000 });
    expect(await status.textContent()).toContain('database ready (pglite, migrations current)');
    // Nothing overflows the narrow screen.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says the API is unreachable when it is down, instead of hanging', async () => {
    const page = await stack.browser.newPage();
    await page.route(`${stack.api.url}/**`, (route) => route.abort('connectionrefused'));
    await page.goto(stack.web.url);
    await page.locator('#api-status[data-state="down"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('#api-status').textContent()).toContain('unreachable');
    await page.close();
  });
});

describe('the API docs', () => {
  it('/docs renders Swagger UI from the API itself, grouped by tag, and "Try it out" works', async () => {
    const { page, errors } = await stack.openPage(`${stack.api.url}/docs`, 1280);
    await page.locator('.opblock-tag', { hasText: 'Health' }).waitFor({ timeout: 15_000 });
    const operations = page.locator('.opblock-summary-path');
    expect(await operations.allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/health'),
        expect.stringContaining('/ready'),
      ]),
    );
    await page.locator('#operations-Health-getHealth .opblock-summary').click();
    await page.locator('#operations-Health-getHealth button.try-out__btn').click();
    await page.locator('#operations-Health-getHealth button.execute').click();
    const responseCode = page.locator(
      '#operations-Health-getHealth .live-responses-table tr.response .response-col_status',
    );
    await responseCode.first().waitFor({ timeout: 10_000 });
    expect((await responseCode.first().textContent())?.trim()).toBe('200');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('/redoc renders ReDoc from the API itself', async () => {
    const { page, errors } = await stack.openPage(`${stack.api.url}/redoc`, 1280);
    await page
      .locator('.api-content h2', { hasText: 'Liveness: the process is up' })
      .waitFor({ timeout: 20_000 });
    expect(await page.locator('.menu-content').textContent()).toContain('Health');
    // Redoc's footer logo comes from a CDN; the strict policy blocks it and Redoc hides it.
    expect(errors.filter((e) => !e.includes('cdn.redoc.ly'))).toEqual([]);
    await page.close();
  });
});
