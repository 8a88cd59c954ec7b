// Lighthouse (mobile profile) over the built site, served as Cloudflare Pages would serve it, on
// an API with the sample data. Prints performance and accessibility per page, next to a baseline
// measured in the same run: a bare HTML page from the same server. Run alone with
// `npm run lighthouse`, or as part of `npm run bench`. Talks only to 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import { serveStatic } from '../web/src/serve/static-server.ts';
import { CHROMIUM_FLAGS, chromiumPath } from '../web/test/support/chromium.ts';
import { buildWeb, freePort, startApi } from '../web/test/support/processes.ts';
import { repoRoot } from './lib/paths.ts';

export interface LighthouseResult {
  page: string;
  performance: number;
  accessibility: number;
  /** Largest contentful paint and total blocking time, simulated on a mid-range phone. */
  lcpMs: number;
  tbtMs: number;
}

async function seed(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/seed.ts')], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: '', PGLITE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`seeding failed (${code})`);
}

async function startChromium(): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    chromiumPath(),
    [...CHROMIUM_FLAGS, `--remote-debugging-port=${port}`, 'about:blank'],
    { stdio: 'ignore' },
  );
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/json/version`)).ok) break;
    } catch {
      // starting
    }
    if (attempt > 100) throw new Error('Chromium did not open its debugging port');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, stop: () => child.kill('SIGKILL') };
}

/** Audits each page of the site; the first entry is the baseline. */
export async function runLighthouse(): Promise<LighthouseResult[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'chartroom-lighthouse-'));
  const dataDir = path.join(dir, 'db');
  const outDir = path.join(dir, 'site');
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await seed(dataDir);
  await buildWeb(outDir, apiUrl);
  await writeFile(
    path.join(outDir, 'baseline.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Baseline</title></head><body><main><h1>Baseline</h1><p>A bare page from the same server.</p></main></body></html>',
  );
  const web = await serveStatic(outDir);
  const api = await startApi({ PGLITE_DATA_DIR: dataDir, CORS_ORIGINS: web.url }, apiPort);
  const chromium = await startChromium();
  try {
    const charts = (await (await fetch(`${apiUrl}/v1/charts`)).json()) as {
      items: { id: string }[];
    };
    const datasets = (await (await fetch(`${apiUrl}/v1/datasets`)).json()) as {
      items: { id: string }[];
    };
    const chartId = charts.items[0]?.id;
    const datasetId = datasets.items[0]?.id;
    if (!chartId || !datasetId) throw new Error('the sample data has no public chart or dataset');
    const pages: [name: string, path: string][] = [
      ['baseline (bare HTML)', '/baseline.html'],
      ['home and gallery', '/'],
      ['chart page', `/c/${chartId}`],
      ['embed page', `/embed/${chartId}`],
      ['dataset page', `/dataset/?id=${datasetId}`],
      ['datasets', '/datasets/'],
      ['sign up', '/signup/'],
    ];
    const results: LighthouseResult[] = [];
    for (const [name, pagePath] of pages) {
      const run = await lighthouse(`${web.url}${pagePath}`, {
        port: chromium.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
      });
      const lhr = run?.lhr;
      if (!lhr) throw new Error(`Lighthouse returned nothing for ${pagePath}`);
      // Full reports, to see why a score is what it is.
      const reports = process.env.LIGHTHOUSE_REPORTS;
      if (reports) {
        await writeFile(
          path.join(reports, `${name.replace(/\W+/g, '-')}.json`),
          run.report as string,
        );
      }
      if (lhr.runtimeError) throw new Error(`${pagePath}: ${lhr.runtimeError.message}`);
      results.push({
        page: name,
        performance: Math.round((lhr.categories.performance?.score ?? 0) * 100),
        accessibility: Math.round((lhr.categories.accessibility?.score ?? 0) * 100),
        lcpMs: lhr.audits['largest-contentful-paint']?.numericValue ?? Number.NaN,
        tbtMs: lhr.audits['total-blocking-time']?.numericValue ?? Number.NaN,
      });
    }
    return results;
  } finally {
    chromium.stop();
    await api.stop();
    web.server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function printLighthouse(results: LighthouseResult[]): boolean {
  const [baseline, ...pages] = results as [LighthouseResult, ...LighthouseResult[]];
  console.log(
    `\nLighthouse ${'(mobile profile, Debian Chromium)'} — baseline: ${baseline.page}, performance ${baseline.performance}, accessibility ${baseline.accessibility}`,
  );
  let ok = true;
  for (const r of pages) {
    const met = r.performance >= 95 && r.accessibility >= 95;
    ok &&= met;
    console.log(
      `  ${met ? 'ok  ' : 'MISS'} ${r.page}: performance ${r.performance} (ratio ${(r.performance / baseline.performance).toFixed(2)}), accessibility ${r.accessibility} (ratio ${(r.accessibility / baseline.accessibility).toFixed(2)}); LCP ${r.lcpMs.toFixed(0)} ms, TBT ${r.tbtMs.toFixed(0)} ms (target ≥ 95 each)`,
    );
  }
  return ok;
}

if (import.meta.main) printLighthouse(await runLighthouse());
