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

/**
 * Whether PostgreSQL's double precision takes this number text: it refuses values beyond a
 * double's range and values so small they round to zero (underflow), though not denormals.
 * Both are refused here too (422, or text when inferred), never clamped: clamping would store
 * a value the caller did not write.
 */
function finiteDouble(text: string): boolean {
  const value = Number(text);
  if (!Number.isFinite(value)) return false;
  if (value !== 0) return true;
  const exponent = text.search(/[eE]/);
  return !/[1-9]/.test(exponent === -1 ? text : text.slice(0, exponent));
}

/** PostgreSQL takes zone offsets up to ±15:59 (22009 beyond). */
const MAX_OFFSET_HOURS = 15;

function offsetFits(value: string): boolean {
  const zone = /[+-](\d{2})(?::?(\d{2}))?$/.exec(value.slice(16));
  return !zone || (Number(zone[1]) <= MAX_OFFSET_HOURS && Number(zone[2] ?? 0) < 60);
}

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
          finiteDouble(value))
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
        (value.charCodeAt(16) !== 58 || digits(value, 17, 2) < 60) &&
        offsetFits(value)
      );
    case 'text':
      return true;
  }
}

/*
 * The same tests as `fits`, on a cell still in the upload's bytes: the fast path of a CSV import
 * checks millions of cells without making a string of each. Every type but text is ASCII only,
 * so any other byte rules it out. A test holds these equal to `fits` on generated values.
 */
const ZERO = 48;
const isDigit = (b: number) => b >= 48 && b <= 57;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const COLON = 58;

function integerBytes(buf: Uint8Array, s: number, e: number): boolean {
  if (s < e && (buf[s] === PLUS || buf[s] === MINUS)) s++;
  const n = e - s;
  if (n < 1 || n > 18) return false;
  if (buf[s] === ZERO) return n === 1;
  for (let i = s; i < e; i++) if (!isDigit(buf[i] as number)) return false;
  return true;
}

function numberBytes(buf: Uint8Array, s: number, e: number): boolean {
  let i = s;
  if (i < e && (buf[i] === PLUS || buf[i] === MINUS)) i++;
  const intStart = i;
  while (i < e && isDigit(buf[i] as number)) i++;
  const intDigits = i - intStart;
  if (intDigits > 1 && buf[intStart] === ZERO) return false;
  if (i < e && buf[i] === DOT) {
    i++;
    const fracStart = i;
    while (i < e && isDigit(buf[i] as number)) i++;
    if (i === fracStart) return false;
  } else if (intDigits === 0) return false;
  if (i === e) return e - s < 300 || finiteDouble(latin1(buf, s, e));
  if (buf[i] !== 101 && buf[i] !== 69) return false; // e or E
  i++;
  if (i < e && (buf[i] === PLUS || buf[i] === MINUS)) i++;
  const expStart = i;
  while (i < e && isDigit(buf[i] as number)) i++;
  return i === e && i > expStart && finiteDouble(latin1(buf, s, e));
}

const latin1 = (buf: Uint8Array, s: number, e: number) =>
  Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1');

const lower = (b: number) => b | 0x20;

function booleanBytes(buf: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n === 4) {
    return (
      lower(buf[s] as number) === 116 &&
      lower(buf[s + 1] as number) === 114 &&
      lower(buf[s + 2] as number) === 117 &&
      lower(buf[s + 3] as number) === 101
    );
  }
  return (
    n === 5 &&
    lower(buf[s] as number) === 102 &&
    lower(buf[s + 1] as number) === 97 &&
    lower(buf[s + 2] as number) === 108 &&
    lower(buf[s + 3] as number) === 115 &&
    lower(buf[s + 4] as number) === 101
  );
}

const digitsAt = (buf: Uint8Array, at: number, count: number) => {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const b = buf[i] as number;
    if (!isDigit(b)) return -1;
    n = n * 10 + b - ZERO;
  }
  return n;
};

/** `YYYY-MM-DD` at `s`, a valid calendar day. */
function dayBytes(buf: Uint8Array, s: number): boolean {
  if (buf[s + 4] !== MINUS || buf[s + 7] !== MINUS) return false;
  const y = digitsAt(buf, s, 4);
  const m = digitsAt(buf, s + 5, 2);
  const d = digitsAt(buf, s + 8, 2);
  return y >= 0 && m >= 0 && d >= 0 && validDate(y, m, d);
}

function timestampBytes(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s < 16 || !dayBytes(buf, s)) return false;
  const sep = buf[s + 10];
  if (sep !== 84 && sep !== 116 && sep !== 32) return false; // T, t or space
  const hour = digitsAt(buf, s + 11, 2);
  const minute = digitsAt(buf, s + 14, 2);
  if (buf[s + 13] !== COLON || hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  let i = s + 16;
  if (i < e && buf[i] === COLON) {
    const second = digitsAt(buf, i + 1, 2);
    if (i + 3 > e || second < 0 || second > 59) return false;
    i += 3;
    if (i < e && buf[i] === DOT) {
      const start = ++i;
      while (i < e && isDigit(buf[i] as number)) i++;
      if (i === start || i - start > 9) return false;
    }
  }
  if (i === e) return true;
  const zone = buf[i] as number;
  if (zone === 90 || zone === 122) return i + 1 === e; // Z or z
  if (zone !== PLUS && zone !== MINUS) return false;
  const hours = i + 3 > e ? -1 : digitsAt(buf, i + 1, 2);
  if (hours < 0 || hours > MAX_OFFSET_HOURS) return false;
  i += 3;
  if (i === e) return true;
  if (buf[i] === COLON) i++;
  const minutes = digitsAt(buf, i, 2);
  return i + 2 === e && minutes >= 0 && minutes < 60;
}

export function fitsBytes(type: ColumnType, buf: Uint8Array, s: number, e: number): boolean {
  switch (type) {
    case 'integer':
      return integerBytes(buf, s, e);
    case 'number':
      return numberBytes(buf, s, e);
    case 'boolean':
      return booleanBytes(buf, s, e);
    case 'date':
      return e - s === 10 && dayBytes(buf, s);
    case 'timestamp':
      return timestampBytes(buf, s, e);
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

  /** Only text is left: no value can change the outcome any more. */
  get settledOnText(): boolean {
    return this.#candidates.length === 0;
  }

  /** `observe` for a cell in a byte buffer; a string is made only to report a misfit. */
  observeBytes(buf: Uint8Array, s: number, e: number, at: number): void {
    this.#seen = true;
    const candidates = this.#candidates;
    if (candidates.length === 0) return;
    let kept: ColumnType[] | undefined;
    for (let k = 0; k < candidates.length; k++) {
      const type = candidates[k] as ColumnType;
      if (fitsBytes(type, buf, s, e)) {
        kept?.push(type);
        continue;
      }
      kept ??= candidates.slice(0, k);
      this.misfits.set(type, { value: Buffer.from(buf.subarray(s, e)).toString('utf8'), at });
    }
    if (kept) this.#candidates = kept;
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
