import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
let ids: { dataset: string; chart: string };
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

async function signedIn(colorScheme: 'light' | 'dark'): Promise<BrowserContext> {
  const context = await stack.browser.newContext({
    colorScheme,
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  await stack.signUp(page, 'Axe');
  if (!ids) {
    ids = await page.evaluate(async (api) => {
      const post = (path: string, body: string, type: string) =>
        fetch(`${api}${path}`, {
          method: 'POST',
          body,
          credentials: 'include',
          headers: { 'Content-Type': type },
        }).then((r) => r.json());
      const dataset = await post(
        '/v1/datasets?name=Axe%20data&visibility=public',
        'day,city,n\n2024-01-01,Paris,1\n2024-02-01,Lyon,2\n',
        'text/csv',
      );
      const chart = await post(
        '/v1/charts',
        JSON.stringify({
          dataset_id: dataset.id,
          title: 'Axe chart',
          visibility: 'public',
          spec: { type: 'bar', x: { column: 'city' }, y: [{ column: 'n', aggregate: 'sum' }] },
        }),
        'application/json',
      );
      return { dataset: dataset.id as string, chart: chart.id as string };
    }, stack.api.url);
  }
  await page.close();
  return context;
}

const PAGES = [
  ['home', '/', '#api-status[data-state="ok"]'],
  ['sign up', '/signup', 'form'],
  ['log in', '/login', 'form'],
  ['account', '/account', '#account:not([hidden])'],
  ['datasets', '/datasets/', '[data-list="public"] li'],
  ['upload', '/datasets/new/', 'form'],
  ['dataset', '/dataset/?id={dataset}', '#rows tbody tr'],
  ['chart builder', '/charts/new/?dataset={dataset}', '#preview svg'],
  ['chart', '/chart/?id={chart}', '#chart-image svg .marks'],
  ['embed', '/embed/?id={chart}', '#embed-chart svg'],
  ['my work', '/mine/', '#mine:not([hidden])'],
] as const;

describe.each(['light', 'dark'] as const)('accessibility in %s mode', (scheme) => {
  // One account per colour scheme: sign-ups are rate-limited per address, as they should be.
  let context: BrowserContext;
  beforeAll(async () => {
    context = await signedIn(scheme);
  });
  afterAll(() => context?.close());

  it.each(PAGES)('%s has no serious or critical axe violations', async (_, path, ready) => {
    const page = await context.newPage();
    await page.goto(
      `${stack.web.url}${path.replace('{dataset}', ids.dataset).replace('{chart}', ids.chart)}`,
    );
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id}: ${v.help} (${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join('; ')})`,
      );
    expect(serious).toEqual([]);
    await page.close();
  });
});
