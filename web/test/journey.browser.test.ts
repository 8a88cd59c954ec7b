// The whole path a person takes, through the pages only: sign up, upload a CSV, build two charts,
// share, embed, download. Once with a mouse on a desktop, once with touch on a 360 px phone.
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChart } from './support/chart-builder.ts';
import { serveOtherSite } from './support/other-site.ts';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const CSV = `day,city,temp\n${Array.from({ length: 90 }, (_, i) => `2024-0${1 + Math.floor(i / 30)}-${String((i % 28) + 1).padStart(2, '0')},${['Paris', 'Lyon', 'Nice'][i % 3]},${(10 + Math.sin(i / 9) * 8).toFixed(1)}`).join('\n')}\n`;

const DEVICES = [
  { name: 'a desktop with a mouse', viewport: { width: 1280, height: 900 }, touch: false },
  { name: 'a 360 px phone with touch', viewport: { width: 360, height: 740 }, touch: true },
];

describe.each(DEVICES)('the journey on $name', (device) => {
  const contextOptions = {
    viewport: device.viewport,
    hasTouch: device.touch,
    isMobile: device.touch,
    acceptDownloads: true,
  };
  /** A tap on a touch screen, a click with a mouse. */
  const press = (target: Locator) => (device.touch ? target.tap() : target.click());
  const noSideways = async (page: Page) =>
    expect(
      await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ),
    ).toBeLessThanOrEqual(0);

  const build = (
    page: Page,
    datasetId: string,
    choices: Record<string, string>,
    visibility: string,
  ) =>
    buildChart(page, stack.web.url, datasetId, choices, visibility, {
      press,
      afterPreview: noSideways,
    });

  it('signs up, uploads, builds, shares, embeds and downloads', async () => {
    const context = await stack.browser.newContext(contextOptions);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await stack.signUp(page, device.touch ? 'Phone Person' : 'Desk Person');

    // Upload, watching the progress bar.
    await page.goto(`${stack.web.url}/datasets/new/`);
    await page.setInputFiles('#file', {
      name: 'weather.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV),
    });
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      const bar = document.getElementById('progress') as HTMLProgressElement;
      new MutationObserver(() => seen.push(bar.value)).observe(
        document.getElementById('progress-box') as HTMLElement,
        { attributes: true, subtree: true, childList: true, characterData: true },
      );
    });
    await press(page.getByRole('button', { name: 'Upload' }));
    await page.locator('#result:not([hidden])').waitFor();
    const progress = await page.evaluate(
      () => (window as unknown as { progressSeen: number[] }).progressSeen,
    );
    expect(progress.at(-1)).toBe(100);
    expect(await page.locator('#result-summary').textContent()).toContain('90 rows, 3 columns');
    const datasetHref = (await page.locator('#open-dataset').getAttribute('href')) ?? '';
    const datasetId = new URLSearchParams(datasetHref.split('?')[1]).get('id') as string;

    // A monthly line chart, public.
    const lineId = await build(
      page,
      datasetId,
      {
        'Chart type': 'line',
        'X axis': 'day',
        'Group by time': 'month',
        Measure: 'avg',
        'Of column': 'temp',
        'Split into series by': 'city',
        Title: 'Monthly temperature',
      },
      'public',
    );
    expect(await page.locator('h1').textContent()).toBe('Monthly temperature');
    await noSideways(page);
    await press(page.getByText('Show the data'));
    expect(await page.locator('#chart-data tbody tr').count()).toBe(9);

    // Download the SVG: a real file, with the chart's title in it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      press(page.getByRole('button', { name: 'Download SVG' })),
    ]);
    expect(download.suggestedFilename()).toBe('Monthly temperature.svg');
    const svg = await readFile((await download.path()) as string, 'utf8');
    expect(svg).toContain('<title');
    expect(svg).toContain('Monthly temperature');
    expect(svg).toContain('fill="#ffffff"');
    // And in the dark theme.
    await page.getByLabel('Download in').selectOption('dark');
    const [dark] = await Promise.all([
      page.waitForEvent('download'),
      press(page.getByRole('button', { name: 'Download SVG' })),
    ]);
    expect(await readFile((await dark.path()) as string, 'utf8')).toContain('fill="#0b1120"');
    const embedCode = await page.locator('#embed-code').inputValue();
    // The Copy buttons put the link and the embed code on the clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: stack.web.url,
    });
    await press(page.getByRole('button', { name: 'Copy link' }));
    await page.getByText('Link copied.').waitFor();
    const shareLink = await page.locator('#share-link').inputValue();
    expect(shareLink).toMatch(/\/c\/[0-9a-f-]{36}$/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shareLink);
    await press(page.getByRole('button', { name: 'Copy embed code' }));
    await page.getByText('Embed code copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(embedCode);

    // A bar chart, unlisted; and a private one.
    const barId = await build(
      page,
      datasetId,
      {
        'Chart type': 'bar',
        'X axis': 'city',
        Measure: 'count',
        Title: 'Readings per city',
      },
      'unlisted',
    );
    expect(await page.locator('#chart-image svg rect').count()).toBeGreaterThan(2);
    const privateId = await build(
      page,
      datasetId,
      { 'Chart type': 'bar', 'X axis': 'city', Measure: 'count', Title: 'Just mine' },
      'private',
    );

    // Someone without an account, on the same kind of device.
    const visitorContext = await stack.browser.newContext(contextOptions);
    const visitor = await visitorContext.newPage();
    await visitor.goto(`${stack.web.url}/c/${lineId}`);
    await visitor.locator('#chart:not([hidden]) h1', { hasText: 'Monthly temperature' }).waitFor();
    await visitor.goto(`${stack.web.url}/c/${barId}`);
    await visitor.locator('#chart:not([hidden]) h1', { hasText: 'Readings per city' }).waitFor();
    await visitor.goto(`${stack.web.url}/c/${privateId}`);
    await visitor.locator('#chart-status', { hasText: 'not yours to see' }).waitFor();
    expect(await visitor.locator('#chart').isHidden()).toBe(true);

    // The gallery lists the public chart only.
    await visitor.goto(`${stack.web.url}/`);
    await visitor.locator(`#gallery a[href="/chart/?id=${lineId}"] svg .marks`).waitFor();
    expect(await visitor.locator(`#gallery a[href="/chart/?id=${barId}"]`).count()).toBe(0);

    // Someone's blog embeds the public chart; the iframe grows to the chart's height.
    const blog = await serveOtherSite(
      `<!doctype html><title>blog</title><p>My post</p>${embedCode}`,
    );
    await visitor.goto(blog.url);
    await visitor.waitForFunction(() => {
      const frame = document.querySelector('iframe[data-chartroom]') as HTMLIFrameElement | null;
      return frame !== null && Number.parseInt(frame.style.height || '0', 10) > 100;
    });
    blog.server.close();

    expect(errors).toEqual([]);
    await visitorContext.close();
    await context.close();
  });
});
