import { rm } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { type AppDeps, createApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import {
  type DatabaseHandle,
  type DatabaseOptions,
  databaseOptionsFromConfig,
  migrationOptions,
  openDatabase,
} from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { openDatabaseWithReplica, readsOf } from './db/replica.ts';
import { claimScratchDir } from './lib/scratch-dir.ts';
import { guardAgainstSlowClients, httpServerOptions } from './lib/slow-clients.ts';

export interface RunningServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the database. */
  shutdown: () => Promise<void>;
}

/** Applies pending migrations; on PostgreSQL through a connection without the query timeout. */
async function migrate(options: DatabaseOptions, database: DatabaseHandle, logger: Logger) {
  const migrating =
    options.kind === 'postgres' ? openDatabase(migrationOptions(options)) : database;
  try {
    const { results = [] } = await migrateToLatest(migrating.db);
    for (const result of results) logger.info({ migration: result.migrationName }, 'migrated');
  } finally {
    if (migrating !== database) await migrating.db.destroy();
  }
}

/**
 * For shutdown: the returned function makes every answer still to come say `Connection: close`,
 * and closes each connection as soon as it has no request in flight. Otherwise a keep-alive
 * client could go on sending requests over its open connection after SIGTERM, and hold
 * `server.close()` open until the keep-alive timeout.
 */
function trackRequestsInFlight(server: Server): () => void {
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (closing) response.setHeader('Connection', 'close');
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return () => {
    closing = true;
    for (const response of inFlight) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
    server.closeIdleConnections();
  };
}

/** Opens the database, migrates, listens. `buildApp` lets a test add routes to the real app. */
export async function startServer(
  config: Config,
  buildApp: (deps: AppDeps) => {
    fetch: (request: Request) => Response | Promise<Response>;
  } = createApp,
): Promise<RunningServer> {
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'chartroom-api' } });
  const options = databaseOptionsFromConfig(config);
  const database = openDatabaseWithReplica(
    options,
    { url: config.DATABASE_REPLICA_URL, retryAfterMs: config.DATABASE_REPLICA_RETRY_MS },
    logger,
  );
  const { db, description } = database;
  await migrate(options, database, logger);

  const app = buildApp({ config, database, logger });
  const server = serve({
    fetch: app.fetch,
    hostname: config.HOST,
    port: config.PORT,
    serverOptions: httpServerOptions(config),
  }) as Server;
  guardAgainstSlowClients(server, config, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `http://${host}:${port}`;
  logger.info({ url, database: description }, 'listening');

  const closeConnectionsOnceIdle = trackRequestsInFlight(server);
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      logger.info('shutting down: finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      closeConnectionsOnceIdle();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.SHUTDOWN_GRACE_MS);
      });
      if ((await Promise.race([closed, graceOver])) === 'timeout') {
        logger.warn('grace period over: closing remaining connections');
        server.closeAllConnections();
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
  // Temporary files (import spill files) go to a folder of this process's own; a crashed
  // predecessor's folder is removed now, so a SIGKILL mid-import leaves nothing behind for long.
  const scratch = await claimScratchDir();
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = scratch.path;
  if (scratch.removed.length) {
    pino({ level: config.LOG_LEVEL, base: { service: 'chartroom-api' } }).warn(
      { removed: scratch.removed },
      'removed the temporary files of processes that stopped without cleaning up',
    );
  }
  const server = await startServer(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.shutdown().then(
        async () => {
          await rm(scratch.path, { recursive: true, force: true });
          process.exit(0);
        },
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}

if (import.meta.main) await main();
