import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Auth } from '../auth/auth-context.ts';
import type { Config } from '../config.ts';
import type { DatabaseHandle, DatabaseKind } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

/** What every handler can read from the context, set once per request by the app. */
export interface AppEnv {
  Variables: {
    requestId: string;
    db: Kysely<Database>;
    databaseKind: DatabaseKind;
    /** The database with its bulk-import path, for the few handlers that stream rows in. */
    database: DatabaseHandle;
    config: Config;
    logger: Logger;
    /** Who is calling; `null` when anonymous. */
    auth: Auth | null;
  };
}
