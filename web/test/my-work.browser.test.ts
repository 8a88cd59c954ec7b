import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
let page: Page;
const CSV = 'day,rain\n2024-01-01,3\n2024-01-02,5\n2024-01-03,4\n';

beforeAll(async () => {
  stack = await startStack();
  page = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
  await stack.signUp(page, 'Worker');
}, 120_000);
afterAll(() => stack?.stop());

async function make(datasetName: string, titles: string[]) {
  const dataset = await stack.apiCall<{ id: string }>(
    page,
    `/v1/datasets?name=${encodeURIComponent(datasetName)}&visibility=private`,
    { method: 'POST', body: CSV, type: 'text/csv' },
  );
  for (const title of titles) {
    await stack.apiCall(page, '/v1/charts', {
      method: 'POST',
      type: 'application/json',
      body: JSON.stringify({
        dataset_id: dataset.id,
        title,
        spec: { type: 'bar', x: { column: 'day' }, y: [{ column: 'rain', aggregate: 'sum' }] },
      }),
    });
  }
  return dataset.id;
}

const names = (list: string) =>
  page.locator(`${list} li .name`).evaluateAll((links) => links.map((l) => l.textContent));

describe('my work', () => {
  it('lists my charts with thumbnails and my datasets; searches, sorts, duplicates and deletes', async () => {
    await make('Rainfall', ['Rain by day', 'Another rain chart']);
    await make('Unused', []);
    await page.goto(`${stack.web.url}/mine/`);
    await page.locator('#my-charts li .thumb svg').first().waitFor();
    expect((await names('#my-charts')).sort()).toEqual(['Another rain chart', 'Rain by day']);
    expect((await names('#my-datasets')).sort()).toEqual(['Rainfall', 'Unused']);
    await page.getByLabel('Sort by').selectOption('title');
    expect(await names('#my-charts')).toEqual(['Another rain chart', 'Rain by day']);
    await page.getByLabel('Search').fill('another');
    expect(await names('#my-charts')).toEqual(['Another rain chart']);
    await page.getByLabel('Search').fill('');

    const card = page.locator('#my-charts li', { hasText: 'Rain by day' });
    await card.getByRole('button', { name: 'Duplicate' }).click();
    await page.locator('#my-charts li', { hasText: 'Copy of Rain by day' }).waitFor();

    // Deleting a dataset that charts use says which in the one question it asks, before
    // anything is deleted, and deletes them with it only when confirmed.
    const messages: string[] = [];
    page.on('dialog', (dialog) => {
      messages.push(dialog.message());
      dialog.accept();
    });
    await page
      .locator('#my-datasets li', { hasText: 'Rainfall' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.locator('#my-datasets li', { hasText: 'Rainfall' }).waitFor({ state: 'detached' });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('Rainfall');
    expect(messages[0]).toMatch(/your charts .*“Rain by day”/);
    expect(messages[0]).toContain('links and embeds stop working');
    expect(messages[0]).not.toMatch(/charts=delete|409/);
    expect(await page.locator('#my-charts li').count()).toBe(0);
    expect(await page.locator('#charts-empty').isVisible()).toBe(true);
    expect(await names('#my-datasets')).toEqual(['Unused']);
  });

  it('changes who can see a chart from the list', async () => {
    await make('Shared data', ['To share']);
    await page.goto(`${stack.web.url}/mine/`);
    const card = page.locator('#my-charts li', { hasText: 'To share' });
    await card.waitFor();
    // The dataset is private: the chart is not seen by more people than it, and the page says so.
    await card.getByLabel('Who can see “To share”').selectOption('public');
    await card.locator('.limited').waitFor();
    expect(await card.locator('.limited').textContent()).toContain('“Shared data”');
    const datasetCard = page.locator('#my-datasets li', { hasText: 'Shared data' });
    await datasetCard.getByLabel('Who can see “Shared data”').selectOption('public');
    await card.locator('.limited').waitFor({ state: 'detached' });
  });
});
