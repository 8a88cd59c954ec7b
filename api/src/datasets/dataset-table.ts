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
  return sql`create table ${sql.table(table)} (
    _row bigint generated always as identity primary key,
    ${sql.join(definitions)}
  )`;
}

/** A text staging table in this transaction only: COPY lands here before values get types. */
export function createStagingSql(table: string, keys: string[]) {
  const definitions = keys.map((key) => sql`${sql.id(key)} text`);
  return sql`create temp table ${sql.table(table)} (
    _row bigint generated always as identity,
    ${sql.join(definitions)}
  ) on commit drop`;
}

/** Moves the staged text into the typed table, in file order. */
export function insertFromStagingSql(
  table: string,
  staging: string,
  columns: { key: string; type: ColumnType }[],
) {
  const keys = columns.map((column) => sql.id(column.key));
  const casts = columns.map(
    (column) => sql`${sql.id(column.key)}::${sql.raw(SQL_TYPES[column.type])}`,
  );
  return sql`insert into ${sql.table(table)} (${sql.join(keys)})
    select ${sql.join(casts)} from ${sql.table(staging)} order by _row`;
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

/** Integers arrive as strings (pg) or bigints (PGlite); JSON wants numbers. */
export function jsonCell(type: ColumnType, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (type === 'integer' || type === 'number') return Number(value);
  return value as string | boolean;
}

type Stats = Pick<StoredColumn, 'null_count' | 'distinct_count' | 'min' | 'max'>;

/** One pass over the table: nulls, and min/max for ordered types or distinct values for the rest. */
export function statsSql(
  table: string,
  columns: { key: string; type: ColumnType }[],
): RawBuilder<Record<string, unknown>> {
  const parts = columns.flatMap((column, index) => {
    const ref = sql.ref(column.key);
    const ordered = column.type !== 'text' && column.type !== 'boolean';
    const low = outputSql(column.key, column.type, sql`min(${ref})`);
    const high = outputSql(column.key, column.type, sql`max(${ref})`);
    return [
      sql`count(*) - count(${ref}) as ${sql.id(`n${index}`)}`,
      ordered
        ? sql`${low} as ${sql.id(`lo${index}`)}, ${high} as ${sql.id(`hi${index}`)}`
        : sql`count(distinct ${ref}) as ${sql.id(`d${index}`)}`,
    ];
  });
  if (parts.length === 0) return sql<Record<string, unknown>>`select 1`;
  return sql<Record<string, unknown>>`select ${sql.join(parts)} from ${sql.table(table)}`;
}

export function readStats(row: Record<string, unknown>, columns: { type: ColumnType }[]): Stats[] {
  return columns.map((column, index) => {
    const ordered = column.type !== 'text' && column.type !== 'boolean';
    return {
      null_count: Number(row[`n${index}`] ?? 0),
      distinct_count: ordered ? null : Number(row[`d${index}`] ?? 0),
      min: ordered ? jsonCell(column.type, row[`lo${index}`]) : null,
      max: ordered ? jsonCell(column.type, row[`hi${index}`]) : null,
    };
  });
}

export async function dropTable(db: Kysely<Database>, table: string): Promise<void> {
  await sql`drop table if exists ${sql.table(table)}`.execute(db);
}
