import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChart } from './support/chart-builder.ts';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
let page: Page;
let datasetId: string;
const CSV = `day,region,sales\n${Array.from(
  { length: 120 },
  (_, i) =>
    `2024-${String(1 + (i % 12)).padStart(2, '0')}-01,${['North', 'South', 'East'][i % 3]},${1000 + ((i * 7919) % 5000)}`,
).join('\n')}\n`;

beforeAll(async () => {
  stack = await startStack();
  page = await stack.browser.newPage({ viewport: { width: 1100, height: 1400 } });
  await stack.signUp(page, 'Builder');
  const dataset = await stack.apiCall<{ id: string }>(
    page,
    '/v1/datasets?name=Sales&visibility=private',
    { method: 'POST', body: CSV, type: 'text/csv' },
  );
  datasetId = dataset.id;
}, 120_000);
afterAll(() => stack?.stop());

interface Saved {
  title: string;
  spec: Record<string, unknown> & { format?: Record<string, unknown>; bar?: unknown };
}
const chartOf = (id: string) =>
  page.evaluate(
    async (url) => (await fetch(url, { credentials: 'include' })).json(),
    `${stack.api.url}/v1/charts/${id}`,
  ) as Promise<Saved>;

describe('the builder', () => {
  it('keeps the preview in view on a phone while the form below it scrolls', async () => {
    const phone = await stack.browser.newPage({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    await phone.context().addCookies(await page.context().cookies());
    const inView = async () => {
      const box = await phone.locator('#preview svg').boundingBox();
      return box !== null && box.y >= -1 && box.y + box.height / 2 <= 740;
    };
    await buildChart(
      phone,
      stack.web.url,
      datasetId,
      { 'Chart type': 'line', 'X axis': 'day', Measure: 'sum', 'Of column': 'sales' },
      'private',
      {
        afterPreview: async (p) => {
          expect(await inView()).toBe(true);
          // The last fields of the form, far below the preview: it stays at the top.
          await p.getByLabel('Who can see it').scrollIntoViewIfNeeded();
          expect(await p.evaluate(() => window.scrollY)).toBeGreaterThan(300);
          expect(await inView()).toBe(true);
          await p.getByLabel('Title', { exact: true }).fill('Seen while typed');
          expect(await inView()).toBe(true);
        },
      },
    );
    await phone.close();
  });

  it('sets stacking, orientation, labels, formats, the series count and highlights, and saves them', async () => {
    const id = await buildChart(
      page,
      stack.web.url,
      datasetId,
      {
        'Chart type': 'bar',
        'X axis': 'day',
        'Group by time': 'month',
        Measure: 'sum',
        'Of column': 'sales',
        'Split into series by': 'region',
        Title: 'Sales by month',
      },
      'private',
      {
        afterPreview: async (p) => {
          await p.getByLabel('Stack the series').check();
          await p.getByLabel('Horizontal bars (for long names)').check();
          await p.getByLabel('Write values on the bars').check();
          await p.getByLabel('Numbers', { exact: true }).selectOption('compact');
          await p.getByLabel('Before values').fill('$');
          await p.getByLabel('Most series drawn').fill('2');
          await p.getByRole('checkbox', { name: 'North' }).check();
          // The preview follows: two series (one of them "Other") in a horizontal stack.
          await p.waitForFunction(() => {
            const legend = [...document.querySelectorAll('#preview svg g.legend text')];
            return legend.some((t) => t.textContent?.startsWith('Other'));
          });
        },
      },
    );
    const saved = await chartOf(id);
    expect(saved.spec.bar).toEqual({ orientation: 'horizontal', mode: 'stacked' });
    expect(saved.spec.labels).toBe(true);
    expect(saved.spec.format).toMatchObject({ number: 'compact', prefix: '$' });
    expect(saved.spec.series).toEqual({ column: 'region', max: 2 });
    expect(saved.spec.highlight).toEqual(['North']);
  });

  it('offers hours only for timestamps, and no column as both x and series', async () => {
    await page.goto(`${stack.web.url}/charts/new/?dataset=${datasetId}`);
    await page.locator('#b-x option').first().waitFor({ state: 'attached' });
    await page.getByLabel('X axis').selectOption('day');
    const buckets = await page
      .locator('#b-bucket option')
      .evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value));
    expect(buckets).not.toContain('hour');
    await page.getByLabel('X axis').selectOption('region');
    const series = await page
      .locator('#b-series option')
      .evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value));
    expect(series).not.toContain('region');
  });

  it('puts the API’s refusal next to the field it names, in words', async () => {
    await page.goto(`${stack.web.url}/charts/new/?dataset=${datasetId}`);
    await page.locator('#b-x option').first().waitFor({ state: 'attached' });
    await page.getByLabel('Numbers', { exact: true }).selectOption('decimal');
    await page.getByLabel('Decimals').fill('9');
    await page.getByLabel('Decimals').dispatchEvent('change');
    const message = page.locator('[data-error-for="opt-decimals"]');
    await message.filter({ hasText: /\w/ }).waitFor();
    expect(await message.textContent()).not.toMatch(/[{}[\]"]/);
    expect(await page.getByLabel('Decimals').getAttribute('aria-invalid')).toBe('true');
  });

  it('editing a chart keeps what the builder has no field for (annotations, filters, colours)', async () => {
    const chart = await stack.apiCall<{ id: string }>(page, '/v1/charts', {
      method: 'POST',
      type: 'application/json',
      body: JSON.stringify({
        dataset_id: datasetId,
        title: 'Annotated',
        spec: {
          type: 'line',
          x: { column: 'day', bucket: 'month' },
          y: [{ column: 'sales', aggregate: 'sum' }],
          filters: [{ column: 'region', op: 'eq', value: 'North' }],
          annotations: [{ type: 'line', value: 20000, label: 'Target' }],
          colors: [{ series: 'sum(sales)', color: '#123456' }],
          markers: true,
        },
      }),
    });
    await page.goto(`${stack.web.url}/charts/new/?chart=${chart.id}`);
    await page.locator('#preview svg').waitFor();
    expect(await page.getByLabel('A dot at each point').isChecked()).toBe(true);
    await page.getByLabel('Title').fill('Annotated, renamed');
    await page.getByRole('button', { name: 'Save chart' }).click();
    await page.waitForURL(/\/chart\/\?id=/);
    const saved = await chartOf(chart.id);
    expect(saved.title).toBe('Annotated, renamed');
    expect(saved.spec.annotations).toEqual([{ type: 'line', value: 20000, label: 'Target' }]);
    expect(saved.spec.filters).toEqual([{ column: 'region', op: 'eq', value: 'North' }]);
    expect(saved.spec.colors).toEqual([{ series: 'sum(sales)', color: '#123456' }]);
    expect(saved.spec.markers).toBe(true);
  });
});
