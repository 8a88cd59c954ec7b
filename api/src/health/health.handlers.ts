import type { RouteHandler } from '@hono/zod-openapi';
import { pendingMigrations, ping } from '../db/migrate.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { problem } from '../lib/problem.ts';
import type { health, ready } from './health.routes.ts';

const READY_CHECK_TIMEOUT_MS = 2_000;

export const getHealth: RouteHandler<typeof health, AppEnv> = (c) => c.json({ status: 'ok' }, 200);

export const getReadiness: RouteHandler<typeof ready, AppEnv> = async (c) => {
  const { db, databaseKind, reads } = c.var;
  // Reads fall back to the primary when the replica is away: it is reported, never a 503.
  const replica = reads.status(READY_CHECK_TIMEOUT_MS);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), READY_CHECK_TIMEOUT_MS);
  });
  try {
    const pending = await Promise.race([ping(db).then(() => pendingMigrations(db)), timeout]);
    if (pending.length > 0) {
      return problem(c, 503, `Migrations not applied yet: ${pending.join(', ')}`);
    }
    const body = { status: 'ready', database: databaseKind, migrations: 'current' } as const;
    return c.json({ ...body, replica: await replica }, 200);
  } catch (error) {
    c.var.logger.warn({ err: error }, 'readiness check failed');
    return problem(c, 503, 'The database does not answer.', { headers: { 'Retry-After': '5' } });
  } finally {
    clearTimeout(timer);
  }
};
