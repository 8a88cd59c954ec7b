import { sql } from 'kysely';
import type { TestDatabase } from '../support/databases.ts';

/** `count` CSV lines of two columns, numbered from `from`. */
export function csvRows(from: number, count: number): string {
  let text = '';
  for (let i = from; i < from + count; i++) text += `${i},row ${i}\n`;
  return text;
}

/** A request body the test writes to as it likes: a slow, stalled or abandoned upload. */
export function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    stream,
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

export async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting until ${what}`);
}

/** How many COPY statements are running in this test's database: imports under way. */
export async function copiesRunning(database: TestDatabase): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and query ilike 'copy %' and state = 'active'`.execute(
    database.db,
  );
  return rows[0]?.n ?? 0;
}
