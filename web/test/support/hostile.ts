import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';

/**
 * What an attacker can put in a public dataset and chart: markup that runs script, steals an API
 * key or navigates the page if any page inserts it as HTML. No spaces and no double quotes in
 * the key-stealing handler: it must survive being a JSON string read as HTML.
 */
export function hostileMarkup(apiUrl: string): string[] {
  const steal =
    `window.__pwned=1;fetch(\`${apiUrl}/v1/api-keys\`,{method:\`POST\`,credentials:\`include\`,` +
    'headers:{[`Content-Type`]:`application/json`},body:JSON.stringify({name:`pwned`,scopes:[`read`,`write`]})})';
  return [
    '<img src=x onerror="window.__pwned=1">',
    `<img src=x onerror=${steal}>`,
    '<script>window.__pwned=1</script>',
    '<meta http-equiv=refresh content=0;url=/login>',
  ];
}

export interface HostileData {
  datasetId: string;
  chartId: string;
  name: string;
  title: string;
}

/** An attacker's account with a public dataset and chart whose every text is hostile markup. */
export async function createHostileData(apiUrl: string): Promise<HostileData> {
  const markup = hostileMarkup(apiUrl);
  const signup = await fetch(`${apiUrl}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      email: `attacker-${randomUUID()}@example.com`,
      password: 'an attacker password',
      display_name: markup[0],
    }),
  });
  if (!signup.ok) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const cookie = signup.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie, Origin: apiUrl },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  // Column names and titles hold at most 200 characters: the short markup goes there.
  const [label, value] = [markup[0] as string, markup[2] as string];
  const name = `Sales ${markup[0]}`;
  const dataset = await post('/v1/datasets', {
    name,
    description: markup.join(' '),
    visibility: 'public',
    rows: ['a', 'b', 'c'].map((city, i) => ({
      [label]: `${city} ${i === 0 ? markup[1] : markup[3]}`,
      [value]: i + 1,
    })),
  });
  const title = `Chart ${markup[0]}`;
  const chart = await post('/v1/charts', {
    dataset_id: dataset.id,
    title,
    description: markup.join(' '),
    visibility: 'public',
    spec: { type: 'bar', x: { column: label }, y: [{ column: value, aggregate: 'sum' }] },
  });
  return { datasetId: dataset.id, chartId: chart.id, name, title };
}

/** The ids a crafted link can carry: another resource's path, and `/`, `?`, `#`, quotes, markup. */
export function craftedIds(datasetId: string): string[] {
  return [
    `../datasets/${datasetId}?`,
    `${datasetId}/`,
    `${datasetId}?x=1`,
    `${datasetId}#x`,
    `${datasetId}"'`,
    '"><img src=x onerror="window.__pwned=1">',
    '',
  ];
}

export interface Watch {
  /** Requests the page made to the API. */
  apiRequests: string[];
  /** Main-frame navigations after the first load. */
  navigations: string[];
}

/** Records what a page asks the API for and where it goes, from the first load on. */
export function watch(page: Page, apiUrl: string): Watch {
  const seen: Watch = { apiRequests: [], navigations: [] };
  let loads = 0;
  page.on('request', (request) => {
    if (request.url().startsWith(apiUrl)) seen.apiRequests.push(request.url());
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame() && loads++ > 0) seen.navigations.push(frame.url());
  });
  return seen;
}

/** What hostile markup leaves behind in a page: elements it would add, and the flag its scripts set. */
export async function traces(page: Page) {
  return page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
    elements: [...document.querySelectorAll('body img, body script, body meta, body iframe')]
      .map((element) => element.outerHTML)
      .filter(
        (html) => html.includes('__pwned') || html.includes('refresh') || /src="?x\b/.test(html),
      ),
  }));
}
