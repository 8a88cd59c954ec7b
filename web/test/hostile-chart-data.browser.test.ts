// Whatever chart data a page fetches, only drawing survives into the DOM: the API's answers are
// intercepted and replaced with markup in every text the picture shows (title, series, category
// and column names), and the site is served without its CSP, so the renderer's escaping and the
// page's sanitiser (web/src/lib/svg-sanitiser.ts) are all that stand in the way.
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

const EVIL = 'https://evil.example';
const PWN = "window.__pwned='ran'";
const IMG = `<img src=x onerror="${PWN}">`;
const CLOSE = `</text></svg><script>${PWN}</script>`;
const SVG_ONLOAD = `"><svg onload="${PWN}">`;

/** A `/data` answer whose every text is markup. */
const hostileData = (chartId: string) => ({
  chart_id: chartId,
  type: 'bar',
  x: { name: IMG, type: 'text' },
  series: [
    {
      name: CLOSE,
      points: [
        [IMG, 5],
        [SVG_ONLOAD, 3],
        [`javascript:${PWN}`, 2],
      ],
    },
    { name: `<style>@import url(${EVIL}/x.css)</style>`, points: [[IMG, 1]] },
  ],
  bin_width: null,
  downsampled: false,
  method: 'none',
  total_points: 4,
  other_series: 0,
  other_categories: 0,
});

const ALLOWED = new Set(
  'svg g path rect circle ellipse line polyline polygon text tspan title desc defs clipPath linearGradient radialGradient stop'.split(
    ' ',
  ),
);

let stack: Stack;
let context: BrowserContext;
let chartId: string;
let datasetId: string;
beforeAll(async () => {
  stack = await startStack();
  const api = stack.api.url;
  const signup = await fetch(`${api}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      email: `owner-${randomUUID()}@example.com`,
      password: 'an owner password',
      display_name: 'Owner',
    }),
  });
  const cookie = signup.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const post = async (path: string, body: unknown) =>
    (await (
      await fetch(`${api}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: api },
        body: JSON.stringify(body),
      })
    ).json()) as { id: string };
  datasetId = (
    await post('/v1/datasets', {
      name: 'Plain',
      visibility: 'public',
      rows: [
        { city: 'a', n: 1 },
        { city: 'b', n: 2 },
      ],
    })
  ).id;
  chartId = (
    await post('/v1/charts', {
      dataset_id: datasetId,
      title: 'Plain chart',
      visibility: 'public',
      spec: { type: 'bar', x: { column: 'city' }, y: [{ column: 'n', aggregate: 'sum' }] },
    })
  ).id;
  context = await stack.browser.newContext({ bypassCSP: true });
  await stack.signUp(await context.newPage(), 'Builder');
});
afterAll(() => stack?.stop());

/** Opens `path` with the chart's data (and its definition) answered with hostile text. */
async function open(path: string) {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const evil: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(EVIL) || request.url().startsWith('javascript:')) {
      evil.push(request.url());
    }
  });
  const cors = {
    'Access-Control-Allow-Origin': stack.web.url,
    'Access-Control-Allow-Credentials': 'true',
  };
  await page.route('**/v1/charts/*/data*', (route) => {
    const id = new URL(route.request().url()).pathname.split('/')[3] as string;
    return route.fulfill({ status: 200, headers: cors, json: hostileData(id) });
  });
  // The builder's preview (nothing saved) answers the same shape, without a chart id.
  await page.route('**/v1/charts/preview*', (route) => {
    const { chart_id: _, ...data } = hostileData(chartId);
    return route.fulfill({ status: 200, headers: cors, json: data });
  });
  await page.route(`**/v1/charts/${chartId}`, async (route) => {
    const real = await route.fetch();
    const chart = await real.json();
    const format = { x_label: SVG_ONLOAD, y_label: IMG, number: 'auto' };
    await route.fulfill({
      response: real,
      json: { ...chart, title: IMG, description: CLOSE, spec: { ...chart.spec, format } },
    });
  });
  await page.goto(`${stack.web.url}${path}`);
  return { page, evil };
}

/** What is left in `holder` once every element in it has been clicked, hovered and focused. */
function inspect(page: Page, holder: string) {
  return page.evaluate((selector) => {
    const root = document.querySelector(selector) as HTMLElement;
    const elements = [...root.querySelectorAll('svg, svg *')];
    // Around the drawing: the tooltip and its marker, which the page builds itself.
    const around = [...root.querySelectorAll('*')].filter((e) => !e.closest('svg'));
    for (const element of elements) {
      for (const type of ['click', 'mouseover', 'focus', 'load']) {
        element.dispatchEvent(new Event(type, { bubbles: true }));
      }
    }
    // Then read by keys, as a reader would: the tooltip fills with the hostile names.
    root.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    const built = [...root.querySelectorAll('*')].filter((e) => !e.closest('svg'));
    return {
      around: [...new Set([...around, ...built].map((e) => e.localName))].sort(),
      aroundAttributes: [...around, ...built].flatMap((e) => [...e.attributes].map((a) => a.name)),
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      names: [...new Set(elements.map((element) => element.localName))],
      attributes: elements.flatMap((element) =>
        [...element.attributes].map((attribute) => `${attribute.name}=${attribute.value}`),
      ),
      texts: elements.filter((e) => e.localName === 'text').map((e) => e.textContent),
      title: root.querySelector('svg > title')?.textContent,
      bar: root.querySelector('rect[height="200"]')?.getAttribute('fill'),
      // The page's own elements keep their ids.
      ownIds: ['chart-status', 'embed-chart', 'preview'].map(
        (id) => document.getElementById(id)?.closest('svg') ?? null,
      ),
    };
  }, holder);
}

describe('hostile chart data', () => {
  for (const [path, holder] of [
    ['/chart/?id={chart}', '#chart-image'],
    ['/embed/?id={chart}', '#embed-chart'],
    ['/charts/new/?dataset={dataset}', '#preview'],
  ] as const) {
    it(`is drawn as text, never as markup, on ${path}`, async () => {
      const url = path.replace('{chart}', chartId).replace('{dataset}', datasetId);
      const { page, evil } = await open(url);
      await page.locator(`${holder} svg .marks *`).first().waitFor();
      await page.waitForLoadState('networkidle');
      const found = await inspect(page, holder);
      expect(found.pwned).toBeUndefined();
      expect(found.names.filter((name) => !ALLOWED.has(name))).toEqual([]);
      for (const name of found.around)
        expect(['div', 'li', 'span', 'strong', 'ul']).toContain(name);
      for (const name of found.aroundAttributes) {
        expect(['class', 'hidden', 'id', 'role', 'style']).toContain(name);
      }
      if (holder !== '#preview') expect(found.title).toBe(IMG);
      const drawn = found.texts.join('\n');
      expect(drawn).toContain(CLOSE.slice(0, 20));
      const risky = found.attributes.filter((attribute) =>
        /^on|^style=|^filter=|javascript:|data:|url\((?!#)|^href=(?!#)/i.test(attribute),
      );
      expect(risky).toEqual([]);
      expect(found.ownIds).toEqual([null, null, null]);
      expect(evil).toEqual([]);
      await page.close();
    });
  }
});
