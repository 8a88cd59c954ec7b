import { type RawBuilder, sql } from 'kysely';
import type { StoredColumn } from '../db/schema.ts';
import type { ValidationErrorItem } from '../lib/problem.ts';
import { RequestProblem } from '../lib/request-problem.ts';
import { summarise } from '../lib/validation.ts';
import { type ColumnType, fits, SQL_TYPES } from './column-types.ts';
import { FILTER_OPS } from './datasets.schemas.ts';

type FilterOp = (typeof FILTER_OPS)[number];
type Cell = string | number | boolean | null;

export interface Filter {
  column: string;
  op: FilterOp;
  value?: Cell | Cell[];
}

/** Invalid query input, already located (`loc`) for a 422. */
export class QueryInputError extends RequestProblem {
  readonly status = 422;
  readonly #errors: ValidationErrorItem[];

  constructor(errors: ValidationErrorItem[]) {
    super(summarise(errors));
    this.name = 'QueryInputError';
    this.#errors = errors;
  }

  get errors(): ValidationErrorItem[] {
    return this.#errors;
  }
}

/** Longest text a `contains` filter searches for: longer than any phrase a person types. */
export const MAX_CONTAINS_LENGTH = 200;

const fail = (loc: (string | number)[], msg: string, type = 'value_error'): never => {
  throw new QueryInputError([{ loc, msg, type }]);
};

/** A column by its name, or else its key; user names are looked up, never put into SQL. */
export function findColumn(columns: StoredColumn[], reference: string): StoredColumn | undefined {
  return columns.find((c) => c.name === reference) ?? columns.find((c) => c.key === reference);
}

export function resolveColumn(
  columns: StoredColumn[],
  reference: string,
  loc: (string | number)[],
) {
  return (
    findColumn(columns, reference) ??
    fail(loc, `there is no column "${reference}"`, 'unknown_column')
  );
}

/**
 * The columns `select` names. No more than the dataset has: each is a select-list entry, and
 * PostgreSQL takes at most 1,664 of those.
 */
export function selectColumns(columns: StoredColumn[], names: string[], loc: (string | number)[]) {
  if (names.length > columns.length) {
    fail(loc, `select at most ${columns.length} columns, as many as the dataset has`);
  }
  return names.map((name, index) => resolveColumn(columns, name, [...loc, index]));
}

/**
 * `column:op:value` from a query string. Names may contain colons, so the column is the longest
 * known name (or key) followed by `:op:`.
 */
export function parseFilterParam(
  text: string,
  columns: StoredColumn[],
  loc: (string | number)[],
): Filter {
  const candidates = columns
    .flatMap((c) => [c.name, c.key])
    .filter((name) => text.startsWith(`${name}:`))
    .sort((a, b) => b.length - a.length);
  for (const name of candidates) {
    const rest = text.slice(name.length + 1);
    const separator = rest.indexOf(':');
    const op = (separator === -1 ? rest : rest.slice(0, separator)) as FilterOp;
    if (!FILTER_OPS.includes(op)) continue;
    const raw = separator === -1 ? '' : rest.slice(separator + 1);
    if (op === 'in') {
      let values: unknown;
      try {
        values = JSON.parse(raw);
      } catch {
        values = undefined;
      }
      if (!Array.isArray(values))
        fail(loc, '`in` takes a JSON array, e.g. city:in:["Paris","Lyon"]');
      return { column: name, op, value: values as Cell[] };
    }
    if (op === 'is_null') {
      if (raw !== 'true' && raw !== 'false') fail(loc, '`is_null` takes true or false');
      return { column: name, op, value: raw === 'true' };
    }
    return { column: name, op, value: raw };
  }
  return fail(
    loc,
    'write filters as column:op:value, with a known column and op (eq, ne, lt, lte, gt, gte, in, contains, is_null)',
  );
}

/** The value as text PostgreSQL can cast to the column's type, or a 422 saying why not. */
function typedValue(
  column: StoredColumn,
  value: Cell,
  loc: (string | number)[],
): RawBuilder<unknown> {
  if (value === null) fail(loc, 'use is_null to match empty values');
  const text = String(value);
  if (!fits(column.type, text))
    fail(loc, `"${text}" is not a ${column.type}, the type of "${column.name}"`, 'type_mismatch');
  return sql`${text}::${sql.raw(SQL_TYPES[column.type])}`;
}

const COMPARISONS: Partial<Record<FilterOp, string>> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  lte: '<=',
  gt: '>',
  gte: '>=',
};
const ORDERED: ColumnType[] = ['integer', 'number', 'date', 'timestamp', 'text'];

export function filterSql(
  columns: StoredColumn[],
  filters: Filter[],
  loc: (string | number)[],
): RawBuilder<boolean>[] {
  return filters.map((filter, index) => {
    const at = [...loc, index];
    const column = resolveColumn(columns, filter.column, [...at, 'column']);
    const ref = sql.ref(column.key);
    const valueLoc = [...at, 'value'];
    if (filter.op === 'is_null') {
      if (typeof filter.value !== 'boolean') fail(valueLoc, '`is_null` takes true or false');
      return filter.value ? sql<boolean>`${ref} is null` : sql<boolean>`${ref} is not null`;
    }
    if (filter.op === 'in') {
      if (!Array.isArray(filter.value) || filter.value.length === 0 || filter.value.length > 1000) {
        fail(valueLoc, '`in` takes an array of 1 to 1000 values');
      }
      const values = (filter.value as Cell[]).map((v, i) =>
        typedValue(column, v, [...valueLoc, i]),
      );
      return sql<boolean>`${ref} in (${sql.join(values)})`;
    }
    if (Array.isArray(filter.value) || filter.value === undefined)
      fail(valueLoc, 'takes one value');
    if (filter.op === 'contains') {
      if (column.type !== 'text')
        fail(
          at,
          `contains works on text columns; "${column.name}" is ${column.type}`,
          'type_mismatch',
        );
      // A substring search costs its length on every row: 2,000 characters over a million rows
      // held the embedded database (which cannot cancel a query) for over thirteen minutes.
      const needle = String(filter.value);
      if ([...needle].length > MAX_CONTAINS_LENGTH) {
        fail(
          valueLoc,
          `a contains search takes at most ${MAX_CONTAINS_LENGTH} characters`,
          'string_too_long',
        );
      }
      const pattern = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return sql<boolean>`${ref} ilike ${pattern}`;
    }
    const comparison = COMPARISONS[filter.op] as string;
    if (filter.op !== 'eq' && filter.op !== 'ne' && !ORDERED.includes(column.type)) {
      fail(at, `${filter.op} does not apply to ${column.type} columns`, 'type_mismatch');
    }
    return sql<boolean>`${ref} ${sql.raw(comparison)} ${typedValue(column, filter.value as Cell, valueLoc)}`;
  });
}

export interface SortKey {
  column: StoredColumn;
  desc: boolean;
}

/** Sort keys are also selected (for the cursor): few enough to keep the select list bounded. */
export const MAX_SORT_KEYS = 10;

export function parseSort(
  columns: StoredColumn[],
  params: string[],
  loc: (string | number)[],
): SortKey[] {
  if (params.length > MAX_SORT_KEYS) fail(loc, `sort by at most ${MAX_SORT_KEYS} columns`);
  return params.map((param, index) => {
    const exact = findColumn(columns, param);
    if (exact) return { column: exact, desc: false };
    if (param.startsWith('-')) {
      const column = findColumn(columns, param.slice(1));
      if (column) return { column, desc: true };
    }
    return fail(
      [...loc, index],
      `there is no column "${param.replace(/^-/, '')}"`,
      'unknown_column',
    );
  });
}

export function orderBySql(sort: SortKey[]): RawBuilder<unknown> {
  const parts = sort.map(
    ({ column, desc }) => sql`${sql.ref(column.key)} ${sql.raw(desc ? 'desc' : 'asc')} nulls last`,
  );
  return sql.join([...parts, sql`_row asc`]);
}

/**
 * Position after the last row of a page: the sort values (as text) and the row number. A long
 * value (text of up to 64 KiB) is not carried: AT_ROW stands for it, and the database reads it
 * from that row, so a cursor stays short enough for a URL whatever the column holds.
 */
export interface Cursor {
  values: (string | null | typeof AT_ROW)[];
  row: string;
}

const AT_ROW = 0;

/** Longest sort value a cursor carries itself: ten of them still fit the `cursor` parameter. */
const LONGEST_CURSOR_VALUE = 64;

export function encodeCursor(cursor: Cursor): string {
  const values = cursor.values.map((value) =>
    typeof value === 'string' && value.length > LONGEST_CURSOR_VALUE ? AT_ROW : value,
  );
  return Buffer.from(JSON.stringify([values, cursor.row])).toString('base64url');
}

/** The largest `_row` (bigint); a cursor past it would fail the cast as a 500. */
const MAX_ROW = 2n ** 63n - 1n;

/**
 * Whether a cursor value is one PostgreSQL's `::text` of the column could have written, so that
 * casting it back cannot fail. Dates and timestamps on or near year 1 may say ` BC` (an offset
 * can move 0001-01-01 back a day), text no NUL; everything else is what an input value must be.
 */
function cursorValueFits(type: ColumnType, value: unknown): boolean {
  if (value === null || value === AT_ROW) return true;
  if (typeof value !== 'string') return false;
  if (type === 'text') return !value.includes('\u0000');
  if (type === 'date' || type === 'timestamp') return fits(type, value.replace(/ BC$/, ''));
  return fits(type, value);
}

export function decodeCursor(text: string, sort: SortKey[], loc: (string | number)[]): Cursor {
  try {
    const [values, row] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === sort.length &&
      values.every((v, i) => cursorValueFits((sort[i] as SortKey).column.type, v)) &&
      typeof row === 'string' &&
      /^\d{1,19}$/.test(row) &&
      BigInt(row) <= MAX_ROW
    ) {
      return { values, row };
    }
  } catch {
    // fall through
  }
  return fail(
    loc,
    'this cursor is not valid for this sort; start again without it',
    'invalid_cursor',
  );
}

/**
 * Rows strictly after the cursor in `order by sort…, _row` order, nulls last: keyset paging, so
 * page 1000 costs what page 1 costs and rows never repeat or go missing between pages.
 */
export function afterCursorSql(
  table: string,
  sort: SortKey[],
  cursor: Cursor,
): RawBuilder<boolean> {
  const build = (index: number): RawBuilder<boolean> => {
    if (index === sort.length) return sql<boolean>`_row > ${cursor.row}::bigint`;
    const { column, desc } = sort[index] as SortKey;
    const ref = sql.ref(column.key);
    const value = cursor.values[index];
    const rest = build(index + 1);
    if (value === null || value === undefined) return sql<boolean>`(${ref} is null and ${rest})`;
    const typed =
      value === AT_ROW
        ? sql`(select ${ref} from ${sql.table(table)} where _row = ${cursor.row}::bigint)`
        : sql`${value}::${sql.raw(SQL_TYPES[column.type])}`;
    return sql<boolean>`(${ref} ${sql.raw(desc ? '<' : '>')} ${typed} or ${ref} is null or (${ref} = ${typed} and ${rest}))`;
  };
  return build(0);
}
