import type { ColumnType, Generated } from 'kysely';

/** Every table the API reads or writes, as Kysely sees it. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  rate_limits: RateLimitsTable;
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
