import type { BulkSession } from '../db/bulk.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { StoredColumn } from '../db/schema.ts';
import type { TypeInference } from './column-types.ts';
import type { RawLines } from './csv-reader.ts';
import {
  cappedDistinct,
  DISTINCT_CAP,
  distinctCountSql,
  readStats,
  STATS_COLUMNS_PER_QUERY,
  statsSql,
} from './dataset-table.ts';

/** Per column: distinct values while few; `null` past the cap, `undefined` when not tracked. */
export type DistinctValues = (Set<string> | null | undefined)[];

function trackDistinct(distinct: DistinctValues, i: number, value: string) {
  const seen = distinct[i];
  if (!seen) return;
  seen.add(value);
  if (seen.size > DISTINCT_CAP) distinct[i] = null;
}

export function observeText(
  inference: TypeInference[],
  distinct: DistinctValues,
  values: (string | null)[],
  at: number,
) {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    (inference[i] as TypeInference).observe(value, at);
    trackDistinct(distinct, i, value);
  }
}

/** Column by column: a column settled on one type costs one byte-level test per cell. */
export function observeRaw(inference: TypeInference[], distinct: DistinctValues, lines: RawLines) {
  const { bytes, starts, ends, rows, firstLine } = lines;
  const width = inference.length;
  for (let i = 0; i < width; i++) {
    const types = inference[i] as TypeInference;
    if (types.settledOnText && !distinct[i]) continue;
    for (let row = 0, k = i; row < rows; row++, k += width) {
      const start = starts[k] as number;
      const end = ends[k] as number;
      if (start === end) continue;
      types.observeBytes(bytes, start, end, firstLine + row);
      if (distinct[i]) trackDistinct(distinct, i, bytes.toString('utf8', start, end));
    }
  }
}

/**
 * Column statistics: nulls and min/max from one scan. Distinct counts come from the import's
 * own pass when it has them, else from the table. After an append (`since`: the last `_row`
 * before it), only the new rows are scanned and merged into the columns' earlier statistics;
 * a column already past the distinct cap stays there without a count.
 */
export async function refreshStats(
  session: BulkSession,
  handle: DatabaseHandle,
  table: string,
  columns: StoredColumn[],
  options: { distinct?: (number | null | undefined)[]; since?: string } = {},
): Promise<StoredColumn[]> {
  const { distinct = [], since } = options;
  const row: Record<string, unknown> = {};
  for (let start = 0; start < columns.length; start += STATS_COLUMNS_PER_QUERY) {
    const chunk = columns.slice(start, start + STATS_COLUMNS_PER_QUERY);
    const [part] = await session.execute<Record<string, unknown>>(
      statsSql(table, chunk, since, start).compile(handle.db),
    );
    Object.assign(row, part);
  }
  const counts: (number | null)[] = [];
  for (const [i, column] of columns.entries()) {
    const known = distinct[i];
    const pastCap = since !== undefined && column.distinct_count === null;
    if (known !== undefined || pastCap || (column.type !== 'text' && column.type !== 'boolean')) {
      counts.push(known ?? null);
      continue;
    }
    const [counted] = await session.execute<{ n: number | string }>(
      distinctCountSql(table, column.key).compile(handle.db),
    );
    counts.push(cappedDistinct(Number(counted?.n ?? 0)));
  }
  const stats = readStats(row, columns, counts);
  return columns.map((column, index) => {
    const fresh = stats[index] as (typeof stats)[number];
    // Null counts add up; min and max were merged in SQL.
    const nulls = since === undefined ? fresh.null_count : column.null_count + fresh.null_count;
    return { ...column, ...fresh, null_count: nulls };
  });
}
