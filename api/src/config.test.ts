import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has defaults that run locally with the embedded database', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PGLITE_DATA_DIR).toMatch(/\.data[/\\]pglite$/);
    expect(config.CORS_ORIGINS).toEqual(['http://localhost:4321', 'http://127.0.0.1:4321']);
  });

  it('reads CORS_ORIGINS as a comma-separated list of origins', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://app.example.com/, http://localhost:4321' });
    expect(config.CORS_ORIGINS).toEqual(['https://app.example.com', 'http://localhost:4321']);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(8000);
  });

  it('takes DATABASE_REPLICA_URL beside DATABASE_URL, with a retry delay', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@primary.internal:5432/chartroom',
      DATABASE_REPLICA_URL: 'postgresql://app@replica.internal:5432/chartroom',
    });
    expect(config.DATABASE_REPLICA_URL).toBe('postgresql://app@replica.internal:5432/chartroom');
    expect(config.DATABASE_REPLICA_RETRY_MS).toBe(5000);
  });

  it('refuses a DATABASE_REPLICA_URL that is no PostgreSQL URL, or one without DATABASE_URL', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(
      problems({ DATABASE_URL: 'postgres://app@db/x', DATABASE_REPLICA_URL: 'replica.internal' }),
    ).toEqual(['DATABASE_REPLICA_URL: must be a postgres:// or postgresql:// URL']);
    expect(problems({ DATABASE_REPLICA_URL: 'postgres://app@replica.internal/x' })).toEqual([
      'DATABASE_REPLICA_URL: needs DATABASE_URL too: a replica serves reads for a PostgreSQL primary, not PGlite',
    ]);
  });

  it('refuses a headers timeout longer than the whole request may take, as Node would', () => {
    const load = (env: Record<string, string>) => () => loadConfig(env);
    expect(load({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000' })).toThrow(
      'HTTP_HEADERS_TIMEOUT_MS: must not be longer than HTTP_REQUEST_TIMEOUT_MS',
    );
    // 0 turns the request limit off, so any headers limit goes with it.
    expect(
      loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '0' })
        .HTTP_HEADERS_TIMEOUT_MS,
    ).toBe(60000);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', CORS_ORIGINS: 'not a url' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT');
    expect(problems).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    expect(problems).toContain('CORS_ORIGINS');
  });
});
