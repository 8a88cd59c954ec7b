import type { Page } from 'playwright-core';

/** The tooltip as read: its title and a [name, value] per line. */
export async function tooltipOf(page: Page, holder: string) {
  const tooltip = page.locator(`${holder} .chart-tooltip:not([hidden])`);
  await tooltip.waitFor();
  return tooltip.evaluate((element) => ({
    title: element.querySelector('.chart-tooltip-title')?.textContent ?? '',
    rows: [...element.querySelectorAll('li')].map((li) => [
      li.querySelector('.chart-tooltip-name')?.textContent ?? li.textContent ?? '',
      li.querySelector('.chart-tooltip-value')?.textContent ?? '',
    ]),
  }));
}

/** A value as the charts write it: a minus sign, thousands separators, a few decimals. */
export const NUMBER = /^\u2212?\d{1,3}(,\d{3})*(\.\d{1,3})?$/;
