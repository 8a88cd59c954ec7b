import { QueryInputError } from '../datasets/row-query.ts';

/** Position in a newest-first list: the last item's creation time and id (keyset paging). */
export interface ListPosition {
  created_at: string;
  id: string;
}

export function encodeListCursor(item: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([item.created_at.toISOString(), item.id])).toString(
    'base64url',
  );
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The position a `cursor` query parameter names; a 422 (QueryInputError) when it is not one. */
export function decodeListCursor(cursor: string | undefined): ListPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [created_at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Exactly what `encodeListCursor` writes: anything Date.parse takes is not something
    // PostgreSQL does (`"1"`, `+275760-09-13`), nor is every 36 hex digits and dashes a uuid.
    if (
      typeof created_at === 'string' &&
      ISO_INSTANT.test(created_at) &&
      new Date(created_at).toISOString() === created_at &&
      typeof id === 'string' &&
      UUID.test(id)
    ) {
      return { created_at, id };
    }
  } catch {
    // not JSON: answered below
  }
  throw new QueryInputError([
    { loc: ['query', 'cursor'], msg: 'not a cursor from this list', type: 'invalid_cursor' },
  ]);
}

/** One page of a newest-first list fetched with one extra row, and the cursor for the next. */
export function listPage<T extends { created_at: Date; id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encodeListCursor(last) : null };
}
