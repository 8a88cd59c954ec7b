// Files past a megabyte go through the import's fast path (plain lines copied as they are)
// mixed with lines that need the full CSV rules; these tests check that nothing is lost between
// the two, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { type DatasetBody, leftovers, uploadCsv } from './support/datasets.ts';

type Row = Record<string, string | number | boolean | null>;

/** The CSV text of a cell, quoted when it must be. */
const cell = (value: string | number | boolean | null, delimiter: string) => {
  if (value === null) return '';
  const text = String(value);
  return /["\r\n]/.test(text) || text.includes(delimiter)
    ? `"${text.replaceAll('"', '""')}"`
    : text;
};

/** Odd-sized chunks, cut without regard to lines or UTF-8 characters. */
function streamOf(bytes: Uint8Array, chunk = 65_521): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + chunk));
      at += chunk;
    },
  });
}

const NAMES = ['id', 'label', 'amount', 'when', 'flag', 'note'];

/** Plain rows, with rows that need quoting, escaping or care scattered through them. */
function sampleRows(count: number): Row[] {
  const specials: Record<number, Partial<Row>> = {
    3: { note: 'a, "quoted" note' },
    7000: { note: 'two\nlines' },
    7001: { note: 'C:\\temp\\new' },
    7002: { note: '\\N' },
    7003: { note: 'tab\there', label: 'semi;colon' },
    7004: { amount: null, when: null, flag: null, note: null },
    19999: { note: 'crlf\r\ninside' },
    20000: { note: 'é ü 日本 🎉' },
    30000: { note: '\\.' },
  };
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    label: `label ${i % 17}`,
    amount: (i * 7) % 1000 === 0 ? null : Number(((i * 37) % 100_000) / 100),
    when: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    flag: i % 3 === 0,
    note: i % 11 === 0 ? `ünïcödé ${i}` : `note ${i}`,
    ...specials[i],
  }));
}

function csvOf(rows: Row[], delimiter = ',', lineEnd = (_i: number) => '\n') {
  const lines = rows.map(
    (row, i) =>
      NAMES.map((name) => cell(row[name] ?? null, delimiter)).join(delimiter) + lineEnd(i),
  );
  return `${NAMES.join(delimiter)}\n${lines.join('')}`;
}

describe.each(testEngines)('large CSV files on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let account: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    account = await signUp(request, 'Bulk');
  });
  afterAll(() => database.close());

  const upload = async (csv: string | Uint8Array, query: Record<string, string | string[]> = {}) =>
    uploadCsv(request, account, streamOf(typeof csv === 'string' ? Buffer.from(csv) : csv), query);

  /** Every row, through the NDJSON export. */
  const exported = async (id: string): Promise<Row[]> => {
    const response = await request(`/v1/datasets/${id}/rows?format=ndjson`, {
      headers: { Cookie: account.cookie },
    });
    expect(response.status).toBe(200);
    return (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Row);
  };
  /** Timestamps compared as instants, whatever notation the export uses. */
  const normalised = (rows: Row[]) =>
    rows.map((row) => ({
      ...row,
      when: row.when === null ? null : new Date(row.when as string).toISOString(),
    }));

  it.each([
    [',', 'comma'],
    [';', 'semicolon'],
    ['\t', 'tab'],
  ])('keeps every value of a 40,000-row file delimited by %j (%s)', async (delimiter) => {
    const rows = sampleRows(40_000);
    const response = await upload(csvOf(rows, delimiter));
    expect(response.status).toBe(201);
    const body = (await response.json()) as DatasetBody;
    expect(body.row_count).toBe(40_000);
    expect(body.columns.map((c) => c.type)).toEqual([
      'integer',
      'text',
      'number',
      'timestamp',
      'boolean',
      'text',
    ]);
    const amount = body.columns[2];
    expect(amount?.null_count).toBe(rows.filter((r) => r.amount === null).length);
    expect(normalised(await exported(body.id))).toEqual(normalised(rows));
  });

  it('keeps a file with CRLF lines, blank lines and a BOM', async () => {
    const rows = sampleRows(30_000);
    const csv = csvOf(rows, ',', (i) => (i % 5000 === 0 ? '\r\n\r\n' : i > 25_000 ? '\r\n' : '\n'));
    const response = await upload(`\uFEFF${csv}`);
    expect(response.status).toBe(201);
    const body = (await response.json()) as DatasetBody;
    expect(body.columns[0]?.name).toBe('id');
    expect(normalised(await exported(body.id))).toEqual(normalised(rows));
  });

  it('a value late in the file that breaks the guessed type turns the column to text, exactly as written', async () => {
    const rows = sampleRows(30_000).map((row, i) => ({
      ...row,
      id: i === 29_000 ? 'n/a' : i % 2 ? `+${i}` : i,
    }));
    const response = await upload(csvOf(rows));
    expect(response.status).toBe(201);
    const body = (await response.json()) as DatasetBody;
    expect(body.columns[0]?.type).toBe('text');
    const back = await exported(body.id);
    expect(back.map((row) => row.id)).toEqual(rows.map((row) => String(row.id)));
  });

  it('names the line of a ragged row and of invalid UTF-8 deep in the file, keeping nothing', async () => {
    const before = await leftovers(database);
    const csv = csvOf(sampleRows(30_000));
    const lines = csv.split('\n');
    lines[25_000] = `${lines[25_000]},extra`;
    const ragged = await upload(lines.join('\n'));
    expect(ragged.status).toBe(422);
    expect((await readProblem(ragged)).detail).toBe(
      'line 25001: this row has 7 fields, but the header has 6',
    );

    const bytes = Buffer.from(csv);
    const at = bytes.indexOf('note 27000');
    bytes[at] = 0xff;
    const invalid = await upload(bytes);
    expect(invalid.status).toBe(422);
    // Row 27,000 is on line 27,004: the header, and two notes before it that hold a line break.
    expect((await readProblem(invalid)).detail).toMatch(/^line 27004: the file is not valid UTF-8/);

    expect(await leftovers(database)).toEqual(before);
  });

  it('appends a large file, checking each value against the column types', async () => {
    const first = await upload(csvOf(sampleRows(100)));
    const { id } = (await first.json()) as DatasetBody;
    const more = sampleRows(30_000).map((row) => ({ ...row, id: (row.id as number) + 100 }));
    const append = (csv: string) =>
      request(`/v1/datasets/${id}/rows`, {
        method: 'POST',
        body: streamOf(Buffer.from(csv)),
        headers: { 'Content-Type': 'text/csv', Cookie: account.cookie },
        duplex: 'half',
      } as RequestInit);

    const bad = more.map((row, i) => (i === 28_000 ? { ...row, amount: 'lots' } : row));
    const refused = await append(csvOf(bad));
    expect(refused.status).toBe(422);
    expect((await readProblem(refused)).detail).toBe(
      'line 28004, column "amount": "lots" is not a number',
    );

    const accepted = await append(csvOf(more));
    expect(accepted.status).toBe(201);
    expect(normalised(await exported(id))).toEqual(normalised([...sampleRows(100), ...more]));
  });
});
