import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const CSV = [
  'day,city,pm25,code',
  ...Array.from(
    { length: 120 },
    (_, i) =>
      `2024-01-${String((i % 28) + 1).padStart(2, '0')},${['Paris', 'Lyon', 'Nice'][i % 3]},${(i * 1.5).toFixed(1)},0${1000 + i}`,
  ),
].join('\n');

describe('datasets in the browser', () => {
  it('uploads a CSV with progress, shows inferred types, re-imports with a changed type, and browses the rows on a phone', async () => {
    const { page, errors } = await stack.openPage(`${stack.web.url}/`);
    await stack.signUp(page, 'Data Person');
    await page.goto(`${stack.web.url}/datasets/new/`);
    await page.setInputFiles('#file', {
      name: 'air quality.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    expect(await page.getByLabel('Dataset name').inputValue()).toBe('air quality');
    await page.getByLabel('Who can see it').selectOption('public');
    // Record what the progress bar shows while the upload runs.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      const box = document.getElementById('progress-box') as HTMLElement;
      new MutationObserver(() => {
        if (!box.hidden)
          seen.push(
            `${(document.getElementById('progress') as HTMLProgressElement).value}|${document.getElementById('progress-text')?.textContent}`,
          );
      }).observe(box, { attributes: true, subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('#result:not([hidden])').waitFor();
    const progress = await page.evaluate(
      () => (window as unknown as { progressSeen: string[] }).progressSeen,
    );
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatch(/^100\|Sent\. Importing/);
    expect(await page.locator('#result-summary').textContent()).toContain('120 rows, 4 columns');
    expect(await page.getByLabel('Type of day').inputValue()).toBe('date');
    expect(await page.getByLabel('Type of pm25').inputValue()).toBe('number');
    expect(await page.getByLabel('Type of code').inputValue()).toBe('text');

    // Change a type and import again: the first import is replaced.
    await page.getByLabel('Type of day').selectOption('text');
    const firstHref = await page.locator('#open-dataset').getAttribute('href');
    await page.getByRole('button', { name: 'Import again with these types' }).click();
    await page.waitForFunction(
      (href) => document.querySelector('#open-dataset')?.getAttribute('href') !== href,
      firstHref,
    );
    expect(await page.getByLabel('Type of day').inputValue()).toBe('text');
    const firstId = new URLSearchParams((firstHref ?? '').split('?')[1]).get('id');
    expect((await fetch(`${stack.api.url}/v1/datasets/${firstId}`)).status).toBe(404);

    await page.locator('#open-dataset').click();
    await page.locator('#dataset:not([hidden])').waitFor();
    expect(await page.locator('h1').textContent()).toBe('air quality');
    await page.locator('#rows tbody tr').first().waitFor();
    expect(await page.locator('#rows tbody tr').count()).toBe(50);

    // Sort by pm25 descending (two clicks), then filter on a city.
    await page.getByRole('button', { name: 'pm25' }).click();
    await page.locator('th[aria-sort="ascending"]').waitFor();
    await page.getByRole('button', { name: /pm25/ }).click();
    await page.locator('th[aria-sort="descending"]').waitFor();
    expect(await page.locator('#rows tbody tr:first-child td:nth-child(3)').textContent()).toBe(
      '178.5',
    );
    await page.getByLabel('Column', { exact: true }).selectOption('city');
    await page.getByLabel('Condition').selectOption('eq');
    await page.getByLabel('Value').fill('Nice');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('button', { name: 'Remove filter city:eq:Nice' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#rows tbody tr').length === 40);
    const cities = await page.locator('#rows tbody td:nth-child(2)').allTextContents();
    expect(new Set(cities)).toEqual(new Set(['Nice']));

    // The CSV download link carries the same filter and sort.
    const href = (await page.locator('[data-export="csv"]').getAttribute('href')) ?? '';
    const exported = await (await fetch(href)).text();
    expect(exported.split('\r\n')[0]).toBe('day,city,pm25,code');
    expect(exported.trim().split('\r\n')).toHaveLength(41);

    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);

    await page.goto(`${stack.web.url}/datasets/`);
    await page.locator('[data-list="public"] li', { hasText: 'air quality' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
