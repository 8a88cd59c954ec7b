import type { Locator, Page } from 'playwright-core';

export interface BuildOptions {
  /** How a button is pressed: a click by default, a tap on a touch screen. */
  press?: (target: Locator) => Promise<void>;
  /** Runs once the live preview is drawn, before saving. */
  afterPreview?: (page: Page) => Promise<void>;
}

/**
 * Makes a chart with the builder page, choosing each labelled menu's value (or typing the
 * title), and saves it; resolves with the new chart's id once its page shows it.
 */
export async function buildChart(
  page: Page,
  webUrl: string,
  datasetId: string,
  choices: Record<string, string>,
  visibility: string,
  options: BuildOptions = {},
): Promise<string> {
  await page.goto(`${webUrl}/charts/new/?dataset=${datasetId}`);
  await page.locator('#b-x option').first().waitFor({ state: 'attached' });
  for (const [label, value] of Object.entries(choices)) {
    if (label === 'Title') await page.getByLabel(label).fill(value);
    else await page.getByLabel(label, { exact: true }).selectOption(value);
  }
  await page.locator('#preview svg').waitFor();
  await options.afterPreview?.(page);
  await page.getByLabel('Who can see it').selectOption(visibility);
  const save = page.getByRole('button', { name: 'Save chart' });
  await (options.press ? options.press(save) : save.click());
  await page.waitForURL(/\/chart\/\?id=/);
  // The page shows its title first and draws once the data arrives: ready when drawn.
  await page.locator('#chart-image svg .marks').waitFor();
  return new URL(page.url()).searchParams.get('id') as string;
}
