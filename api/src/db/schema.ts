import type { ColumnType, Generated, RawBuilder } from 'kysely';

/** Every table the API reads or writes, as Kysely sees it. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  rate_limits: RateLimitsTable;
  datasets: DatasetsTable;
  charts: ChartsTable;
  idempotency_keys: IdempotencyKeysTable;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: ColumnType<Date, never, never>;
  expires_at: Date;
}

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[];
  created_at: ColumnType<Date, never, never>;
  last_used_at: Date | null;
}

export interface RateLimitsTable {
  bucket: string;
  window_start: Date;
  hits: number;
}

export interface StoredColumn {
  /** Generated identifier of the column in the dataset's table: c1, c2, … */
  key: string;
  /** The name as the file or the caller gave it, made unique. */
  name: string;
  type: 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'text';
  label: string | null;
  null_count: number;
  distinct_count: number | null;
  min: string | number | boolean | null;
  max: string | number | boolean | null;
}

export interface DatasetsTable {
  id: Generated<string>;
  owner_id: string;
  name: string;
  description: string;
  visibility: 'private' | 'unlisted' | 'public';
  table_name: string;
  columns: ColumnType<StoredColumn[], string, string>;
  row_count: ColumnType<string | number | bigint, number | undefined, number | RawBuilder<unknown>>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface ChartsTable {
  id: Generated<string>;
  owner_id: string;
  dataset_id: string;
  title: string;
  description: string;
  visibility: 'private' | 'unlisted' | 'public';
  /** The chart's definition as the contract's ChartSpec describes it. */
  spec: ColumnType<unknown, string, string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key_hash: string;
  request_method: string;
  request_path: string;
  request_hash: string;
  body_hash: string | null;
  /** Null while the first request with this key is still running. */
  response_status: number | null;
  /** Headers and body of the answer, encrypted under a secret derived from the key. */
  response_sealed: string | null;
  claim_id: string | null;
  locked_until: ColumnType<
    Date | null,
    Date | RawBuilder<unknown> | null,
    Date | RawBuilder<unknown> | null
  >;
  created_at: ColumnType<Date, RawBuilder<unknown> | undefined, RawBuilder<unknown>>;
  expires_at: ColumnType<Date, Date | RawBuilder<unknown>, Date | RawBuilder<unknown>>;
}
