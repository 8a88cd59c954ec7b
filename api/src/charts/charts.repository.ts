import { type Kysely, sql } from 'kysely';
import type { Auth } from '../auth/auth-context.ts';
import { chartsListedFor } from '../auth/ownership.ts';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database>;

/** Charts with their owner's name and what the visibility rule needs of their dataset. */
const chartsWithOwners = (db: Db) =>
  db
    .selectFrom('charts')
    .innerJoin('users', 'users.id', 'charts.owner_id')
    .innerJoin('datasets', 'datasets.id', 'charts.dataset_id')
    .selectAll('charts')
    .select([
      'users.display_name as owner_name',
      'datasets.owner_id as dataset_owner_id',
      'datasets.visibility as dataset_visibility',
    ]);

export function findChart(db: Db, id: string) {
  return chartsWithOwners(db).where('charts.id', '=', id).executeTakeFirst();
}

export type ChartRow = NonNullable<Awaited<ReturnType<typeof findChart>>>;

/**
 * A chart and what its views need of its dataset (who may see it, its rows' table, columns and
 * version), in one query: a view served from the answer cache costs this query alone.
 */
export async function findChartToDraw(db: Db, id: string) {
  const row = await chartsWithOwners(db)
    .select([
      'datasets.table_name as dataset_table_name',
      'datasets.columns as dataset_columns',
      'datasets.updated_at as dataset_updated_at',
      'datasets.row_count as dataset_row_count',
    ])
    .where('charts.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const {
    dataset_table_name: tableName,
    dataset_columns: columns,
    dataset_updated_at: updatedAt,
    dataset_row_count: rowCount,
    ...chart
  } = row;
  const dataset = {
    id: chart.dataset_id,
    owner_id: chart.dataset_owner_id,
    visibility: chart.dataset_visibility,
    table_name: tableName,
    columns,
    updated_at: updatedAt,
    row_count: rowCount,
  };
  return { chart: chart satisfies ChartRow, dataset };
}

export function listCharts(
  db: Db,
  auth: Auth | null,
  options: {
    mine: boolean;
    limit: number;
    after?: { created_at: string; id: string };
    datasetId?: string;
  },
) {
  let query = chartsWithOwners(db)
    .where(chartsListedFor(auth))
    .orderBy('charts.created_at', 'desc')
    .orderBy('charts.id', 'desc')
    .limit(options.limit + 1);
  if (options.mine) query = query.where('charts.owner_id', '=', auth?.user.id ?? '');
  if (options.datasetId) query = query.where('charts.dataset_id', '=', options.datasetId);
  if (options.after) {
    const { created_at, id } = options.after;
    query = query.where(
      sql<boolean>`(charts.created_at, charts.id) < (${created_at}::timestamptz, ${id}::uuid)`,
    );
  }
  return query.execute();
}

export async function insertChart(
  db: Db,
  chart: {
    owner_id: string;
    dataset_id: string;
    title: string;
    description: string;
    visibility: ChartRow['visibility'];
    spec: unknown;
  },
): Promise<string> {
  const row = await db
    .insertInto('charts')
    .values({ ...chart, spec: JSON.stringify(chart.spec) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateChart(
  db: Db,
  id: string,
  changes: {
    title?: string;
    description?: string;
    visibility?: ChartRow['visibility'];
    spec?: unknown;
  },
): Promise<void> {
  const { spec, ...rest } = changes;
  await db
    .updateTable('charts')
    .set({ ...rest, ...(spec ? { spec: JSON.stringify(spec) } : {}), updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function deleteChart(db: Db, id: string): Promise<void> {
  await db.deleteFrom('charts').where('id', '=', id).execute();
}
