// Whatever SVG a page fetches, only drawing survives into the DOM: the API's answer is intercepted
// and replaced with hostile SVG, and the site is served without its CSP, so the page's own
// sanitiser (web/src/lib/svg-sanitiser.ts) is all that stands in the way.
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

const EVIL = 'https://evil.example';
const PWN = "window.__pwned='ran'";

/** Every trick in one well-formed document, around a legitimate bar and title. */
const HOSTILE_SVG = `<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet href="${EVIL}/sheet.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="960" height="540" viewBox="0 0 960 540" onload="${PWN}" role="img" aria-labelledby="t">
<title id="t">Hostile chart</title>
<script>${PWN}</script>
<script xlink:href="data:text/javascript,${PWN}"/>
<style>@import url(${EVIL}/import.css); rect { fill: url(${EVIL}/paint) }</style>
<defs><linearGradient id="grad"><stop offset="0" stop-color="red"/></linearGradient></defs>
<rect id="bar" x="10" y="10" width="100" height="200" fill="url(#grad)" onclick="${PWN}" onmouseover="${PWN}"><title>a bar</title></rect>
<rect x="0" y="0" width="5" height="5" style="fill:url(${EVIL}/style)" filter="url(${EVIL}/f#x)" fill="url(${EVIL}/fill)"/>
<foreignObject width="100" height="100"><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="${PWN}"/><iframe src="javascript:parent.__pwned='iframe'"/></body></foreignObject>
<a href="javascript:${PWN}"><text x="1" y="20">click me</text></a>
<a xlink:href="javascript:${PWN}"><rect width="5" height="5"/></a>
<image href="${EVIL}/track.png" width="1" height="1"/>
<use href="data:image/svg+xml,&lt;svg/&gt;#x"/>
<linearGradient id="g2" href="${EVIL}/g#x"/>
<animate attributeName="href" to="javascript:${PWN}" begin="0s"/>
<set attributeName="onmouseover" to="${PWN}" begin="0s"/>
<iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:parent.__pwned='iframe'"/>
<g id="chart-status"><g id="embed-chart"><g id="preview"><text>clobber</text></g></g></g>
<text x="1" y="40" transform="rotate(-90 16 270)" fill="rgb(1,2,3)">kept &lt;img src=x onerror=${PWN}&gt;</text>
<![CDATA[<img src=x onerror="${PWN}">]]>
</svg>`;

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

/** Opens `path` with every chart image answered by `body`; records requests leaving for EVIL. */
async function open(path: string, body: string, contentType = 'image/svg+xml') {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const evil: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(EVIL) || request.url().startsWith('javascript:')) {
      evil.push(request.url());
    }
  });
  await page.route('**/v1/charts/*/image.svg*', (route) =>
    route.fulfill({
      status: 200,
      headers: {
        'Access-Control-Allow-Origin': stack.web.url,
        'Access-Control-Allow-Credentials': 'true',
      },
      contentType,
      body,
    }),
  );
  await page.goto(`${stack.web.url}${path}`);
  return { page, evil };
}

/** What is left in `holder` once every element in it has been clicked, hovered and focused. */
function inspect(page: Page, holder: string) {
  return page.evaluate((selector) => {
    const root = document.querySelector(selector) as HTMLElement;
    const elements = [...root.querySelectorAll('*')];
    for (const element of elements) {
      for (const type of ['click', 'mouseover', 'focus', 'load']) {
        element.dispatchEvent(new Event(type, { bubbles: true }));
      }
    }
    return {
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

describe('a hostile SVG answer', () => {
  for (const [path, holder] of [
    ['/chart/?id={chart}', '#chart-image'],
    ['/embed/?id={chart}', '#embed-chart'],
    ['/charts/new/?dataset={dataset}', '#preview'],
  ] as const) {
    it(`keeps only drawing on ${path}`, async () => {
      const url = path.replace('{chart}', chartId).replace('{dataset}', datasetId);
      const { page, evil } = await open(url, HOSTILE_SVG);
      await page.locator(`${holder} svg rect`).first().waitFor();
      await page.waitForLoadState('networkidle');
      const found = await inspect(page, holder);
      expect(found.pwned).toBeUndefined();
      expect(found.names.filter((name) => !ALLOWED.has(name))).toEqual([]);
      expect(found.title).toBe('Hostile chart');
      // The gradient survives, under the drawing's own id prefix.
      expect(found.bar).toMatch(/^url\(#svg\d+-grad\)$/);
      expect(found.texts).toContain("kept <img src=x onerror=window.__pwned='ran'>");
      const risky = found.attributes.filter((attribute) =>
        /^on|^style=|^filter=|javascript:|data:|url\((?!#)|^href=(?!#)/i.test(attribute),
      );
      expect(risky).toEqual([]);
      expect(found.ownIds).toEqual([null, null, null]);
      expect(evil).toEqual([]);
      await page.close();
    });
  }

  it('that is not an SVG document is not shown at all', async () => {
    const answers: [string, string][] = [
      [
        `<html xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="${PWN}"/></html>`,
        'image/svg+xml',
      ],
      [
        `<svg xmlns="http://www.w3.org/2000/svg"><img src=x onerror="${PWN}"></svg>`,
        'image/svg+xml',
      ],
      [`<svg xmlns="http://www.w3.org/2000/svg"></svg>`, 'text/html'],
    ];
    for (const [body, type] of answers) {
      const { page } = await open(`/embed/?id=${chartId}`, body, type);
      await page
        .locator('#embed-chart', { hasText: /This chart (is not available|could not be shown)\./ })
        .waitFor();
      expect(await page.locator('#embed-chart *:not(p)').count(), body).toBe(0);
      expect(
        await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned),
      ).toBeUndefined();
      await page.close();
    }
  });
});
