import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';
import { NUMBER, tooltipOf } from './support/tooltip.ts';

let stack: Stack;
const charts: Record<string, string> = {};
const REGIONS = ['North East', 'North West', 'West Midlands', 'East Midlands', 'London'];
const CSV = `region,year,sales,margin\n${Array.from(
  { length: 60 },
  (_, i) => `${REGIONS[i % 5]},${2020 + (i % 4)},${1000 + ((i * 7919) % 4000)},${(i % 13) / 2}`,
).join('\n')}\n`;

beforeAll(async () => {
  stack = await startStack();
  const owner = await stack.browser.newPage();
  await stack.signUp(owner, 'Reader');
  const dataset = await stack.apiCall<{ id: string }>(
    owner,
    '/v1/datasets?name=Sales&visibility=public',
    { method: 'POST', body: CSV, type: 'text/csv' },
  );
  const specs = {
    bar: {
      type: 'bar',
      x: { column: 'region' },
      y: [{ column: 'sales', aggregate: 'sum' }],
      series: { column: 'year' },
      bar: { mode: 'stacked' },
    },
    pie: { type: 'pie', x: { column: 'region' }, y: [{ column: 'sales', aggregate: 'sum' }] },
    scatter: {
      type: 'scatter',
      x: { column: 'margin' },
      y: [{ column: 'sales', aggregate: 'none' }],
    },
  };
  for (const [name, spec] of Object.entries(specs)) {
    const chart = await stack.apiCall<{ id: string }>(owner, '/v1/charts', {
      method: 'POST',
      type: 'application/json',
      body: JSON.stringify({ dataset_id: dataset.id, title: name, visibility: 'public', spec }),
    });
    charts[name] = chart.id;
  }
  await owner.close();
}, 120_000);
afterAll(() => stack?.stop());

const PLACES = [
  ['chart page', (id: string) => `/chart/?id=${id}`, '#chart-image'],
  ['embed', (id: string) => `/embed/?id=${id}`, '#embed-chart'],
] as const;

async function phonePage(path: string, holder: string): Promise<Page> {
  const context = await stack.browser.newContext({
    viewport: { width: 360, height: 740 },
    hasTouch: true,
    isMobile: true,
  });
  const page = await context.newPage();
  await page.goto(`${stack.web.url}${path}`);
  await page.locator(`${holder} svg .marks`).waitFor();
  return page;
}

async function centreOf(page: Page, selector: string) {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not drawn`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

describe.each(PLACES)('every chart can be read on a 360 px touch screen: %s', (_, url, holder) => {
  it('a tap on a stacked bar reads its category, each year and the total; keys move on', async () => {
    const page = await phonePage(url(charts.bar as string), holder);
    const bar = await centreOf(page, `${holder} svg .marks rect`);
    await page.touchscreen.tap(bar.x, bar.y);
    const read = await tooltipOf(page, holder);
    expect(REGIONS).toContain(read.title);
    expect(read.rows.map((r) => r[0])).toEqual(['2020', '2021', '2022', '2023', 'Total']);
    for (const [, value] of read.rows) expect(value).toMatch(NUMBER);
    await page.locator(holder).focus();
    await page.keyboard.press('Home');
    const first = (await tooltipOf(page, holder)).title;
    await page.keyboard.press('ArrowRight');
    expect((await tooltipOf(page, holder)).title).not.toBe(first);
    await page.keyboard.press('Escape');
    await page.locator(`${holder} .chart-tooltip[hidden]`).waitFor({ state: 'attached' });
    await page.context().close();
  });

  it('a tap on a pie slice reads its name, value and share; a drag selects no text', async () => {
    const page = await phonePage(url(charts.pie as string), holder);
    const box = (await page.locator(`${holder} svg`).boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    const slice = await page.evaluate((selector) => {
      // A point well inside the first slice: its share label sits on it.
      const label = document.querySelector(`${selector} svg .marks text`) as SVGTextElement;
      const r = label.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y - 4 };
    }, holder);
    await page.touchscreen.tap(slice.x, slice.y);
    const read = await tooltipOf(page, holder);
    expect(REGIONS).toContain(read.title);
    expect(read.rows[0]?.[1]).toMatch(/^[\d,]+ \(\d+%\)$/);
    const mouse = await stack.browser.newPage({ viewport: { width: 1000, height: 800 } });
    await mouse.goto(page.url());
    await mouse.locator(`${holder} svg .marks`).waitFor();
    const wide = (await mouse.locator(`${holder} svg`).boundingBox()) as typeof box;
    await mouse.mouse.move(wide.x + 20, wide.y + 20);
    await mouse.mouse.down();
    await mouse.mouse.move(wide.x + wide.width - 20, wide.y + wide.height - 20, { steps: 8 });
    await mouse.mouse.up();
    expect(await mouse.evaluate(() => String(getSelection()))).toBe('');
    await mouse.close();
    await page.context().close();
  });

  it('a tap on a dot reads its x and y', async () => {
    const page = await phonePage(url(charts.scatter as string), holder);
    const dot = await centreOf(page, `${holder} svg .marks circle`);
    await page.touchscreen.tap(dot.x, dot.y);
    const read = await tooltipOf(page, holder);
    expect(read.rows.map((r) => r[0])).toEqual(['margin', 'sales']);
    expect(read.rows[1]?.[1]).toMatch(NUMBER);
    await page.context().close();
  });
});
