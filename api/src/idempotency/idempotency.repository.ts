import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, IdempotencyKeysTable } from '../db/schema.ts';

/** Who sent which request under which key (known by its HMAC only). */
export interface KeyedRequest {
  userId: string;
  keyHash: string;
  method: string;
  path: string;
  requestHash: string;
}

/** What a taken key holds: the request it was first used for, and its answer once there. */
export type KeyRecord = Pick<
  Selectable<IdempotencyKeysTable>,
  | 'request_method'
  | 'request_path'
  | 'request_hash'
  | 'body_hash'
  | 'response_status'
  | 'response_sealed'
>;

export type Claim = { claimed: true; claimId: string } | { claimed: false; record: KeyRecord };

/** Database time, so that every instance agrees on what has expired whatever its clock says. */
const fromNow = (seconds: number) => sql<Date>`now() + ${`${seconds} seconds`}::interval`;

/**
 * Takes the key for this request, atomically across instances: inserts it, or takes over a row
 * that has expired or whose request died (its claim lapsed). Otherwise returns the row that holds
 * the key, still running or finished.
 */
export async function claimKey(
  db: Kysely<Database>,
  request: KeyedRequest,
  { ttlSeconds, leaseSeconds }: { ttlSeconds: number; leaseSeconds: number },
): Promise<Claim> {
  // A row released between the two statements is claimed on the next turn.
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimId = randomUUID();
    const fresh = {
      request_method: request.method,
      request_path: request.path,
      request_hash: request.requestHash,
      body_hash: null,
      response_status: null,
      response_sealed: null,
      claim_id: claimId,
      locked_until: fromNow(leaseSeconds),
      created_at: sql<Date>`now()`,
      expires_at: fromNow(ttlSeconds),
    };
    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ user_id: request.userId, key_hash: request.keyHash, ...fresh })
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'key_hash'])
          .doUpdateSet(fresh)
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.expires_at', '<=', sql<Date>`now()`),
              eb.and([
                eb('idempotency_keys.response_status', 'is', null),
                eb('idempotency_keys.locked_until', '<', sql<Date>`now()`),
              ]),
            ]),
          ),
      )
      .returning('claim_id')
      .executeTakeFirst();
    if (claimed) return { claimed: true, claimId };
    const record = await db
      .selectFrom('idempotency_keys')
      .select([
        'request_method',
        'request_path',
        'request_hash',
        'body_hash',
        'response_status',
        'response_sealed',
      ])
      .where('user_id', '=', request.userId)
      .where('key_hash', '=', request.keyHash)
      .executeTakeFirst();
    if (record) return { claimed: false, record };
  }
  throw new Error('An idempotency key was claimed and released repeatedly.');
}

/** Keeps a running request's claim from lapsing. */
export async function renewClaim(
  db: Kysely<Database>,
  request: KeyedRequest,
  claimId: string,
  leaseSeconds: number,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ locked_until: fromNow(leaseSeconds) })
    .where('user_id', '=', request.userId)
    .where('key_hash', '=', request.keyHash)
    .where('claim_id', '=', claimId)
    .execute();
}

/** Stores the first answer for replays, if this request still holds the key. */
export async function completeKey(
  db: Kysely<Database>,
  request: KeyedRequest,
  claimId: string,
  answer: { bodyHash: string; status: number; sealed: string },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({
      body_hash: answer.bodyHash,
      response_status: answer.status,
      response_sealed: answer.sealed,
      claim_id: null,
      locked_until: null,
    })
    .where('user_id', '=', request.userId)
    .where('key_hash', '=', request.keyHash)
    .where('claim_id', '=', claimId)
    .execute();
}

/** Frees the key so that a retry runs afresh: after a server error, nothing is remembered. */
export async function releaseKey(
  db: Kysely<Database>,
  request: KeyedRequest,
  claimId: string,
): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('user_id', '=', request.userId)
    .where('key_hash', '=', request.keyHash)
    .where('claim_id', '=', claimId)
    .execute();
}

/** Drops keys past their time; returns how many went. */
export async function deleteExpiredKeys(db: Kysely<Database>): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<=', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
