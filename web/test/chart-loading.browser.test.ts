import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
let chartId: string;
beforeAll(async () => {
  stack = await startStack();
  const owner = await stack.browser.newPage();
  await stack.signUp(owner, 'Loader');
  const dataset = await stack.apiCall<{ id: string }>(
    owner,
    '/v1/datasets?name=L&visibility=public',
    {
      method: 'POST',
      body: 'day,v\n2024-01-01,1\n2024-01-02,3\n',
      type: 'text/csv',
    },
  );
  const chart = await stack.apiCall<{ id: string }>(owner, '/v1/charts', {
    method: 'POST',
    type: 'application/json',
    body: JSON.stringify({
      dataset_id: dataset.id,
      title: 'Slow to draw',
      visibility: 'public',
      spec: { type: 'line', x: { column: 'day' }, y: [{ column: 'v', aggregate: 'sum' }] },
    }),
  });
  chartId = chart.id;
  await owner.close();
}, 120_000);
afterAll(() => stack?.stop());

describe('the chart page while its data is on the way', () => {
  it('shows the title and a place of the chart’s size at once, then draws into it', async () => {
    const page = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(`${stack.api.url}/v1/charts/*/data*`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${stack.web.url}/chart/?id=${chartId}`);
    await page.getByRole('heading', { name: 'Slow to draw' }).waitFor();
    const waiting = await page.locator('#chart-image').evaluate((holder) => ({
      text: holder.textContent,
      height: holder.getBoundingClientRect().height,
    }));
    expect(waiting.text).toBe('Drawing the chart…');
    expect(waiting.height).toBeGreaterThan(250);
    release();
    await page.locator('#chart-image svg .marks').waitFor();
    const drawn = await page.locator('#chart-image svg').boundingBox();
    expect(Math.abs((drawn?.height ?? 0) - waiting.height)).toBeLessThan(2);
    await page.close();
  });

  it('an embed tells its iframe to grow and to shrink as the page around it narrows', async () => {
    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${stack.web.url}/`);
    // The embed code's listener, as a newsroom's page would hold it.
    await page.evaluate((src) => {
      document.body.innerHTML = `<iframe src="${src}" data-chartroom style="width:100%;border:0"></iframe>`;
      addEventListener('message', (e) => {
        const h = e.data?.chartroomHeight;
        if (!h) return;
        for (const f of document.querySelectorAll<HTMLIFrameElement>('iframe[data-chartroom]')) {
          if (f.contentWindow === e.source) f.style.height = `${h}px`;
        }
      });
    }, `${stack.web.url}/embed/?id=${chartId}`);
    const height = () => page.locator('iframe').evaluate((f) => f.getBoundingClientRect().height);
    await page.waitForFunction(() => (document.querySelector('iframe')?.offsetHeight ?? 0) > 400);
    const wide = await height();
    await page.setViewportSize({ width: 500, height: 900 });
    await page.waitForFunction(
      (before) => (document.querySelector('iframe')?.offsetHeight ?? 0) < before - 100,
      wide,
    );
    expect(await height()).toBeLessThan(wide);
    await page.close();
  });

  it('eight embeds on one page all draw, though the API refuses some reads as too many at once', async () => {
    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    // What the API answers a reader past its two reads at a time (seen with seven embeds).
    let refused = 0;
    await page.route(`${stack.api.url}/v1/charts/*/data*`, async (route) => {
      if (refused++ >= 4) return route.continue();
      await route.fulfill({
        status: 429,
        headers: { 'Retry-After': '1', 'Content-Type': 'application/problem+json' },
        body: JSON.stringify({
          type: 'about:blank',
          title: 'Too many requests',
          status: 429,
          detail: 'Wait.',
        }),
      });
    });
    await page.goto(`${stack.web.url}/`);
    await page.evaluate((src) => {
      document.body.innerHTML = Array.from(
        { length: 8 },
        () => `<iframe src="${src}"></iframe>`,
      ).join('');
    }, `${stack.web.url}/embed/?id=${chartId}`);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('iframe')].every((f) =>
          f.contentDocument?.querySelector('#embed-chart svg .marks'),
        ),
      undefined,
      { timeout: 25_000 },
    );
    await page.close();
  });

  it('says so in words when the data cannot be fetched', async () => {
    const page = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.route(`${stack.api.url}/v1/charts/*/data*`, (route) =>
      route.abort('connectionrefused'),
    );
    await page.goto(`${stack.web.url}/chart/?id=${chartId}`);
    await page.getByText('the API did not answer').waitFor();
    expect(await page.getByRole('heading', { name: 'Slow to draw' }).isVisible()).toBe(true);
    await page.close();
  });
});
