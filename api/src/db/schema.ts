import type { ColumnType, Generated } from 'kysely';

/** Every table the API reads or writes, as Kysely sees it. */
export interface Database {
  users: UsersTable;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}
