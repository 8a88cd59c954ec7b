import { describe, expect, it } from 'vitest';
import {
  apiOriginFrom,
  apiOriginsFrom,
  inlineScriptHashesOf,
  pagesHeaders,
} from '../src/build/pages-headers.ts';
import { apiBaseUrlFrom } from '../src/lib/api/base-url.ts';
import { headersFor, parseHeaders } from '../src/serve/pages-rules.ts';

const served = (path: string, inlineScriptHashes: string[] = []) =>
  headersFor(
    parseHeaders(pagesHeaders({ apiOrigins: ['https://api.example.com'], inlineScriptHashes })),
    path,
  );

describe('_headers for Cloudflare Pages', () => {
  it('gives pages, pretty chart URLs and 404s a CSP naming the API, with framing denied', () => {
    for (const path of ['/', '/chart/', '/c/abc', '/datasets/new/', '/nowhere']) {
      const headers = served(path);
      const policy = headers['content-security-policy'];
      expect(policy, path).toContain("script-src 'self';");
      expect(policy, path).toContain("connect-src 'self' https://api.example.com;");
      expect(policy, path).toContain("img-src 'self' data: blob: https://api.example.com;");
      expect(policy, path).toMatch(/frame-ancestors 'none'$/);
      expect(headers['x-frame-options'], path).toBe('DENY');
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['cache-control'], path).toBeUndefined();
    }
  });

  it('lets any site frame the embed page, with one policy and no X-Frame-Options', () => {
    for (const path of ['/embed/', '/embed/abc']) {
      const headers = served(path);
      expect(headers['content-security-policy'], path).toMatch(/; frame-ancestors \*$/);
      expect(headers['content-security-policy'], path).not.toContain(', ');
      expect(headers['x-frame-options'], path).toBeUndefined();
      expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    }
  });

  it('caches the hashed assets under /_astro for a year', () => {
    expect(served('/_astro/client.BWZEVVIR.js')['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
  });

  it('allows the inline scripts of the build by their hashes', () => {
    const hashes = inlineScriptHashesOf(
      '<script type="module" src="/_astro/a.js"></script><script>alert(1)</script><script> </script>',
    );
    expect(hashes).toEqual(['sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=']);
    expect(served('/', hashes)['content-security-policy']).toContain(
      "script-src 'self' 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=';",
    );
  });

  it('refuses to write a line Cloudflare Pages would ignore', () => {
    const hashes = Array.from({ length: 60 }, (_, i) => `sha256-${String(i).padStart(44, 'x')}`);
    expect(() =>
      pagesHeaders({ apiOrigins: ['https://api.example.com'], inlineScriptHashes: hashes }),
    ).toThrow(/over 2000 characters/);
  });
});

describe('the API origin from PUBLIC_API_URL', () => {
  it('defaults to the local API and keeps only the origin', () => {
    expect(apiOriginFrom(undefined)).toBe('http://localhost:8000');
    expect(apiOriginFrom('')).toBe('http://localhost:8000');
    expect(apiOriginFrom('https://api.example.com/')).toBe('https://api.example.com');
    expect(apiOriginFrom('https://example.com:8443/api')).toBe('https://example.com:8443');
  });

  it('without a setting, allows the local API under each local name, and the page calls its own', () => {
    expect(apiOriginsFrom(undefined)).toEqual(['http://localhost:8000', 'http://127.0.0.1:8000']);
    expect(apiOriginsFrom('https://api.example.com/v')).toEqual(['https://api.example.com']);
    // A page on 127.0.0.1 calling localhost would be cross-site: no session cookie.
    const page = (hostname: string) => ({ protocol: 'http:', hostname });
    expect(apiBaseUrlFrom(undefined, page('127.0.0.1'))).toBe('http://127.0.0.1:8000');
    expect(apiBaseUrlFrom(undefined, page('localhost'))).toBe('http://localhost:8000');
    expect(apiBaseUrlFrom(undefined, page('charts.example.com'))).toBe('http://localhost:8000');
    expect(apiBaseUrlFrom('https://api.example.com/', page('127.0.0.1'))).toBe(
      'https://api.example.com',
    );
  });

  it('names the setting when it is not an http(s) URL', () => {
    expect(() => apiOriginFrom('api.example.com')).toThrow(
      /PUBLIC_API_URL must be an absolute URL/,
    );
    expect(() => apiOriginFrom('ftp://api.example.com')).toThrow(/http:\/\/ or https:\/\//);
  });
});
