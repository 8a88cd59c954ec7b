import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('datasets')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('owner_id', 'uuid', (col) =>
      col.notNull().references('users.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('visibility', 'text', (col) =>
      col.notNull().check(sql`visibility in ('private', 'unlisted', 'public')`),
    )
    // The rows live in a table of their own, named by us (`ds_<hex>`), never by a user.
    .addColumn('table_name', 'text', (col) => col.notNull().unique())
    // [{ key, name, type, label, stats }]: user names map to generated keys c1, c2, …
    .addColumn('columns', 'jsonb', (col) => col.notNull())
    .addColumn('row_count', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('datasets_owner_idx')
    .on('datasets')
    .columns(['owner_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('datasets_public_idx')
    .on('datasets')
    .column('created_at')
    .where(sql.ref('visibility'), '=', 'public')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('datasets').execute();
}
