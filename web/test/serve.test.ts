// The server `npm start` uses for the site (the web workspace's `preview` script): the headers of
// `_headers`, the rewrites of `_redirects`, and no crash or escape on hostile paths.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesHeaders } from '../src/build/pages-headers.ts';
import { fileInside } from '../src/serve/static-server.ts';
import { freePort } from './support/processes.ts';

const webRoot = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(webRoot, '..');
const API = 'http://localhost:8000';

let site: string;
let child: ChildProcess;
let url: string;

/** A small built site: three pages, the real `_redirects`, and `_headers` as the build writes it. */
async function writeSite(dir: string) {
  for (const [page, text] of [
    ['', 'home'],
    ['chart', 'chart page'],
    ['embed', 'embed page'],
  ]) {
    await mkdir(path.join(dir, page), { recursive: true });
    await writeFile(path.join(dir, page, 'index.html'), `<!doctype html><title>${text}</title>`);
  }
  await copyFile(path.join(webRoot, 'public/_redirects'), path.join(dir, '_redirects'));
  await writeFile(
    path.join(dir, '_headers'),
    pagesHeaders({ apiOrigins: [API], inlineScriptHashes: [] }),
  );
}

beforeAll(async () => {
  site = await mkdtemp(path.join(tmpdir(), 'chartroom-serve-'));
  await writeSite(path.join(site, 'dist'));
  // A file beside the site, with a name the site's folder is a prefix of: never reachable.
  await writeFile(path.join(site, 'dist-secret.txt'), 'secret');
  await writeFile(path.join(site, 'secret.txt'), 'secret');
  const port = await freePort();
  const args = ['--', path.join(site, 'dist'), '--port', String(port), '--host', '127.0.0.1'];
  // Exactly what `npm start` runs (scripts/start.js), when the suite runs under npm.
  const npm = process.env.npm_execpath;
  child = spawn(
    process.execPath,
    npm
      ? [npm, 'run', 'preview', '-w', 'web', '--silent', ...args]
      : [path.join(webRoot, 'src/serve/serve.ts'), ...args.slice(1)],
    { cwd: repoRoot, stdio: 'ignore', detached: true },
  );
  url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetch(url);
      break;
    } catch {
      if (attempt > 200) throw new Error('the web server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
});
afterAll(async () => {
  // npm starts a shell that starts node: the whole group goes.
  if (child?.pid) process.kill(-child.pid, 'SIGTERM');
  await rm(site, { recursive: true, force: true });
});

describe('the web server of npm start', () => {
  it('is what npm start and the preview script run', async () => {
    const web = JSON.parse(await readFile(path.join(webRoot, 'package.json'), 'utf8'));
    expect(web.scripts.preview).toBe('node src/serve/serve.ts --port 4321');
    const start = await readFile(path.join(repoRoot, 'scripts/start.js'), 'utf8');
    expect(start).toContain("npm(['run', 'preview', '-w', 'web'");
  });

  it('sends the CSP and X-Frame-Options of _headers', async () => {
    const id = randomUUID();
    for (const page of ['/', '/chart/', `/c/${id}`, '/nowhere']) {
      const response = await fetch(`${url}${page}`);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy, page).toContain(`connect-src 'self' ${API}`);
      expect(policy, page).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options'), page).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), page).toBe('nosniff');
    }
    const embed = await fetch(`${url}/embed/${id}`);
    expect(embed.headers.get('content-security-policy')).toMatch(/frame-ancestors \*$/);
    expect(embed.headers.get('x-frame-options')).toBeNull();
  });

  it('rewrites the pretty chart URLs of _redirects', async () => {
    const id = randomUUID();
    expect(await (await fetch(`${url}/c/${id}`)).text()).toContain('chart page');
    expect(await (await fetch(`${url}/embed/${id}`)).text()).toContain('embed page');
    expect(await (await fetch(`${url}/embed/?id=${id}`)).text()).toContain('embed page');
  });

  it('answers 400 to a malformed percent-encoding, and keeps serving', async () => {
    for (const page of ['/%E0', '/c/%E0', '/embed/%', '/%00']) {
      expect((await fetch(`${url}${page}`)).status, page).toBe(400);
    }
    expect((await fetch(url)).status).toBe(200);
  });

  it('serves nothing outside the site, nor its rule files', async () => {
    for (const page of [
      '/..%2Fsecret.txt',
      '/%2e%2e/secret.txt',
      '/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '/..%5Csecret.txt',
      '/_headers',
      '/_redirects',
    ]) {
      const response = await fetch(`${url}${page}`);
      expect(response.status, page).toBe(404);
      expect(await response.text(), page).not.toContain('secret');
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('resolves paths inside the root by path, not by string prefix', () => {
    const root = path.join(tmpdir(), 'site');
    expect(fileInside(root, '/a/b.html')).toBe(path.join(root, 'a/b.html'));
    expect(fileInside(root, '/../site-evil/x')).toBe(path.join(root, 'site-evil/x'));
    expect(fileInside(root, '/a/../../../etc/passwd')).toBe(path.join(root, 'etc/passwd'));
  });
});
