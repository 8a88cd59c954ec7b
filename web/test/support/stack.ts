import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serveStatic } from '../../src/serve/static-server.ts';
import { launchChromium } from './chromium.ts';
import { type ApiProcess, buildWeb, freePort, startApi } from './processes.ts';

export interface Stack {
  api: ApiProcess;
  web: { url: string; server: Server };
  browser: Browser;
  /** A page that records console errors (a CSP violation, a failed script) in `errors`. */
  openPage: (url: string, width?: number) => Promise<{ page: Page; errors: string[] }>;
  /** Signs a new person up through the web app's own form; the page ends on /account. */
  signUp: (page: Page, name: string) => Promise<void>;
  /** Calls the API through the page's own session, as the web app does; answers its JSON. */
  apiCall: <T>(
    page: Page,
    path: string,
    init: { method: string; body: string; type: string },
  ) => Promise<T>;
  stop: () => Promise<void>;
}

/**
 * The whole app as a user meets it: the site built for this API's address and served
 * statically, the API as its own process on an in-memory PGlite, and Chromium.
 */
export async function startStack(apiEnv: Record<string, string> = {}): Promise<Stack> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'chartroom-web-'));
  const apiPort = await freePort();
  const [web, browser] = await Promise.all([
    buildWeb(outDir, `http://127.0.0.1:${apiPort}`).then(() => serveStatic(outDir)),
    launchChromium(),
  ]);
  const api = await startApi({ CORS_ORIGINS: web.url, ...apiEnv }, apiPort);
  return {
    api,
    web,
    browser,
    openPage: async (url, width = 360) => {
      const page = await browser.newPage({ viewport: { width, height: 740 } });
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url);
      return { page, errors };
    },
    signUp: async (page, name) => {
      await page.goto(`${web.url}/signup`);
      await page.getByLabel('Your name').fill(name);
      await page
        .getByLabel('Email')
        .fill(`${name.toLowerCase().replace(/\W+/g, '-')}-${randomUUID()}@example.com`);
      await page.getByLabel('Password').fill('a long enough passphrase');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForURL(`${web.url}/account`);
    },
    apiCall: (page, route, init) =>
      page.evaluate(
        async ({ url, init }) => {
          const response = await fetch(url, {
            method: init.method,
            body: init.body,
            credentials: 'include',
            headers: { 'Content-Type': init.type },
          });
          return response.json();
        },
        { url: `${api.url}${route}`, init },
      ),
    stop: async () => {
      await browser.close();
      await api.stop();
      web.server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
