import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { type AppDeps, createApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { databaseOptionsFromConfig } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { openDatabaseWithReplica, readsOf } from './db/replica.ts';

export interface RunningServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the database. */
  shutdown: () => Promise<void>;
}

/** Opens the database, migrates, listens. `buildApp` lets a test add routes to the real app. */
export async function startServer(
  config: Config,
  buildApp: (deps: AppDeps) => {
    fetch: (request: Request) => Response | Promise<Response>;
  } = createApp,
): Promise<RunningServer> {
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'chartroom-api' } });
  const database = openDatabaseWithReplica(
    databaseOptionsFromConfig(config),
    { url: config.DATABASE_REPLICA_URL, retryAfterMs: config.DATABASE_REPLICA_RETRY_MS },
    logger,
  );
  const { db, description } = database;
  const { results = [] } = await migrateToLatest(db);
  for (const result of results) logger.info({ migration: result.migrationName }, 'migrated');

  const app = buildApp({ config, database, logger });
  const server = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `http://${host}:${port}`;
  logger.info({ url, database: description }, 'listening');

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      logger.info('shutting down: finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets with no request in flight would hold close() open.
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.SHUTDOWN_GRACE_MS);
      });
      if ((await Promise.race([closed, graceOver])) === 'timeout') {
        logger.warn('grace period over: closing remaining connections');
        if ('closeAllConnections' in server) server.closeAllConnections();
      }
      clearTimeout(timer);
      await db.destroy();
      await readsOf(database).close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { url, shutdown };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const server = await startServer(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.shutdown().then(
        () => process.exit(0),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}

if (import.meta.main) await main();
