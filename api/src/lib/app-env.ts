import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Auth } from '../auth/auth-context.ts';
import type { Config } from '../config.ts';
import type { DatabaseHandle, DatabaseKind } from '../db/database.ts';
import type { Reads } from '../db/replica.ts';
import type { Database } from '../db/schema.ts';
import type { AnswerCache } from './answer-cache.ts';

/** What every handler can read from the context, set once per request by the app. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The primary: every write, and every read that must see the latest write. */
    db: Kysely<Database>;
    /**
     * Reads that tolerate a little lag (rows, aggregates, chart series, anonymous lists): the
     * read replica when DATABASE_REPLICA_URL is set, else the primary.
     */
    reads: Reads;
    databaseKind: DatabaseKind;
    /** The database with its bulk-import path, for the few handlers that stream rows in. */
    database: DatabaseHandle;
    config: Config;
    logger: Logger;
    /** Who is calling; `null` when anonymous. */
    auth: Auth | null;
    /**
     * On heavy-read paths: keeps the request's slot past the handler, for a response that
     * streams (an export); call what it answers when the last byte is sent.
     */
    holdHeavyRead?: () => () => void;
    /** On heavy-read paths: waits for the request's slot, if it does not hold it yet. */
    takeHeavyRead?: () => Promise<void>;
    /** Chart data and images, computed once per version of chart, dataset and query. */
    answers: AnswerCache;
    /** Milliseconds since the epoch: `Date.now`, or a test's controllable clock (rate windows). */
    clock: () => number;
  };
}
