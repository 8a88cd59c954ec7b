import { randomBytes } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, StoredColumn } from '../db/schema.ts';
import { type ColumnType, SQL_TYPES } from './column-types.ts';

/**
 * SQL for a dataset's own table. Its name (`ds_<hex>`) and column keys (`c1`, `c2`, …) are
 * generated here; user column names never appear in SQL text.
 */
export function newTableName(): string {
  return `ds_${randomBytes(8).toString('hex')}`;
}

export const columnKey = (index: number) => `c${index + 1}`;

export function createTableSql(table: string, columns: { key: string; type: ColumnType }[]) {
  const definitions = columns.map(
    (column) => sql`${sql.id(column.key)} ${sql.raw(SQL_TYPES[column.type])}`,
  );
  // No sequence cache: a cache is per connection, and appends through different pooled
  // connections would then number their rows out of the order they were added in.
  return sql`create table ${sql.table(table)} (
    _row bigint generated always as identity,
    ${sql.join(definitions)}
  )`;
}

/** Built after the first load: one sorted index build is far cheaper than a million inserts. */
export function addRowKeySql(table: string) {
  return sql`alter table ${sql.table(table)} add primary key (_row)`;
}

/**
 * How a column's values leave the database: dates and timestamps as ISO 8601 text formatted by
 * PostgreSQL itself, so both engines and every client time zone give the same strings.
 */
export function outputSql(
  key: string,
  type: ColumnType,
  expression: RawBuilder<unknown> = sql.ref(key),
) {
  switch (type) {
    case 'date':
      return sql`to_char(${expression}, 'YYYY-MM-DD')`;
    case 'timestamp':
      return sql`to_char(${expression} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    default:
      return expression;
  }
}

/**
 * Integers arrive as strings (pg) or bigints (PGlite); JSON wants numbers. One past 2^53 stays
 * a string of its digits when a JSON number would change it (2^53 + 1, not 2^53).
 */
export function jsonCell(type: ColumnType, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (type === 'integer') {
    const number = Number(value);
    return Number.isSafeInteger(number) || String(number) === String(value)
      ? number
      : String(value);
  }
  if (type === 'number') return Number(value);
  return value as string | boolean;
}

type Stats = Pick<StoredColumn, 'null_count' | 'distinct_count' | 'min' | 'max'>;

/** Distinct values are counted up to this many; beyond it a column just has "many". */
export const DISTINCT_CAP = 10_000;

const distinctCounted = (type: ColumnType) => type === 'text' || type === 'boolean';

/**
 * One cheap pass over the table: nulls, and min/max for numbers, dates and timestamps. With
 * `since`, only the rows after that `_row` are read, and min/max also weigh each column's
 * earlier `min`/`max` (PostgreSQL compares them, in the column's own type): an append reads
 * what it added, not the whole table.
 */
export function statsSql(
  table: string,
  columns: { key: string; type: ColumnType; min?: unknown; max?: unknown }[],
  since?: string,
  /** Index of the first of `columns` in the dataset: the aliases number the whole dataset. */
  offset = 0,
): RawBuilder<Record<string, unknown>> {
  const earlier = (value: unknown, type: ColumnType) =>
    sql`${value === null || value === undefined ? null : String(value)}::${sql.raw(SQL_TYPES[type])}`;
  const parts = columns.flatMap((column, at) => {
    const index = offset + at;
    const ref = sql.ref(column.key);
    const counted = sql`count(*) - count(${ref}) as ${sql.id(`n${index}`)}`;
    if (distinctCounted(column.type)) return [counted];
    // `least` and `greatest` skip nulls: a column with no earlier value takes the new ones.
    const lowest =
      since === undefined
        ? sql`min(${ref})`
        : sql`least(min(${ref}), ${earlier(column.min, column.type)})`;
    const highest =
      since === undefined
        ? sql`max(${ref})`
        : sql`greatest(max(${ref}), ${earlier(column.max, column.type)})`;
    const low = outputSql(column.key, column.type, lowest);
    const high = outputSql(column.key, column.type, highest);
    return [counted, sql`${low} as ${sql.id(`lo${index}`)}, ${high} as ${sql.id(`hi${index}`)}`];
  });
  if (parts.length === 0) return sql<Record<string, unknown>>`select 1`;
  const where = since === undefined ? sql`` : sql`where _row > ${since}::bigint`;
  return sql<Record<string, unknown>>`select ${sql.join(parts)} from ${sql.table(table)} ${where}`;
}

/**
 * PostgreSQL allows at most 1,664 entries in a select list, and `statsSql` takes up to three per
 * column: a wide table's statistics come from several statements of this many columns each.
 */
export const STATS_COLUMNS_PER_QUERY = 500;

/** The last `_row` of a table (0 when empty): where an append's rows will start after. */
export function lastRowSql(table: string): RawBuilder<{ last: string }> {
  return sql<{
    last: string;
  }>`select coalesce(max(_row), 0)::text as last from ${sql.table(table)}`;
}

/** Distinct values of a text or boolean column, up to the cap: `null` past it. */
export function distinctCountSql(table: string, key: string): RawBuilder<{ n: number | string }> {
  return sql<{ n: number | string }>`select count(*) as n from (
    select distinct ${sql.ref(key)} from ${sql.table(table)} where ${sql.ref(key)} is not null limit ${DISTINCT_CAP + 1}
  ) capped`;
}

export const cappedDistinct = (count: number) => (count > DISTINCT_CAP ? null : count);

export function readStats(
  row: Record<string, unknown>,
  columns: { type: ColumnType }[],
  distinct: (number | null)[],
): Stats[] {
  return columns.map((column, index) => {
    const counted = distinctCounted(column.type);
    return {
      null_count: Number(row[`n${index}`] ?? 0),
      distinct_count: counted ? (distinct[index] ?? null) : null,
      min: counted ? null : jsonCell(column.type, row[`lo${index}`]),
      max: counted ? null : jsonCell(column.type, row[`hi${index}`]),
    };
  });
}

export async function dropTable(db: Kysely<Database>, table: string): Promise<void> {
  await sql`drop table if exists ${sql.table(table)}`.execute(db);
}
