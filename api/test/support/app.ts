import pino from 'pino';
import { createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { TestDatabase } from './databases.ts';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PGLITE_DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

export function createTestApp(database: TestDatabase, env: Record<string, string> = {}) {
  return createApp({
    config: testConfig(env),
    db: database.db,
    databaseKind: database.kind,
    logger: pino({ level: 'silent' }),
  });
}
