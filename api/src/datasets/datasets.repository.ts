import { type Kysely, sql } from 'kysely';
import type { Auth } from '../auth/auth-context.ts';
import { listedFor } from '../auth/ownership.ts';
import type { Database } from '../db/schema.ts';
import { dropTable } from './dataset-table.ts';

type Db = Kysely<Database>;

export function findDataset(db: Db, id: string) {
  return db
    .selectFrom('datasets')
    .innerJoin('users', 'users.id', 'datasets.owner_id')
    .selectAll('datasets')
    .select('users.display_name as owner_name')
    .where('datasets.id', '=', id)
    .executeTakeFirst();
}

export type DatasetRow = NonNullable<Awaited<ReturnType<typeof findDataset>>>;

export async function listDatasets(
  db: Db,
  auth: Auth | null,
  options: { q?: string; mine: boolean; limit: number; after?: { created_at: string; id: string } },
) {
  let query = db
    .selectFrom('datasets')
    .innerJoin('users', 'users.id', 'datasets.owner_id')
    .selectAll('datasets')
    .select('users.display_name as owner_name')
    .where(listedFor(auth))
    .orderBy('datasets.created_at', 'desc')
    .orderBy('datasets.id', 'desc')
    .limit(options.limit + 1);
  if (options.mine) query = query.where('datasets.owner_id', '=', auth?.user.id ?? '');
  if (options.q) {
    const pattern = `%${options.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where('datasets.name', 'ilike', pattern);
  }
  if (options.after) {
    const { created_at, id } = options.after;
    query = query.where(
      sql<boolean>`(datasets.created_at, datasets.id) < (${created_at}::timestamptz, ${id}::uuid)`,
    );
  }
  return query.execute();
}

export async function updateDataset(
  db: Db,
  id: string,
  changes: {
    name?: string;
    description?: string;
    visibility?: DatasetRow['visibility'];
    /** New labels by column key (`null` removes one). */
    labels?: Map<string, string | null>;
  },
) {
  const { labels, ...rest } = changes;
  // Labels go onto the columns as they are when the row is locked: an append committing
  // meanwhile has rewritten their statistics, which must not be put back.
  await db.transaction().execute(async (trx) => {
    let columns: string | undefined;
    if (labels) {
      const current = await trx
        .selectFrom('datasets')
        .select('columns')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!current) return;
      columns = JSON.stringify(
        current.columns.map((column) =>
          labels.has(column.key) ? { ...column, label: labels.get(column.key) ?? null } : column,
        ),
      );
    }
    await trx
      .updateTable('datasets')
      .set({ ...rest, ...(columns ? { columns } : {}), updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  });
}

export interface ChartsDrawnFrom {
  /** The owner's charts first, by title, at most a few. */
  charts: { id: string; title: string; owner_id: string }[];
  total: number;
  /** How many of them the dataset's owner made. */
  owned: number;
}

/** The charts drawn from a dataset: a few to name, and how many in all. */
export async function chartsDrawnFrom(db: Db, datasetId: string): Promise<ChartsDrawnFrom> {
  const [charts, counts] = await Promise.all([
    db
      .selectFrom('charts')
      .innerJoin('datasets', 'datasets.id', 'charts.dataset_id')
      .select(['charts.id', 'charts.title', 'charts.owner_id'])
      .where('charts.dataset_id', '=', datasetId)
      .orderBy(sql`charts.owner_id = datasets.owner_id`, 'desc')
      .orderBy('charts.title')
      .limit(6)
      .execute(),
    db
      .selectFrom('charts')
      .innerJoin('datasets', 'datasets.id', 'charts.dataset_id')
      .select([
        sql<string>`count(*)`.as('total'),
        sql<string>`count(*) filter (where charts.owner_id = datasets.owner_id)`.as('owned'),
      ])
      .where('charts.dataset_id', '=', datasetId)
      .executeTakeFirstOrThrow(),
  ]);
  return { charts, total: Number(counts.total), owned: Number(counts.owned) };
}

/** The dataset and its table go together, or not at all. */
export async function deleteDataset(db: Db, dataset: { id: string; table_name: string }) {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('datasets').where('id', '=', dataset.id).execute();
    await dropTable(trx, dataset.table_name);
  });
}

/**
 * Whether `db` (a read replica) holds this very version of the dataset: the same `updated_at`
 * and `row_count`, which an append changes in the transaction that adds its rows. If so, it has
 * replayed at least that transaction, and so the dataset's table and every row in it.
 */
export async function holdsVersion(
  db: Db,
  dataset: Pick<DatasetRow, 'id' | 'updated_at' | 'row_count'>,
): Promise<boolean> {
  const copy = await db
    .selectFrom('datasets')
    .select(['updated_at', 'row_count'])
    .where('id', '=', dataset.id)
    .executeTakeFirst();
  return (
    copy !== undefined &&
    copy.updated_at.getTime() === dataset.updated_at.getTime() &&
    String(copy.row_count) === String(dataset.row_count)
  );
}
