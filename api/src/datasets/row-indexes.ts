import type { Context } from 'hono';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/database.ts';
import type { StoredColumn } from '../db/schema.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { type Filter, findColumn, type SortKey } from './row-query.ts';

/**
 * Indexes built on demand, the first time a large dataset's rows are sorted or filtered by a
 * column, so that every later page costs what a page of a small dataset costs (an index scan
 * that stops after `limit` rows) instead of a sort of the whole table. Not at import: most
 * columns are never sorted by, and each index would slow every import and append, which must
 * stay near `COPY`'s speed. The first request pays the scan it would have paid anyway; its
 * index is built after it has been answered.
 *
 * - Sorted by a number, date, timestamp or boolean column: a btree on (column, _row) in the
 *   direction asked, nulls last: exactly the pages' keyset order, and it serves range and
 *   equality filters on the column as well.
 * - Filtered by a text column's equality (`eq`, `in`): a hash index (texts hold up to 64 KiB,
 *   past a btree's entry limit; a hash stores only their hashes).
 * - Sorted by text: none, for the same entry limit.
 */
export interface WantedIndex {
  name: string;
  definition: ReturnType<typeof sql>;
}

/** Indexes a dataset may get this way, its primary key apart: each one slows its appends. */
const MAX_INDEXES_PER_DATASET = 6;

const SORTABLE = new Set(['integer', 'number', 'date', 'timestamp', 'boolean']);

export function wantedIndex(
  table: string,
  sort: SortKey[],
  filters: { filter: Filter; column: StoredColumn }[],
): WantedIndex | undefined {
  const first = sort[0];
  if (first && SORTABLE.has(first.column.type)) {
    const { key } = first.column;
    const direction = first.desc ? 'desc' : 'asc';
    return {
      name: `${table}_${key}_${direction}`,
      definition: sql`(${sql.ref(key)} ${sql.raw(direction)} nulls last, _row)`,
    };
  }
  if (first) return undefined;
  for (const { filter, column } of filters) {
    if (column.type === 'text' && (filter.op === 'eq' || filter.op === 'in')) {
      return {
        name: `${table}_${column.key}_eq`,
        definition: sql`using hash (${sql.ref(column.key)})`,
      };
    }
    if (SORTABLE.has(column.type) && filter.op !== 'ne' && filter.op !== 'is_null') {
      return {
        name: `${table}_${column.key}_asc`,
        definition: sql`(${sql.ref(column.key)} asc nulls last, _row)`,
      };
    }
  }
  return undefined;
}

/** Per database: index names being built, or known built, by this instance; each asked once. */
const knownBy = new WeakMap<DatabaseHandle, Set<string>>();

/**
 * Builds `wanted` on `table` unless it exists or the dataset has its share, in the background:
 * a failure is logged, never answered. The build locks out appends to this dataset (not reads)
 * while it runs, about a second per million rows, in a transaction of its own.
 */
export function buildIndexLater(
  handle: DatabaseHandle,
  table: string,
  wanted: WantedIndex,
  logger: Logger,
): void {
  const known = knownBy.get(handle) ?? new Set<string>();
  knownBy.set(handle, known);
  if (known.has(wanted.name)) return;
  known.add(wanted.name);
  const build = handle.bulk(async (session) => {
    const [count] = await session.execute<{ n: number | string; exists: boolean }>(
      sql`select count(*) as n, bool_or(indexname = ${wanted.name}) as exists
          from pg_indexes where tablename = ${table}`.compile(handle.db),
    );
    if (count?.exists || Number(count?.n ?? 0) > MAX_INDEXES_PER_DATASET) return false;
    await session.execute(
      sql`create index if not exists ${sql.id(wanted.name)} on ${sql.table(table)} ${wanted.definition}`.compile(
        handle.db,
      ),
    );
    return true;
  });
  build.then(
    (built) => {
      if (built) logger.info({ index: wanted.name }, 'built an index for pages of rows');
    },
    (error: unknown) => {
      // Another instance building it at the same moment, or the dataset deleted meanwhile.
      known.delete(wanted.name);
      logger.warn({ err: error, index: wanted.name }, 'could not build an index');
    },
  );
}

/** After a page of a large dataset: the index its later pages want, built in the background. */
export function indexForLaterPages(
  c: Context<AppEnv>,
  dataset: { table_name: string; row_count: number | string | bigint; columns: StoredColumn[] },
  sort: SortKey[],
  filters: Filter[],
): void {
  if (Number(dataset.row_count) < c.var.config.ROW_INDEX_MIN_ROWS) return;
  const located = filters.flatMap((filter) => {
    const column = findColumn(dataset.columns, filter.column);
    return column ? [{ filter, column }] : [];
  });
  const wanted = wantedIndex(dataset.table_name, sort, located);
  if (wanted) buildIndexLater(c.var.database, dataset.table_name, wanted, c.var.logger);
}
