import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import { type DatabaseHandle, type DatabaseOptions, openDatabase } from './database.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/** What `/ready` says of the read replica: none configured, answering, or not. */
export type ReplicaStatus = 'none' | 'up' | 'down';

export interface ReadOptions {
  /**
   * Asked on the very replica connection that would then run the read: false when the replica
   * has not yet replayed what this read must see, and the primary runs it instead.
   */
  caughtUp?: (replica: Db) => Promise<boolean>;
}

/**
 * Where the reads that tolerate a little replication lag go (rows, aggregates, chart series,
 * anonymous public lists). Handlers choose it explicitly; everything else uses the primary.
 */
export interface Reads {
  /** Runs `work`, a read only, on the replica when there is one and it can, else on the primary. */
  run<T>(work: (db: Db) => Promise<T>, options?: ReadOptions): Promise<T>;
  status(timeoutMs: number): Promise<ReplicaStatus>;
  close(): Promise<void>;
}

/** Without a replica every read goes to the primary. */
export function primaryReads(primary: Db): Reads {
  return {
    run: (work) => work(primary),
    status: async () => 'none',
    close: async () => {},
  };
}

/** The replica is away or refuses us: reads go to the primary until the cool-down is over. */
const REPLICA_AWAY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the standby is starting up
  '53300', // too_many_connections
  '3D000', // invalid_catalog_name: no such database there
]);
/** SQLSTATE classes 08 (connection exception) and 28 (authorization): the same. */
const REPLICA_AWAY_CLASSES = /^(08|28)[0-9A-Z]{3}$/;
/** pg's own messages for a connection that failed, could not be had, or never answered. */
const REPLICA_AWAY_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end/i;
/**
 * This read cannot run there now, but the replica itself is fine: it runs again on the primary.
 * A hot standby cancels a query that conflicts with the WAL it replays (40001); a replica that has
 * not replayed a migration yet lacks its tables or columns (42P01, 42703). A query that is wrong
 * fails the same way on the primary, so retrying it there hides nothing.
 */
const REPLICA_BEHIND_CODES = new Set(['40001', '42P01', '42703']);

function codesOf(error: unknown): string[] {
  if (!(error instanceof Error)) return [];
  const own = (error as { code?: unknown }).code;
  // Connecting to a name with several addresses fails with an AggregateError of each attempt.
  const nested = error instanceof AggregateError ? error.errors.flatMap(codesOf) : [];
  return [...(typeof own === 'string' ? [own] : []), ...nested];
}

function isReplicaAway(error: unknown): boolean {
  if (
    codesOf(error).some((code) => REPLICA_AWAY_CODES.has(code) || REPLICA_AWAY_CLASSES.test(code))
  )
    return true;
  return error instanceof Error && REPLICA_AWAY_MESSAGES.test(error.message);
}

export interface ReplicaReadsOptions {
  /** After the replica fails, how long reads go straight to the primary before it is tried again. */
  retryAfterMs: number;
  logger?: Logger | undefined;
}

/**
 * Reads on the replica, with the primary as the fallback: a read that fails there for a reason
 * of the replica's (stopped, unreachable, starting up, refusing) runs again on the primary, and
 * the replica is left alone for `retryAfterMs`, so a stopped replica costs one failed connection
 * attempt per cool-down rather than one per request. Errors of the read itself (a statement
 * timeout, bad input) are not retried: the primary would fail the same way, twice as slowly.
 */
export function replicaReads(primary: Db, replica: Db, options: ReplicaReadsOptions): Reads {
  let awayUntil = 0;
  let away = false;
  return {
    async run<T>(work: (db: Db) => Promise<T>, { caughtUp }: ReadOptions = {}): Promise<T> {
      if (Date.now() < awayUntil) return work(primary);
      let done: { value: T } | undefined;
      try {
        // One connection for the check and the read: behind a load-balanced reader endpoint,
        // two connections may reach two replicas that are not equally far behind.
        done = await replica.connection().execute(async (db) => {
          if (caughtUp && !(await caughtUp(db))) return undefined;
          return { value: await work(db) };
        });
      } catch (error) {
        if (codesOf(error).some((code) => REPLICA_BEHIND_CODES.has(code))) return work(primary);
        if (!isReplicaAway(error)) throw error;
        awayUntil = Date.now() + options.retryAfterMs;
        if (!away) {
          away = true;
          options.logger?.warn(
            { err: error, retryAfterMs: options.retryAfterMs },
            'read replica unavailable: reads go to the primary',
          );
        }
        return work(primary);
      }
      if (away) {
        away = false;
        options.logger?.info('read replica answers again: reads go back to it');
      }
      return done ? done.value : work(primary);
    },
    async status(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      });
      try {
        await Promise.race([sql`select 1`.execute(replica), timeout]);
        return 'up';
      } catch {
        return 'down';
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => replica.destroy(),
  };
}

/** Names the replica's connections in its pg_stat_activity, unless the URL already does. */
export const REPLICA_APPLICATION_NAME = 'chartroom-api-replica-reads';

function withApplicationName(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('application_name'))
    parsed.searchParams.set('application_name', REPLICA_APPLICATION_NAME);
  return parsed.toString();
}

/**
 * Opens the primary and, when `replica.url` is set, a second pool for the replica with the
 * same limits and timeouts. The handle's `reads` then send lag-tolerant reads there.
 */
export function openDatabaseWithReplica(
  options: DatabaseOptions,
  replica: { url?: string | undefined; retryAfterMs: number },
  logger?: Logger,
): DatabaseHandle {
  const handle = openDatabase(options);
  // The configuration refuses a replica without DATABASE_URL: PGlite has no replicas.
  if (!replica.url || options.kind !== 'postgres') return handle;
  const replicaHandle = openDatabase({ ...options, url: withApplicationName(replica.url) });
  return {
    ...handle,
    description: `${handle.description}, reads from ${replicaHandle.description}`,
    reads: replicaReads(handle.db, replicaHandle.db, {
      retryAfterMs: replica.retryAfterMs,
      logger,
    }),
  };
}

/** The handle's reads: its replica's, or the primary's own when it has none. */
export function readsOf(handle: DatabaseHandle): Reads {
  return handle.reads ?? primaryReads(handle.db);
}
