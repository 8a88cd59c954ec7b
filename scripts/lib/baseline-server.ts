// The baselines of the throughput figures, each run as its own process by baselines.ts (which
// pins it to the API's core), so that it pays what the API pays: one Node, one core.
//   http: bare node:http answering the bytes the API sends on /health (BASELINE_ANSWER).
//   hono: bare Hono on @hono/node-server, one Kysely SELECT by primary key per request,
//         answered with c.json of the row, on the bench database (DATABASE_URL).
// Prints "listening" on stdout once it accepts connections on BASELINE_PORT.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Database } from '../../api/src/db/schema.ts';

export interface RecordedAnswer {
  /** Header names as the API spelt them, in its order; `x-request-id` is replaced per answer. */
  headers: [string, string][];
  body: string;
  keepAliveMs: number;
}

const port = Number(process.env.BASELINE_PORT);
const listening = () => console.log('listening');

function bareHttp(answer: RecordedAnswer): void {
  const server = createServer((_, response) => {
    // An object keeps the API's order; node:http then adds Date, Connection and Keep-Alive
    // after them, as it does for the API.
    const headers: Record<string, string> = {};
    for (const [name, value] of answer.headers) {
      headers[name] = name.toLowerCase() === 'x-request-id' ? randomUUID() : value;
    }
    response.writeHead(200, headers).end(answer.body);
  });
  server.keepAliveTimeout = answer.keepAliveMs;
  server.listen(port, '127.0.0.1', listening);
}

async function bareHono(databaseUrl: string): Promise<void> {
  // Loaded here, not at the top: the bare node:http process must not carry them in its memory
  // (its RSS is the idle-memory baseline).
  const [{ serve }, { Hono }, { Kysely, PostgresDialect }, { default: pg }] = await Promise.all([
    import('@hono/node-server'),
    import('hono'),
    import('kysely'),
    import('pg'),
  ]);
  // The API's pool size (DATABASE_POOL_MAX's default), so neither side has more connections.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const app = new Hono();
  app.get('/datasets/:id', async (c) => {
    const row = await db
      .selectFrom('datasets')
      .selectAll()
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    return row ? c.json(row) : c.json({ status: 404 }, 404);
  });
  app.get('/charts/:id', async (c) => {
    const row = await db
      .selectFrom('charts')
      .selectAll()
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    return row ? c.json(row) : c.json({ status: 404 }, 404);
  });
  // The account without its password hash, as /v1/me answers it.
  app.get('/users/:id', async (c) => {
    const row = await db
      .selectFrom('users')
      .select(['id', 'email', 'display_name', 'created_at'])
      .where('id', '=', c.req.param('id'))
      .executeTakeFirst();
    return row ? c.json(row) : c.json({ status: 404 }, 404);
  });
  serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, listening);
}

const kind = process.argv[2];
if (kind === 'http') bareHttp(JSON.parse(process.env.BASELINE_ANSWER ?? '') as RecordedAnswer);
else if (kind === 'hono') await bareHono(process.env.DATABASE_URL ?? '');
else throw new Error(`unknown baseline "${kind}": http or hono`);
