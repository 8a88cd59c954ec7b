import type { z } from '@hono/zod-openapi';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, StoredColumn } from '../db/schema.ts';
import type { ChartSpec } from './chart-spec.ts';
import type { ChartDataSchema } from './charts.schemas.ts';

type ChartData = z.output<typeof ChartDataSchema>;

interface HistogramSource {
  db: Kysely<Database>;
  spec: ChartSpec;
  table: string;
  x: StoredColumn;
  where: RawBuilder<unknown>[];
}

/** Counts per bin of equal width between the column's lowest and highest value. */
export async function histogram(
  source: HistogramSource,
): Promise<Pick<ChartData, 'series' | 'bin_width'>> {
  const { db, spec, table, x, where } = source;
  const ref = sql.ref(x.key);
  const conditions = sql.join([sql`${ref} is not null`, ...where], sql` and `);
  const { rows: bounds } = await sql<{ lo: number | null; hi: number | null }>`
    select min(${ref})::double precision as lo, max(${ref})::double precision as hi
    from ${sql.table(table)} where ${conditions}`.execute(db);
  const lo = bounds[0]?.lo;
  const hi = bounds[0]?.hi;
  if (lo === null || lo === undefined || hi === null || hi === undefined) {
    return { series: [{ name: 'count', points: [] }], bin_width: null };
  }
  // Each bound divided first: hi - lo itself overflows for values near ±1.8e308.
  const width = hi > lo ? hi / spec.bins - lo / spec.bins : 1;
  const { rows } = await sql<{ bin: number; n: string | number }>`
    select least(floor(${ref}::double precision / ${width}::double precision - ${lo / width}::double precision), ${spec.bins - 1})::int as bin, count(*) as n
    from ${sql.table(table)} where ${conditions} group by 1 order by 1`.execute(db);
  const counts = new Map(rows.map((row) => [Number(row.bin), Number(row.n)]));
  const points = Array.from({ length: hi > lo ? spec.bins : 1 }, (_, bin) => [
    lo + bin * width,
    counts.get(bin) ?? 0,
  ]);
  return { series: [{ name: 'count', points }], bin_width: width };
}
