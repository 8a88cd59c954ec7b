import { sql } from 'kysely';
import type { Account } from './accounts.ts';
import type { TestDatabase } from './databases.ts';

type Request = (url: string, init?: RequestInit) => Promise<Response>;

export function uploadCsv(
  request: Request,
  account: Account,
  csv: string | Uint8Array | ReadableStream<Uint8Array>,
  query: Record<string, string | string[]> = {},
): Promise<Response> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ name: 'Test data', ...query })) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  return request(`/v1/datasets?${params}`, {
    method: 'POST',
    body: csv,
    headers: { 'Content-Type': 'text/csv', Cookie: account.cookie },
    ...(csv instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

/** What an import left behind: dataset rows and per-dataset tables. */
export async function leftovers(
  database: TestDatabase,
): Promise<{ datasets: number; tables: number }> {
  const { rows } = await sql<{ datasets: number; tables: number }>`
    select (select count(*)::int from datasets) as datasets,
           (select count(*)::int from pg_tables where tablename like 'ds\\_%') as tables`.execute(
    database.db,
  );
  return rows[0] as { datasets: number; tables: number };
}

export interface DatasetBody {
  id: string;
  row_count: number;
  columns: {
    name: string;
    key: string;
    type: string;
    null_count: number;
    min: unknown;
    max: unknown;
    distinct_count: number | null;
  }[];
}
