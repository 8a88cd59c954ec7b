import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './support/processes.ts';

/** DESIGN.md: a page ships at most 100 KB of compressed JavaScript. */
const BUDGET_BYTES = 100 * 1024;

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'chartroom-budget-'));
  await buildWeb(outDir, 'https://api.example.com');
});
afterAll(() => rm(outDir, { recursive: true, force: true }));

function htmlPages(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return htmlPages(file);
    return name.endsWith('.html') ? [file] : [];
  });
}

/** Every script a page loads, with the modules those import, statically or lazily. */
function scriptsOf(page: string): Set<string> {
  const html = readFileSync(page, 'utf8');
  const queue = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) =>
    path.join(outDir, m[1] as string),
  );
  // Inline module scripts import chunks too.
  for (const inline of html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)) {
    for (const m of (inline[1] as string).matchAll(
      /(?:from|import)\s*\(?\s*["']([^"']+\.js)["']/g,
    )) {
      queue.push(path.join(outDir, m[1] as string));
    }
  }
  const seen = new Set<string>();
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      queue.push(path.resolve(path.dirname(file), m[1] as string));
    }
  }
  return seen;
}

describe('the JavaScript each page ships', () => {
  it('stays under 100 KB compressed, for every built page', () => {
    const pages = htmlPages(outDir);
    expect(pages.length).toBeGreaterThan(5);
    const sizes = pages.map((page) => {
      let bytes = 0;
      for (const script of scriptsOf(page)) bytes += gzipSync(readFileSync(script)).length;
      return { page: path.relative(outDir, page), bytes };
    });
    for (const { page, bytes } of sizes) {
      expect(
        bytes,
        `${page}: ${(bytes / 1024).toFixed(1)} KB of gzipped JavaScript`,
      ).toBeLessThanOrEqual(BUDGET_BYTES);
    }
    // The pages that draw or fetch do ship something: the measurement is not empty.
    expect(Math.max(...sizes.map((s) => s.bytes))).toBeGreaterThan(1000);
  });
});
