import type { Kysely } from 'kysely';
import type { Reads } from '../db/replica.ts';
import type { Database } from '../db/schema.ts';
import { type DatasetRow, holdsVersion } from './datasets.repository.ts';

/**
 * Runs a heavy read of a dataset's rows (a page, an export, an aggregate, a chart's series) on
 * the read replica, when there is one.
 *
 * The dataset itself (owner, visibility, table name, columns) is always read on the primary by
 * the caller, before this: who may see what is never decided from a replica that may lag, where a
 * dataset just made private would still look public, or one just created would not exist. The
 * replica then serves the rows only once it holds that same version of the dataset; until it
 * has caught up (a dataset just created, rows just appended) the primary serves them, so whoever
 * wrote something reads it back at once, and a chart's ETag, made from the primary's version,
 * never labels older rows.
 */
export function readDatasetRows<T>(
  reads: Reads,
  dataset: Pick<DatasetRow, 'id' | 'updated_at' | 'row_count'>,
  work: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return reads.run(work, { caughtUp: (replica) => holdsVersion(replica, dataset) });
}
