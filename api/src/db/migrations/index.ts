import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_users.ts';
import * as m0002 from './0002_auth.ts';
import * as m0003 from './0003_datasets.ts';
import * as m0004 from './0004_charts.ts';
import * as m0005 from './0005_idempotency.ts';

/** Every migration, in order. Imported, not read from disk, so a bundled or moved build still has them. */
export const migrations: Record<string, Migration> = {
  '0001_users': m0001,
  '0002_auth': m0002,
  '0003_datasets': m0003,
  '0004_charts': m0004,
  '0005_idempotency': m0005,
};
