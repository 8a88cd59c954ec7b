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

describe('the gallery', () => {
  it('draws every card even when more charts are in view than the API reads at once', async () => {
    const owner = await stack.browser.newPage();
    await stack.signUp(owner, 'Gallery Owner');
    const csv = `day,v\n${Array.from({ length: 50 }, (_, i) => `2024-01-${String((i % 28) + 1).padStart(2, '0')},${i}`).join('\n')}\n`;
    const dataset = await stack.apiCall<{ id: string }>(
      owner,
      '/v1/datasets?name=Cards&visibility=public',
      { method: 'POST', body: csv, type: 'text/csv' },
    );
    for (const type of ['line', 'bar', 'area', 'pie', 'scatter', 'line', 'bar', 'area']) {
      await stack.apiCall(owner, '/v1/charts', {
        method: 'POST',
        type: 'application/json',
        body: JSON.stringify({
          dataset_id: dataset.id,
          title: `A ${type} card`,
          visibility: 'public',
          spec: {
            type,
            x: { column: 'day' },
            y: [{ column: 'v', aggregate: type === 'scatter' ? 'none' : 'sum' }],
          },
        }),
      });
    }
    await owner.close();
    // Tall enough that every card is in view at once: eight reads asked together.
    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 4000 } });
    await page.goto(stack.web.url);
    await page.waitForFunction(
      () => document.querySelectorAll('.gallery-chart svg').length >= 8,
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.locator('.gallery-chart', { hasText: 'could not be drawn' }).count()).toBe(0);
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
