import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, StoredColumn } from '../db/schema.ts';
import { jsonCell, outputSql } from './dataset-table.ts';
import { afterCursorSql, type Cursor, orderBySql, type SortKey } from './row-query.ts';

type Db = Kysely<Database>;

export interface RowsRequest {
  columns: StoredColumn[];
  where: RawBuilder<boolean>[];
  sort: SortKey[];
  cursor?: Cursor;
  limit: number;
}

const cursorValuesSql = (sort: SortKey[]) =>
  sort.map(({ column }, index) => sql`${sql.ref(column.key)}::text as ${sql.id(`k${index}`)}`);

const conditionsSql = (table: string, request: Omit<RowsRequest, 'limit'>) => {
  const conditions = [...request.where];
  if (request.cursor) conditions.push(afterCursorSql(table, request.sort, request.cursor));
  return conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
};

/** The rows a request asks for, in keyset order, with what a cursor needs; no limit. */
export function rowsSelect(table: string, request: Omit<RowsRequest, 'limit'>) {
  const outputs = request.columns.map(
    (column, index) => sql`${outputSql(column.key, column.type)} as ${sql.id(`v${index}`)}`,
  );
  // Output aliases never reuse `_row`: ORDER BY would sort by the alias (text), not the column.
  return sql`
    select ${sql.join([...outputs, ...cursorValuesSql(request.sort), sql`_row::text as row_position`])}
    from ${sql.table(table)} ${conditionsSql(table, request)}
    order by ${orderBySql(request.sort)}`;
}

/** A row of rowsSelect as values by column, and its cursor. */
export function readRow(request: Omit<RowsRequest, 'limit'>, row: Record<string, unknown>) {
  return {
    values: request.columns.map((column, index) => jsonCell(column.type, row[`v${index}`])),
    cursor: {
      values: request.sort.map((_, index) => (row[`k${index}`] ?? null) as string | null),
      row: String(row.row_position),
    } satisfies Cursor,
  };
}

/** What a number, date or boolean can take as JSON; text is counted by its length. */
const FIXED_CELL_BYTES = 32;

/**
 * A row's selected cells in bytes, without reading them: the length of a stored text is kept
 * beside it (no detoasting), and the other types are small.
 */
function rowBytesSql(columns: StoredColumn[]): RawBuilder<number> {
  const text = columns.filter((column) => column.type === 'text');
  const fixed = (columns.length - text.length) * FIXED_CELL_BYTES;
  const lengths = text.map((column) => sql`coalesce(octet_length(${sql.ref(column.key)}), 0)`);
  return sql<number>`(${sql.join([sql.lit(fixed), ...lengths], sql` + `)})::bigint`;
}

/**
 * One page of rows in keyset order: up to `limit` rows, fewer when their cells pass `maxBytes`
 * (the first row always comes), so no page outgrows memory however large its cells; `more`
 * says whether rows follow it. The database counts the bytes as it reads the rows in order, and
 * only the rows kept are read out: one more row comes back, without its values, to tell that
 * the page was cut.
 */
export async function pageOfRows(
  db: Db,
  table: string,
  request: RowsRequest & { maxBytes: number },
) {
  const keys = [...new Set([...request.columns, ...request.sort.map((s) => s.column)])].map(
    (column) => sql.ref(column.key),
  );
  const budget = sql.lit(request.maxBytes);
  const fits = sql`(page_position = 1 or running <= ${budget})`;
  const outputs = request.columns.map(
    (column, index) =>
      sql`case when ${fits} then ${outputSql(column.key, column.type)} end as ${sql.id(`v${index}`)}`,
  );
  const { rows } = await sql<Record<string, unknown> & { fits: boolean }>`
    select ${sql.join([...outputs, ...cursorValuesSql(request.sort)])},
      _row::text as row_position, ${fits} as fits
    from (
      select ${sql.join([...keys, sql`_row`])}, ${rowBytesSql(request.columns)} as row_bytes,
        row_number() over row_window as page_position,
        sum(${rowBytesSql(request.columns)}) over row_window as running
      from ${sql.table(table)} ${conditionsSql(table, request)}
      window row_window as (order by ${orderBySql(request.sort)} rows between unbounded preceding and current row)
      order by ${orderBySql(request.sort)}
      limit ${request.limit + 1}
    ) page_rows
    where ${fits} or page_position = 2 or running - row_bytes <= ${budget}
    order by page_position`.execute(db);
  const kept = rows.filter((row) => row.fits).slice(0, request.limit);
  return { rows: kept.map((row) => readRow(request, row)), more: rows.length > kept.length };
}
