import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOtherSite } from './support/other-site.ts';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('the headers Cloudflare Pages sends with the built site (_headers)', () => {
  it('give every page a CSP that allows the API and denies framing, except embeds', async () => {
    for (const path of ['/', '/chart/?id=x', '/c/x', '/login']) {
      const response = await fetch(`${stack.web.url}${path}`);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy, path).toContain(`connect-src 'self' ${stack.api.url}`);
      expect(policy, path).toContain(`img-src 'self' data: blob: ${stack.api.url}`);
      expect(policy, path).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    for (const path of ['/embed/?id=x', '/embed/x']) {
      const response = await fetch(`${stack.web.url}${path}`);
      const policy = response.headers.get('content-security-policy') ?? '';
      // One policy, not the site-wide one joined to it: that would still forbid framing.
      expect(policy.match(/frame-ancestors/g), path).toEqual(['frame-ancestors']);
      expect(policy, path).toContain('frame-ancestors *');
      expect(response.headers.get('x-frame-options'), path).toBeNull();
    }
  });

  it('let browsers keep hashed assets for a year, and revalidate pages', async () => {
    const html = await (await fetch(stack.web.url)).text();
    const script = html.match(/src="(\/_astro\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${stack.web.url}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(stack.web.url)).headers.get('cache-control')).toBeNull();
  });

  it('are enforced by Chromium: another site can frame an embed, not the app', async () => {
    const blog = await serveOtherSite(`<!doctype html><title>blog</title>
      <iframe id="embed" src="${stack.web.url}/embed/?id=x"></iframe>
      <iframe id="app" src="${stack.web.url}/account"></iframe>`);
    const page = await stack.browser.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') refused.push(message.text());
    });
    try {
      await page.goto(blog.url);
      await page.frameLocator('#embed').locator('#embed-chart').waitFor({ state: 'attached' });
      await expect
        .poll(() => refused.some((text) => text.includes("frame-ancestors 'none'")))
        .toBe(true);
      expect(await page.frameLocator('#app').locator('main').count()).toBe(0);
    } finally {
      await page.close();
      blog.server.close();
    }
  });

  it('are enforced by Chromium: an injected inline script does not run', async () => {
    const { page } = await stack.openPage(`${stack.web.url}/login`);
    await page.locator('main').waitFor();
    const blocked = page.waitForEvent('console', (message) =>
      message.text().includes('Content Security Policy'),
    );
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.injected = "ran"';
      document.body.append(script);
    });
    await blocked;
    expect(await page.evaluate(() => document.body.dataset.injected)).toBeUndefined();
    await page.close();
  });
});
