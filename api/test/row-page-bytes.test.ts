import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { type DatasetBody, uploadCsv } from './support/datasets.ts';

const KiB = 1024;
const PAGE_BYTES = 64 * KiB;

type Page = {
  rows: { id: number; a: string | null; b: string | null }[];
  next_cursor: string | null;
};

/**
 * 60 rows: most carry 10 KiB of text, row 30 carries 100 KiB (more than a page may hold, so
 * it comes alone), every fifth row none at all.
 */
const ROWS = Array.from({ length: 60 }, (_, i) => {
  const id = i + 1;
  if (id === 30) return { id, a: 'x'.repeat(50 * KiB), b: '"q"'.repeat(17 * KiB) };
  if (id % 5 === 0) return { id, a: '', b: '' };
  return { id, a: String.fromCharCode(97 + (i % 26)).repeat(10 * KiB), b: 'é' };
});
const quoted = (text: string) => (text ? `"${text.replaceAll('"', '""')}"` : '');
const CSV = `id,a,b\n${ROWS.map((r) => `${r.id},${quoted(r.a)},${quoted(r.b)}`).join('\n')}\n`;

// Issue 10: a page of rows stops at a byte budget, so large cells cannot make one answer of
// hundreds of megabytes (or a RangeError when the JSON passes V8's longest string).
describe.each(testEngines)('pages of rows are bounded in bytes, on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let dataset: DatasetBody;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database, { ROWS_PAGE_MAX_BYTES: String(PAGE_BYTES) }));
    owner = await signUp(request, 'Bigcells');
    const response = await uploadCsv(request, owner, CSV, { name: 'Big cells' });
    expect(response.status, await response.clone().text()).toBe(201);
    dataset = (await response.json()) as DatasetBody;
  });
  afterAll(() => database.close());

  const page = async (query: string): Promise<Page> => {
    const response = await request(`/v1/datasets/${dataset.id}/rows?${query}`, {
      headers: { Cookie: owner.cookie },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Page;
  };

  async function allPages(query: string) {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const next = await page(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(next);
      cursor = next.next_cursor;
    } while (cursor && pages.length < 100);
    return pages;
  }

  it('cuts a page before its limit when its cells pass the budget, and goes on from there', async () => {
    const pages = await allPages('limit=1000');
    const ids = pages.flatMap((p) => p.rows.map((r) => r.id));
    expect(ids).toEqual(ROWS.map((r) => r.id));
    expect(pages.length).toBeGreaterThan(6);
    for (const p of pages) {
      const bytes = p.rows.reduce((sum, r) => sum + (r.a?.length ?? 0) + (r.b?.length ?? 0), 0);
      // A row larger than the budget comes alone; no other page passes it.
      if (p.rows.length > 1) expect(bytes).toBeLessThanOrEqual(PAGE_BYTES);
    }
    const big = pages.find((p) => p.rows.some((r) => r.id === 30));
    expect(big?.rows.map((r) => r.id)).toEqual([30]);
    expect(big?.rows[0]?.b).toBe(ROWS[29]?.b);
    expect(pages.at(-1)?.next_cursor).toBeNull();
  });

  it('keeps a page whole when it fits, and says when no rows follow', async () => {
    const small = await page('limit=3&select=id');
    expect(small.rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(small.next_cursor).not.toBeNull();
    const all = await page('limit=1000&select=id');
    expect(all.rows).toHaveLength(60);
    expect(all.next_cursor).toBeNull();
  });

  it('pages in any sort order, by bytes, without losing or repeating a row', async () => {
    const pages = await allPages('limit=1000&sort=-a&select=id&select=a');
    const ids = pages.flatMap((p) => p.rows.map((r) => r.id));
    expect([...ids].sort((x, y) => x - y)).toEqual(ROWS.map((r) => r.id));
    expect(pages.length).toBeGreaterThan(6);
  });

  it('streams every row of an export, whatever their size', async () => {
    for (const accept of ['text/csv', 'application/x-ndjson']) {
      const response = await request(`/v1/datasets/${dataset.id}/rows`, {
        headers: { Cookie: owner.cookie, Accept: accept },
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      const lines = text.trim().split(/\r?\n/);
      expect(lines).toHaveLength(accept === 'text/csv' ? 61 : 60);
      if (accept !== 'text/csv') {
        expect(lines.map((line) => JSON.parse(line).id)).toEqual(ROWS.map((r) => r.id));
        expect(JSON.parse(lines[29] as string).b).toBe(ROWS[29]?.b);
      }
    }
  });
});
