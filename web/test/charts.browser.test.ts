import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOtherSite } from './support/other-site.ts';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const CSV = `day,city,temp\n${Array.from({ length: 90 }, (_, i) => `2024-0${1 + Math.floor(i / 30)}-${String((i % 28) + 1).padStart(2, '0')},${['Paris', 'Lyon', 'Nice'][i % 3]},${(10 + Math.sin(i / 9) * 8).toFixed(1)}`).join('\n')}\n`;

async function signedInPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await stack.signUp(page, 'Chart Maker');
  return page;
}

/** Through the browser's own session, as the web app does. */
function apiCall<T>(
  page: Page,
  path: string,
  init: { method: string; body: string; type: string },
): Promise<T> {
  return page.evaluate(
    async ({ url, init }) => {
      const response = await fetch(url, {
        method: init.method,
        body: init.body,
        credentials: 'include',
        headers: { 'Content-Type': init.type },
      });
      return response.json();
    },
    { url: `${stack.api.url}${path}`, init },
  ) as Promise<T>;
}

async function build(
  page: Page,
  datasetId: string,
  choices: Record<string, string>,
  visibility: string,
): Promise<string> {
  await page.goto(`${stack.web.url}/charts/new/?dataset=${datasetId}`);
  await page.locator('#b-x option').first().waitFor({ state: 'attached' });
  for (const [label, value] of Object.entries(choices)) {
    if (label === 'Title') await page.getByLabel(label).fill(value);
    else await page.getByLabel(label, { exact: true }).selectOption(value);
  }
  await page.locator('#preview svg').waitFor();
  await page.getByLabel('Who can see it').selectOption(visibility);
  await page.getByRole('button', { name: 'Save chart' }).click();
  await page.waitForURL(/\/chart\/\?id=/);
  return new URL(page.url()).searchParams.get('id') as string;
}

describe('charts in the browser', () => {
  it('builds a monthly line chart, shares it publicly, embeds it and downloads its SVG', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signedInPage(context);
    const dataset = await apiCall<{ id: string }>(
      page,
      '/v1/datasets?name=Weather&visibility=private',
      { method: 'POST', body: CSV, type: 'text/csv' },
    );

    const id = await build(
      page,
      dataset.id,
      {
        'Chart type': 'line',
        'X axis': 'day',
        'Group by time': 'month',
        Measure: 'avg',
        'Of column': 'temp',
        'Split into series by': 'city',
        Title: 'Monthly temperature',
      },
      'public',
    );
    await page.locator('#chart:not([hidden])').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Monthly temperature');
    expect(await page.locator('#chart-image svg title').first().textContent()).toBe(
      'Monthly temperature',
    );
    await page.getByText('Show the data').click();
    expect(await page.locator('#chart-data tbody tr').count()).toBe(9);

    const svgHref = (await page.locator('[data-download="svg"]').getAttribute('href')) ?? '';
    const svg = await fetch(svgHref);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');

    // Logged out, through the pretty URL: a public chart is there for anyone.
    const anonymous = await stack.browser.newContext();
    const visitor = await anonymous.newPage();
    await visitor.goto(`${stack.web.url}/c/${id}`);
    await visitor.locator('#chart:not([hidden]) h1', { hasText: 'Monthly temperature' }).waitFor();

    // Embedded in someone's page, the iframe grows to the chart's height.
    const embedCode = await page.locator('#embed-code').inputValue();
    const blog = await serveOtherSite(
      `<!doctype html><title>blog</title><p>My post</p>${embedCode}`,
    );
    await visitor.goto(blog.url);
    await visitor.waitForFunction(() => {
      const frame = document.querySelector('iframe[data-chartroom]') as HTMLIFrameElement | null;
      return frame !== null && Number.parseInt(frame.style.height || '0', 10) > 200;
    });
    blog.server.close();

    // Unlisted opens by link; private does not.
    const unlisted = await apiCall<{ id: string }>(page, '/v1/charts', {
      method: 'POST',
      type: 'application/json',
      body: JSON.stringify({
        dataset_id: dataset.id,
        title: 'Unlisted one',
        visibility: 'unlisted',
        spec: { type: 'bar', x: { column: 'city' }, y: [{ aggregate: 'count' }] },
      }),
    });
    const secret = await apiCall<{ id: string }>(page, '/v1/charts', {
      method: 'POST',
      type: 'application/json',
      body: JSON.stringify({
        dataset_id: dataset.id,
        title: 'Private one',
        visibility: 'private',
        spec: { type: 'bar', x: { column: 'city' }, y: [{ aggregate: 'count' }] },
      }),
    });
    await visitor.goto(`${stack.web.url}/chart/?id=${unlisted.id}`);
    await visitor.locator('h1', { hasText: 'Unlisted one' }).waitFor();
    await visitor.goto(`${stack.web.url}/chart/?id=${secret.id}`);
    await visitor.locator('#chart-status', { hasText: 'not yours to see' }).waitFor();
    await anonymous.close();
    await context.close();
  });

  it('zooms a daily line chart by dragging, refetching that range, and shows values on tap', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await signedInPage(context);
    const dataset = await apiCall<{ id: string }>(
      page,
      '/v1/datasets?name=Daily&visibility=private',
      { method: 'POST', body: CSV, type: 'text/csv' },
    );
    const id = await build(
      page,
      dataset.id,
      {
        'Chart type': 'line',
        'X axis': 'day',
        Measure: 'avg',
        'Of column': 'temp',
        Title: 'Daily temperature',
      },
      'private',
    );
    await page.locator('#chart-image svg').waitFor();
    const before = await page.locator('#chart-data tbody tr').count();
    const box = (await page.locator('#chart-image').boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(
      () => (document.getElementById('chart-image') as HTMLElement).dataset.range !== '',
    );
    const range = await page.locator('#chart-image').getAttribute('data-range');
    expect(range).toMatch(/^2024-\d{2}-\d{2}\.\.2024-\d{2}-\d{2}$/);
    await page.waitForFunction(
      (n) => document.querySelectorAll('#chart-data tbody tr').length < n,
      before,
    );
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await page.waitForFunction(
      () => (document.getElementById('chart-image') as HTMLElement).dataset.range === '',
    );
    await page.mouse.click(box.x + box.width * 0.5, y);
    await page.locator('.chart-tooltip:not([hidden])').waitFor();
    expect(await page.locator('.chart-tooltip').textContent()).toMatch(
      /^2024-\d{2}-\d{2} · avg\(temp\): /,
    );
    expect(id).toBeTruthy();
    await context.close();
  });

  it('builds a bar chart on a 360 px touch screen', async () => {
    const context = await stack.browser.newContext({
      viewport: { width: 360, height: 740 },
      hasTouch: true,
      isMobile: true,
    });
    const page = await signedInPage(context);
    const dataset = await apiCall<{ id: string }>(
      page,
      '/v1/datasets?name=Weather&visibility=private',
      { method: 'POST', body: CSV, type: 'text/csv' },
    );
    const id = await build(
      page,
      dataset.id,
      {
        'Chart type': 'bar',
        'X axis': 'city',
        Measure: 'sum',
        'Of column': 'temp',
        Title: 'Heat by city',
      },
      'public',
    );
    await page.locator('#chart:not([hidden])').waitFor();
    expect(await page.locator('#chart-image svg rect').count()).toBeGreaterThan(3);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // The home page gallery shows it as a card with its image.
    await page.goto(`${stack.web.url}/`);
    await page.locator(`#gallery a[href="/chart/?id=${id}"] img`).waitFor();
    await context.close();
  });
});
