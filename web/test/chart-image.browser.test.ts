import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('the chart image', () => {
  it('is well-formed SVG that Chromium renders to a non-empty picture', async () => {
    const api = stack.api.url;
    const signup = await fetch(`${api}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: `svg-${randomUUID()}@example.com`,
        password: 'svg test password',
        display_name: 'Svg',
      }),
    });
    const cookie = signup.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const csv = `month,sales\n${Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}-01,${100 + i * 15}`).join('\n')}\n`;
    const dataset = (await (
      await fetch(`${api}/v1/datasets?name=Sales&visibility=public`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Cookie: cookie },
        body: csv,
      })
    ).json()) as { id: string };
    const chart = (await (
      await fetch(`${api}/v1/charts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie },
        body: JSON.stringify({
          dataset_id: dataset.id,
          title: 'Monthly sales',
          visibility: 'public',
          spec: { type: 'bar', x: { column: 'month' }, y: [{ column: 'sales', aggregate: 'sum' }] },
        }),
      })
    ).json()) as { id: string };

    const page = await stack.browser.newPage({ viewport: { width: 800, height: 450 } });
    const response = await page.goto(`${api}/v1/charts/${chart.id}/image.svg`);
    expect(response?.status()).toBe(200);
    // An XML parse error would make Chromium show an error page instead of an <svg> root.
    expect(await page.evaluate(() => document.documentElement.tagName)).toBe('svg');
    expect(await page.evaluate(() => document.getElementsByTagName('parsererror').length)).toBe(0);
    expect(await page.evaluate(() => document.querySelector('title')?.textContent)).toBe(
      'Monthly sales',
    );
    expect(await page.evaluate(() => document.querySelectorAll('rect').length)).toBeGreaterThan(12);
    // Most of the picture is background; the bars make a good share of it something else.
    const png = await page.screenshot();
    const canvasPage = await stack.browser.newPage();
    await canvasPage.setContent('<!doctype html><title>pixels</title>');
    const colours = await canvasPage.evaluate(async (data) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(image, 0, 0);
      const { data: pixels } = context.getImageData(0, 0, image.width, image.height);
      let coloured = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (Math.abs((pixels[i] ?? 0) - (pixels[i + 2] ?? 0)) > 40) coloured++;
      }
      return coloured / (pixels.length / 4);
    }, png.toString('base64'));
    expect(colours).toBeGreaterThan(0.05);
    await canvasPage.close();
    await page.close();
  });
});
