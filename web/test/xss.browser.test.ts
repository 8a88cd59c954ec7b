// Issue 10: hostile text from the API and crafted links must never become markup in a page, with
// or without the CSP (defence in depth: `astro preview` used to serve the site without one).
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  craftedIds,
  createHostileData,
  type HostileData,
  traces,
  type Watch,
  watch,
} from './support/hostile.ts';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
let hostile: HostileData;
/** The victim's logged-in session: an injected script could act as them. */
let victim: Awaited<ReturnType<BrowserContext['storageState']>>;
beforeAll(async () => {
  stack = await startStack();
  hostile = await createHostileData(stack.api.url);
  const context = await stack.browser.newContext();
  await stack.signUp(await context.newPage(), 'Victim');
  victim = await context.storageState();
  await context.close();
});
afterAll(() => stack?.stop());

const MODES = [
  { name: 'with the CSP of _headers', policy: true },
  { name: 'with no CSP at all', policy: false },
];

describe.each(MODES)('hostile data and crafted links, $name', ({ policy }) => {
  let context: BrowserContext;
  beforeAll(async () => {
    // Without the policy, as `astro preview` served the site: the page's own defences must hold.
    context = await stack.browser.newContext({ storageState: victim, bypassCSP: !policy });
  });
  afterAll(() => context?.close());

  /**
   * Opens `path` and waits until `ready` holds in the page and the network is quiet. It does not
   * fail there: what ran is checked first, as it says more than a missing message would.
   */
  async function visit(path: string, ready: () => boolean) {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const seen = watch(page, stack.api.url);
    await page.goto(`${stack.web.url}${path}`);
    await page.waitForFunction(ready).catch(() => undefined);
    await page.waitForLoadState('networkidle');
    return { page, seen, isReady: () => page.evaluate(ready).catch(() => false) };
  }

  async function expectNothingRan(page: Page, seen: Watch, path: string) {
    expect(await traces(page), path).toEqual({ pwned: undefined, elements: [] });
    expect(seen.navigations, path).toEqual([]);
    expect(new URL(page.url()).pathname, path).toBe(new URL(`${stack.web.url}${path}`).pathname);
    const keys = await context.request.get(`${stack.api.url}/v1/api-keys`);
    expect(keys.status()).toBe(200);
    expect(((await keys.json()) as { items: unknown[] }).items, path).toEqual([]);
  }

  // Refusing a link does not depend on the policy: with it, the original attack link is enough.
  const crafted = () => craftedIds(hostile.datasetId).slice(0, policy ? 1 : undefined);

  const text = (selector: string, words: string) =>
    new Function(
      `return document.querySelector(${JSON.stringify(selector)})?.textContent?.includes(${JSON.stringify(words)})`,
    ) as () => boolean;

  it('a crafted chart id is refused in words, with no request: embed and chart page', {
    timeout: 240_000,
  }, async () => {
    for (const id of crafted()) {
      const encoded = encodeURIComponent(id);
      const links = [
        [`/embed/?id=${encoded}`, '#embed-chart'],
        [`/chart/?id=${encoded}`, '#chart-status'],
      ];
      if (id !== '')
        links.push([`/embed/${encoded}`, '#embed-chart'], [`/c/${encoded}`, '#chart-status']);
      for (const [path = '', selector = ''] of links) {
        const { page, seen, isReady } = await visit(
          path,
          text(selector, 'This link does not name a chart.'),
        );
        await expectNothingRan(page, seen, path);
        expect(await isReady(), path).toBe(true);
        expect(
          seen.apiRequests.filter((url) => /\/v1\/(charts|datasets)/.test(url)),
          path,
        ).toEqual([]);
        await page.close();
      }
    }
  });

  it('a crafted dataset id is refused in words: dataset page and chart builder', {
    timeout: 240_000,
  }, async () => {
    for (const id of crafted()) {
      const encoded = encodeURIComponent(id);
      for (const [path, selector] of [
        [`/dataset/?id=${encoded}`, '#dataset-status'],
        [`/charts/new/?dataset=${encoded}`, '#preview'],
      ] as const) {
        const { page, seen, isReady } = await visit(
          path,
          text(selector, 'This link does not name a dataset.'),
        );
        await expectNothingRan(page, seen, path);
        expect(await isReady(), path).toBe(true);
        // The builder still lists the datasets one may chart; nothing asks for the crafted one.
        expect(
          seen.apiRequests.filter((url) => /\/v1\/datasets\/./.test(url)),
          path,
        ).toEqual([]);
        await page.close();
      }
    }
  });

  it('hostile names, descriptions and columns show as text on every page', {
    timeout: 120_000,
  }, async () => {
    const { datasetId, chartId, name, title } = hostile;
    const pages: [string, () => boolean][] = [
      [`/dataset/?id=${datasetId}`, text('#dataset h1', name)],
      [`/chart/?id=${chartId}`, text('#chart h1', title)],
      [`/c/${chartId}`, text('#chart h1', title)],
      [`/embed/?id=${chartId}`, () => document.querySelector('#embed-chart svg rect') !== null],
      [`/embed/${chartId}`, () => document.querySelector('#embed-chart svg rect') !== null],
      [
        `/charts/new/?dataset=${datasetId}`,
        () => document.querySelector('#preview svg rect') !== null,
      ],
      ['/datasets/', text('main', name)],
      ['/', () => document.querySelector('#gallery svg') !== null],
    ];
    for (const [path, ready] of pages) {
      const { page, seen, isReady } = await visit(path, ready);
      await expectNothingRan(page, seen, path);
      expect(await isReady(), path).toBe(true);
      await page.close();
    }
  });
});
