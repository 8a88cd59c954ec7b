import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('charts')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('owner_id', 'uuid', (col) =>
      col.notNull().references('users.id').onDelete('cascade'),
    )
    // A chart without its data means nothing: it goes when its dataset goes.
    .addColumn('dataset_id', 'uuid', (col) =>
      col.notNull().references('datasets.id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('visibility', 'text', (col) =>
      col.notNull().check(sql`visibility in ('private', 'unlisted', 'public')`),
    )
    .addColumn('spec', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('charts_owner_idx')
    .on('charts')
    .columns(['owner_id', 'created_at'])
    .execute();
  await db.schema.createIndex('charts_dataset_idx').on('charts').column('dataset_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('charts').execute();
}
