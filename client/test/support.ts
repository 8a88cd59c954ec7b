import path from 'node:path';
import type { DatabaseKind } from '../../api/src/db/database.ts';
import { startServer } from '../../api/src/server.ts';
import { createKey, signUp } from '../../api/test/support/accounts.ts';
import { testConfig } from '../../api/test/support/app.ts';
import { openTestDatabase } from '../../api/test/support/databases.ts';

export const clientRoot = path.resolve(import.meta.dirname, '..');
export const repoRoot = path.resolve(clientRoot, '..');

export interface RunningApi {
  url: string;
  /** A `read` + `write` API key of a fresh account, as an integrator makes on the account page. */
  apiKey: string;
  stop: () => Promise<void>;
}

/** The real API listening on 127.0.0.1, on PGlite in memory or a fresh PostgreSQL database. */
export async function startApiWithKey(kind: DatabaseKind): Promise<RunningApi> {
  const database = kind === 'postgres' ? await openTestDatabase(kind, { migrate: false }) : null;
  const server = await startServer(
    testConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      ...(database?.url ? { DATABASE_URL: database.url } : {}),
    }),
  );
  const request = (url: string, init?: RequestInit) => fetch(`${server.url}${url}`, init);
  const account = await signUp(request, 'Integrator');
  const { secret } = await createKey(request, account, ['read', 'write']);
  return {
    url: server.url,
    apiKey: secret,
    stop: async () => {
      await server.shutdown();
      await database?.close();
    },
  };
}
