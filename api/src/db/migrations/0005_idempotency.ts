import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    // Keys are the caller's own names, so two users may pick the same one.
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    // An HMAC of the key, not the key: the key also encrypts the stored answer (it may hold a
    // new API key's secret), so the database alone cannot read it.
    .addColumn('key_hash', 'text', (col) => col.notNull())
    .addColumn('request_method', 'text', (col) => col.notNull())
    .addColumn('request_path', 'text', (col) => col.notNull())
    // SHA-256 of method, path, query and media type: known before the body is read.
    .addColumn('request_hash', 'text', (col) => col.notNull())
    // SHA-256 of the body, known once a streamed body has been read to its end.
    .addColumn('body_hash', 'text')
    // Null while the first request runs; then what it answered, to replay: the status, and the
    // headers and body sealed with AES-256-GCM under a secret derived from the key.
    .addColumn('response_status', 'integer')
    .addColumn('response_sealed', 'text')
    // The running request's claim, renewed while it runs; a crashed instance's claim lapses.
    .addColumn('claim_id', 'uuid')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['user_id', 'key_hash'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_expires_at_idx')
    .on('idempotency_keys')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
