/**
 * The column types a dataset can have, how each is recognised in text, and how it is stored.
 * Inference looks at every value of the file: a column keeps a type only if all its non-empty
 * values fit it, so nothing is lost (`00501` stays text, a mix of numbers and words is text).
 */
export const COLUMN_TYPES = ['integer', 'number', 'boolean', 'date', 'timestamp', 'text'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** PostgreSQL type of each column type; identifiers of users never reach SQL, types come from here. */
export const SQL_TYPES: Record<ColumnType, string> = {
  integer: 'bigint',
  number: 'double precision',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamptz',
  text: 'text',
};

const INTEGER = /^[-+]?(?:0|[1-9]\d{0,17})$/;
const NUMBER = /^[-+]?(?:(?:0|[1-9]\d*)(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const BOOLEAN = /^(?:true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// ISO 8601 and the common `YYYY-MM-DD HH:MM[:SS[.fff]]`, with an optional zone.
const TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] as number));
}

const digits = (value: string, start: number, count: number) => {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + value.charCodeAt(i) - 48;
  return n;
};

// Called for every cell of an import, so dates are checked by position, after a regex test.
function validYearMonthDay(value: string): boolean {
  return validDate(digits(value, 0, 4), digits(value, 5, 2), digits(value, 8, 2));
}

export function fits(type: ColumnType, value: string): boolean {
  switch (type) {
    case 'integer':
      return INTEGER.test(value);
    case 'number':
      // Only an exponent or a very long number can overflow a double.
      return (
        NUMBER.test(value) &&
        ((value.length < 300 && value.indexOf('e') === -1 && value.indexOf('E') === -1) ||
          Number.isFinite(Number(value)))
      );
    case 'boolean':
      return BOOLEAN.test(value);
    case 'date':
      return DATE.test(value) && validYearMonthDay(value);
    case 'timestamp':
      return (
        TIMESTAMP.test(value) &&
        validYearMonthDay(value) &&
        digits(value, 11, 2) < 24 &&
        digits(value, 14, 2) < 60 &&
        (value.charCodeAt(16) !== 58 || digits(value, 17, 2) < 60)
      );
    case 'text':
      return true;
  }
}

const CANDIDATES: ColumnType[] = ['integer', 'number', 'boolean', 'date', 'timestamp'];

/** Narrows a column's possible types one value at a time; cheap enough for every cell. */
export class TypeInference {
  #candidates: ColumnType[] = [...CANDIDATES];
  #seen = false;
  /** For each type ruled out, the first value that ruled it out, and where. */
  readonly misfits = new Map<ColumnType, { value: string; at: number }>();

  observe(value: string, at = 0): void {
    this.#seen = true;
    const candidates = this.#candidates;
    if (candidates.length === 0) return;
    // The common case, once a column has settled: one candidate, one test.
    if (candidates.length === 1) {
      const type = candidates[0] as ColumnType;
      if (!fits(type, value)) {
        this.misfits.set(type, { value, at });
        this.#candidates = [];
      }
      return;
    }
    const kept: ColumnType[] = [];
    for (const type of this.#candidates) {
      if (fits(type, value)) kept.push(type);
      else this.misfits.set(type, { value, at });
    }
    this.#candidates = kept;
  }

  /** The narrowest type every value fits; text when nothing else does or nothing was seen. */
  get type(): ColumnType {
    if (!this.#seen) return 'text';
    // A date-only column also fits timestamp; integer also fits number: prefer the narrower.
    return this.#candidates[0] ?? 'text';
  }
}

/**
 * Column names exactly as written, made unique: a blank header becomes `Column 3`, a repeated
 * one `name (2)`, so every column can be named in a query.
 */
export function uniqueColumnNames(headers: string[]): string[] {
  const used = new Set<string>();
  return headers.map((header, index) => {
    const base = header.trim() === '' ? `Column ${index + 1}` : header;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base} (${n})`;
    used.add(name);
    return name;
  });
}
