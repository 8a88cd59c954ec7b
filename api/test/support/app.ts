import pino from 'pino';
import { createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { TestDatabase } from './databases.ts';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PGLITE_DATA_DIR: 'memory://',
    LOG_LEVEL: 'silent',
    // The cheapest scrypt cost allowed: tests sign up many accounts; the format is the same.
    PASSWORD_SCRYPT_LOG_N: '10',
    // Tests of the limits themselves set them low; everything else should never meet them.
    RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
    RATE_LIMIT_WRITES_PER_MINUTE: '100000',
    RATE_LIMIT_ACCOUNT_PER_HOUR: '100000',
    HEAVY_READS_PER_CALLER: '1000',
    HEAVY_READS_CONCURRENCY: '1000',
    ...overrides,
  });
}

export function createTestApp(
  database: TestDatabase,
  env: Record<string, string> = {},
  { clock }: { clock?: () => number } = {},
) {
  return createApp({
    clock,
    config: testConfig(env),
    database: database.handle,
    logger: pino({ level: 'silent' }),
  });
}
