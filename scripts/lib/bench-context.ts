import type pg from 'pg';
import type { Figure } from './bench-table.ts';

/** What every section of the benchmark works with; each adds its figures to `figures`. */
export interface BenchContext {
  apiUrl: string;
  /** A connection of the bench's own to the bench database, for the SQL baselines. */
  direct: pg.Client;
  databaseUrl: string;
  /** The owner's session cookie (`name=value`). */
  cookie: string;
  rows: number;
  figures: Figure[];
  /** Printed under the table: how a baseline was made, where it is only approximate. */
  notes: string[];
}
