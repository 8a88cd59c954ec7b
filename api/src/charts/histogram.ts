import type { z } from '@hono/zod-openapi';
import { tickStep } from 'd3-array';
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

/**
 * Bins of a round width (1, 2 or 5 × 10ⁿ, as d3's bins choose) starting at a multiple of it, about
 * `bins` of them, so that their edges fall on the round values the axis is ticked at: 0–50,
 * 50–100, not 16.8–84.5. Values so large that their range overflows, or steps too fine for a
 * double, keep bins of equal width between the lowest and highest value.
 */
function binsOver(
  lo: number,
  hi: number,
  bins: number,
): { start: number; width: number; count: number } {
  if (hi <= lo) return { start: lo, width: 1, count: 1 };
  const step = Number.isFinite(hi - lo) ? tickStep(lo, hi, bins) : Number.NaN;
  const start = Math.floor(lo / step) * step;
  const count = Math.max(1, Math.ceil((hi - start) / step));
  if (Number.isFinite(step) && step > 0 && start + step > start && count <= bins * 3) {
    return { start, width: step, count };
  }
  // Each bound divided first: hi - lo itself overflows for values near ±1.8e308.
  return { start: lo, width: hi / bins - lo / bins, count: bins };
}

/** Counts per bin of the column's values (see binsOver). */
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
  const { start, width, count } = binsOver(lo, hi, spec.bins);
  const { rows } = await sql<{ bin: number; n: string | number }>`
    select greatest(0, least(floor(${ref}::double precision / ${width}::double precision - ${start / width}::double precision), ${count - 1}))::int as bin, count(*) as n
    from ${sql.table(table)} where ${conditions} group by 1 order by 1`.execute(db);
  const counts = new Map(rows.map((row) => [Number(row.bin), Number(row.n)]));
  const points = Array.from({ length: count }, (_, bin) => [
    start + bin * width,
    counts.get(bin) ?? 0,
  ]);
  return { series: [{ name: 'count', points }], bin_width: width };
}
