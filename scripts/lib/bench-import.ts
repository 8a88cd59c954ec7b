// The benchmark's CSV, and its import through the API against psql's \copy of the same file.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { BenchContext } from './bench-context.ts';
import { median, seconds, time } from './bench-measure.ts';

const CATEGORIES = [
  'north',
  'south',
  'east',
  'west',
  'alpha',
  'beta',
  'gamma',
  'delta',
  'red',
  'green',
  'blue',
  'grey',
];
const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'];

/** `rows` rows of ts, category (12 values), a, b, c, note; the same file on every run. */
export async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const start = Date.UTC(2024, 0, 1);
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  out.write('ts,category,a,b,c,note\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const ts = new Date(start + i * 30_000).toISOString().replace('.000Z', 'Z');
    const note = `${WORDS[i % 8]} ${WORDS[(i * 7) % 8]} ${i}`;
    chunk += `${ts},${CATEGORIES[i % 12]},${(random() * 1000).toFixed(2)},${(random() * 50).toFixed(3)},${Math.floor(random() * 10_000)},${note}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise((resolve) => out.once('finish', resolve));
}

/** The upload streamed with node:http, the lightest client at hand, as psql streams the file. */
function upload(ctx: BenchContext, file: string) {
  return new Promise<{ id: string; row_count: number }>((resolve, reject) => {
    const request = httpRequest(
      `${ctx.apiUrl}/v1/datasets?name=bench&visibility=public`,
      { method: 'POST', headers: { 'Content-Type': 'text/csv', Cookie: ctx.cookie } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          response.statusCode === 201
            ? resolve(JSON.parse(body))
            : reject(new Error(`import failed: ${response.statusCode} ${body}`)),
        );
      },
    );
    request.on('error', reject);
    createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(request);
  });
}

/**
 * Baseline: PostgreSQL's own COPY of the same file into a table of the same types. Both sides
 * run three times, alternating, and the medians are compared: this machine is noisy. Answers
 * the dataset of the last import (the earlier ones are deleted).
 */
export async function importFigures(ctx: BenchContext, file: string): Promise<string> {
  const copyTimes: number[] = [];
  const importTimes: number[] = [];
  let created = { id: '', row_count: 0 };
  for (let round = 0; round < 3; round++) {
    await ctx.direct.query('drop table if exists copy_baseline');
    await ctx.direct.query(
      'create table copy_baseline (ts timestamptz, category text, a double precision, b double precision, c bigint, note text)',
    );
    const [copyMs] = await time(async () => {
      execFileSync(
        'psql',
        [ctx.databaseUrl, '-q', '-c', `\\copy copy_baseline from '${file}' csv header`],
        { stdio: 'inherit' },
      );
    });
    copyTimes.push(copyMs);
    if (created.id) {
      await fetch(`${ctx.apiUrl}/v1/datasets/${created.id}`, {
        method: 'DELETE',
        headers: { Cookie: ctx.cookie },
      });
    }
    const [importMs, result] = await time(() => upload(ctx, file));
    importTimes.push(importMs);
    created = result;
  }
  if (created.row_count !== ctx.rows) {
    throw new Error(`imported ${created.row_count} rows, expected ${ctx.rows}`);
  }
  const copyMs = median(copyTimes);
  const importMs = median(importTimes);
  ctx.figures.push({
    name: 'CSV import through the API (median of 3)',
    value: seconds(importMs),
    baseline: `psql \\copy ${seconds(copyMs)} (median of 3)`,
    ratio: copyMs / importMs,
    target: 'speed ≥ 0.5× COPY',
    ok: copyMs / importMs >= 0.5,
  });
  return created.id;
}
