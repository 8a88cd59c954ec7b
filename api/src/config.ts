import path from 'node:path';
import { z } from 'zod';
import { TEXT_CEILINGS } from './lib/text-limits.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');

const commaList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)));

const booleanFlag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

const textLimit = (ceiling: number) => z.coerce.number().int().min(1).max(ceiling).default(ceiling);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  /**
   * A streaming replica of DATABASE_URL (or a managed reader endpoint): reads that tolerate a
   * little lag go there, everything else stays on the primary.
   */
  DATABASE_REPLICA_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  /** After the replica fails, how long reads stay on the primary before it is tried again. */
  DATABASE_REPLICA_RETRY_MS: z.coerce.number().int().min(0).default(5_000),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  /** Longest wait for a database connection (a new one, or a free one from a full pool): 503 after. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  PGLITE_DATA_DIR: z
    .string()
    .min(1)
    .default(path.join(repoRoot, '.data', 'pglite')),
  CORS_ORIGINS: commaList.default(['http://localhost:4321', 'http://127.0.0.1:4321']),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /** CSV uploads stream, so they have a limit of their own, far above JSON bodies'. */
  UPLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  MAX_COLUMNS: z.coerce.number().int().min(1).max(1500).default(1000),
  /** Stored text limits: each may be lowered, never raised past what the contract states. */
  MAX_DATASET_NAME_LENGTH: textLimit(TEXT_CEILINGS.datasetName),
  MAX_DESCRIPTION_LENGTH: textLimit(TEXT_CEILINGS.description),
  MAX_COLUMN_NAME_LENGTH: textLimit(TEXT_CEILINGS.columnName),
  MAX_COLUMN_LABEL_LENGTH: textLimit(TEXT_CEILINGS.columnLabel),
  MAX_CELL_BYTES: textLimit(TEXT_CEILINGS.cellBytes),
  /**
   * Cells one page of rows holds, in bytes: a page stops before `limit` rows when its cells pass
   * it (its next_cursor goes on from there), so large cells cannot make a page outgrow memory.
   */
  ROWS_PAGE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(256 * 1024 * 1024)
    .default(8 * 1024 * 1024),
  /**
   * Bytes of chart data and images each instance keeps, computed once per version of chart,
   * dataset and query (see README, "Caching"); 0 keeps none, though equal requests still share
   * one computation.
   */
  CHART_CACHE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
  /**
   * Datasets with at least this many rows get an index on a column the first time their rows
   * are sorted or filtered by it (see datasets/row-indexes.ts), so later pages stay O(limit).
   */
  ROW_INDEX_MIN_ROWS: z.coerce.number().int().min(1).default(50_000),
  /** Most series one chart answer draws; more cannot be told apart, and cost the server to draw. */
  CHART_MAX_SERIES: z.coerce.number().int().min(1).max(200).default(20),
  /** Most bars, slices or categories one chart answer draws. */
  CHART_MAX_CATEGORIES: z.coerce.number().int().min(2).max(10_000).default(500),
  /**
   * Most rows (or groups, once aggregated) one chart answer reads from the database; beyond it the
   * rows of each series are sampled evenly along x there, so memory stays bounded on any data.
   */
  CHART_MAX_ROWS_READ: z.coerce.number().int().min(1_000).max(2_000_000).default(200_000),
  /**
   * Longest any statement run for a request may take before PostgreSQL cancels it (imports and
   * migrations excepted); a database that sends nothing back for longer is presumed unreachable.
   */
  QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Slow clients: how long the request line and headers may take to arrive (slowloris). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  /** How long a whole request, body included, may take to arrive; 0 turns the limit off. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(0).default(300_000),
  /** How long an idle keep-alive connection stays open; keep it above a proxy's own idle timeout. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  /** A request body (an upload) that sends no byte for this long is aborted; 0 turns it off. */
  BODY_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Unset: Secure cookies in production only, so http://localhost works in development. */
  COOKIE_SECURE: booleanFlag.optional(),
  /** Behind a proxy (Railway, a CDN) the client's address is the last X-Forwarded-For entry. */
  TRUST_PROXY: booleanFlag.default(false),
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** Wrong passwords for one account per hour, whatever the address (distributed guessing). */
  RATE_LIMIT_ACCOUNT_PER_HOUR: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /**
   * Reads whose cost grows with the data (chart data and images, row pages, aggregate queries)
   * running at once per instance; more wait up to HEAVY_READS_WAIT_MS, then answer 503.
   */
  /** Unset: 4 on PostgreSQL, 1 on PGlite (one session: every query waits behind the others). */
  HEAVY_READS_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).optional(),
  /** Of those, held by one user (or one address, anonymous); more answer 429 at once. */
  HEAVY_READS_PER_CALLER: z.coerce.number().int().min(1).max(1_000).default(2),
  /** How long a heavy read waits for a slot before its 503; 0 answers 503 at once. */
  HEAVY_READS_WAIT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** How long a stored Idempotency-Key answer is replayed; expired keys are swept as writes go. */
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
  /** scrypt cost as log2(N); stored with each hash, so raising it later rehashes at next login. */
  PASSWORD_SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(15),
});

export type Config = z.output<typeof envSchema>;

/** Every variable the API reads: the README's configuration table must name exactly these. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);

/** Settings that only make sense together. */
const consistentEnvSchema = envSchema.superRefine((config, context) => {
  if (config.DATABASE_REPLICA_URL && !config.DATABASE_URL) {
    context.addIssue({
      code: 'custom',
      path: ['DATABASE_REPLICA_URL'],
      message:
        'needs DATABASE_URL too: a replica serves reads for a PostgreSQL primary, not PGlite',
    });
  }
});

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and validates every setting at once, so a bad deploy names all its mistakes together. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most .env files and dashboards.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = consistentEnvSchema.safeParse(present);
  if (result.success) {
    const { HTTP_HEADERS_TIMEOUT_MS: headers, HTTP_REQUEST_TIMEOUT_MS: request } = result.data;
    // Node refuses a headers timeout longer than the whole request's.
    if (request > 0 && headers > request) {
      throw new ConfigError([
        'HTTP_HEADERS_TIMEOUT_MS: must not be longer than HTTP_REQUEST_TIMEOUT_MS',
      ]);
    }
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
    ),
  );
}
