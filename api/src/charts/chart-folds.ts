import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../db/schema.ts';

/**
 * Bounds on what one chart answer holds, decided in the database: a series column with 86,000
 * values or an x column with 100,000 categories must not become 86,000 lines or 100,000 bars
 * (nobody can read them), nor 100,000 rows shipped to the API to be ranked there. The largest
 * are kept and the rest folded, over all rows rather than over a truncated first part.
 */

/**
 * How the values of folded series or categories combine: aggregated charts compute "Other" as one
 * more group over all of the folded rows (its average is the average of those rows, not an
 * average of averages); rows plotted as they are (aggregate `none`) merge into one "Other" series.
 */
export type Fold = 'add' | 'merge';

export const otherName = (folded: number) => `Other (${folded.toLocaleString('en')} more)`;

export interface KeptValues {
  /** True for a row whose key is among the kept values; `true` itself when all are kept. */
  kept: RawBuilder<boolean>;
  /** Distinct values left out (0 when all fit). */
  folded: number;
  /** Distinct values kept. */
  count: number;
}

export interface Ranking {
  /** What rows are grouped on, as stored: a column, or a date truncated to its bucket. */
  key: RawBuilder<unknown>;
  /** An aggregate: heavier values are kept first. Without one, the first values in order are. */
  weight?: RawBuilder<unknown>;
  /** Most values kept when they do not all fit. */
  keep: number;
  /** Most values drawn without folding anything. */
  max: number;
  /** Values kept before any other, whatever their weight (series the spec highlights). */
  first?: RawBuilder<boolean>;
}

const whereSql = (where: RawBuilder<boolean>[]) =>
  where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``;

/**
 * Ranks the distinct values of `key` once, and answers a condition that keeps the chosen ones.
 * The condition repeats the ranking as an uncorrelated subquery (PostgreSQL runs it once and
 * hashes it): it compares stored values with stored values, so no value round-trips through
 * JavaScript, where a date or a 64-bit integer could come back different.
 */
export async function keptValues(
  db: Kysely<Database>,
  table: string,
  where: RawBuilder<boolean>[],
  ranking: Ranking,
): Promise<KeptValues> {
  const { key, weight, keep, max, first } = ranking;
  // Highlighted first, then the heaviest, then in order. Output names (not expressions) in the
  // ORDER BY: PostgreSQL resolves them at the level they are written, given as `within` ("r.").
  const orderBy = (within: '' | 'r.') =>
    sql.join([
      ...(first ? [sql.raw(`${within}f desc`)] : []),
      ...(weight ? [sql.raw(`${within}w desc nulls last`)] : []),
      sql.raw(`${within}k asc nulls last`),
    ]);
  const order = orderBy('');
  const ranked = sql`select ${key} as k${weight ? sql`, ${weight} as w` : sql``}${first ? sql`, coalesce(${first}, false) as f` : sql``}
    from ${sql.table(table)} ${whereSql(where)} group by 1 order by ${order}`;
  // One pass: the window counts every distinct value before the limit cuts the list.
  const { rows } = await sql<{ empty: boolean; distinct: string | number }>`
    select r.k is null as empty, count(*) over () as distinct
    from (${ranked}) r order by ${orderBy('r.')}
    limit ${max + 1}`.execute(db);
  const distinct = Number(rows[0]?.distinct ?? 0);
  if (distinct <= max) return { kept: sql<boolean>`true`, folded: 0, count: distinct };
  const nullKept = rows.slice(0, keep).some((row) => row.empty);
  const top = sql`select t.k from (${ranked} limit ${keep}) t where t.k is not null`;
  return {
    kept: nullKept
      ? sql<boolean>`(${key} is null or ${key} in (${top}))`
      : sql<boolean>`(${key} is not null and ${key} in (${top}))`,
    folded: distinct - keep,
    count: keep,
  };
}

/**
 * At most about `perPartition` rows of each series (partition), evenly spaced along the order,
 * its first and last always among them: a line over a million rows keeps its whole x range
 * instead of being cut off at the cap. `_n` is each partition's size before sampling.
 */
export function sampledRows(
  inner: RawBuilder<Record<string, unknown>>,
  partition: string[],
  order: string[],
  perPartition: number,
): RawBuilder<Record<string, unknown>> {
  const refs = (names: string[], alias: string) =>
    sql.join(names.map((name) => sql`${sql.ref(`${alias}.${name}`)} asc nulls last`));
  const parts = sql.join(partition.map((name) => sql.ref(`q.${name}`)));
  const per = Math.max(2, Math.floor(perPartition));
  return sql<Record<string, unknown>>`
    select * from (
      select q.*,
        row_number() over (partition by ${parts} order by ${refs(order, 'q')}) as _rn,
        count(*) over (partition by ${parts}) as _n
      from (${inner}) q
    ) w
    where w._n <= ${per} or (w._rn - 1) % ceil(w._n::double precision / ${per})::int = 0
      or w._rn = w._n
    order by ${refs(order, 'w')}`;
}
