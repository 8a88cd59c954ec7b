import { isUtf8 } from 'node:buffer';
import { ImportError } from './import-error.ts';

export type Delimiter = ',' | ';' | '\t';
export const DELIMITERS: Delimiter[] = [',', ';', '\t'];

export interface CsvRecord {
  values: string[];
  /** Line of the file where the record starts (the header is line 1). */
  line: number;
}

/**
 * Whole lines of the upload passed on as they arrived, with where each cell starts and ends:
 * lines without quotes, backslashes, carriage returns, NULs or blank lines, which are already
 * rows in PostgreSQL COPY's text format with the file's delimiter and `''` for null. Most real
 * files are all such lines, and the import then never makes a string of a cell it need not.
 */
export interface RawLines {
  /** Whole lines, each ending in `\n`. */
  bytes: Buffer;
  /** Start and end offsets of each cell in `bytes`, row by row. */
  starts: Int32Array;
  ends: Int32Array;
  rows: number;
  /** Line of the file the first row is on. */
  firstLine: number;
}

/** Lines read as written, or records the full CSV rules had to parse. */
export type CsvBatch = { raw: RawLines } | { records: CsvRecord[] };

export interface CsvFile {
  header: string[];
  delimiter: Delimiter;
  /** Records in batches: one await per batch, not per row, keeps a million rows cheap. */
  batches: AsyncIterable<CsvBatch>;
}

export interface CsvOptions {
  delimiter?: Delimiter;
  maxBytes: number;
  maxColumns: number;
  /** Longest header name, in characters (UTF-16 code units). */
  maxNameLength: number;
  /** Largest cell, in bytes of UTF-8. */
  maxCellBytes: number;
}

/** What a record may hold: checked as it is read, so an endless field is never buffered whole. */
interface RecordLimits {
  maxColumns: number;
  maxNameLength: number;
  maxCellBytes: number;
}

/** Counts `,`, `;` and tabs outside quotes in the first line; the most frequent one wins. */
export function detectDelimiter(firstLine: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of firstLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char as Delimiter)) {
      counts.set(char as Delimiter, (counts.get(char as Delimiter) ?? 0) + 1);
    }
  }
  let best: Delimiter = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

const countNewlines = (text: string) => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * A strict RFC 4180 reader that keeps its state between chunks: quoted fields may hold the
 * delimiter, quotes (doubled) and line breaks; CRLF, LF and CR all end a record; blank lines are
 * skipped. A quote inside an unquoted field, or text after a closing quote, is an error: guessing
 * there would silently shift values between columns.
 */
class CsvScanner {
  readonly #delimiter: number;
  #field = '';
  #record: string[] = [];
  #quoted = false;
  /** Inside a quoted field, just saw a quote: either the closing one or the first of `""`. */
  #quoteSeen = false;
  /** The field started with a quote (so it may not be followed by more text). */
  #wasQuoted = false;
  #afterCR = false;
  #line = 1;
  #recordLine = 1;
  records: CsvRecord[] = [];
  readonly #limits: RecordLimits;
  /** The first record's names, once read: until then the record being read is the header. */
  header: string[] | undefined;

  constructor(delimiter: Delimiter, limits: RecordLimits) {
    this.#delimiter = delimiter.charCodeAt(0);
    this.#limits = limits;
  }

  /** Between records: the next byte starts a new one. */
  get atRecordStart(): boolean {
    return (
      !this.#quoted &&
      !this.#wasQuoted &&
      !this.#afterCR &&
      this.#field === '' &&
      this.#record.length === 0
    );
  }

  /** Line the scanner has reached. */
  get line(): number {
    return this.#line;
  }

  /** Lines read past the scanner (as raw lines) still count for the lines it reports. */
  skipLines(count: number) {
    this.#line += count;
    this.#recordLine = this.#line;
  }

  #fail(message: string): never {
    throw new ImportError(message, { line: this.#line, type: 'csv_malformed' });
  }

  /** Adds to the field being read, refusing it as soon as it is too long. */
  #extend(text: string) {
    this.#field += text;
    // A UTF-16 unit is at least one byte of UTF-8: past the limit in units, it is past in bytes.
    const limit = this.header ? this.#limits.maxCellBytes : this.#limits.maxNameLength;
    if (this.#field.length > limit) this.#tooLong();
  }

  #tooLong(): never {
    throw tooLongError(this.#limits, this.header, this.#record.length, this.#recordLine);
  }

  #endField() {
    const field = this.#field;
    if (this.header) {
      // A UTF-16 unit is at most three bytes: only long fields need counting.
      const { maxCellBytes } = this.#limits;
      if (field.length * 3 > maxCellBytes && Buffer.byteLength(field) > maxCellBytes) {
        this.#tooLong();
      }
    }
    // Fields past the header's width (or, in the header, past MAX_COLUMNS) are counted, not
    // kept: the record fails at its end, saying how many it had.
    if (this.#record.length >= (this.header?.length ?? this.#limits.maxColumns)) {
      this.#extraFields++;
      this.#field = '';
      this.#wasQuoted = false;
      return;
    }
    this.#record.push(field);
    this.#field = '';
    this.#wasQuoted = false;
  }

  #extraFields = 0;

  /** A record wider than the header, or a header wider than MAX_COLUMNS. */
  #tooWide(kept: number, atLeast: '' | 'at least '): never {
    const found = `${atLeast}${kept + this.#extraFields}`;
    if (this.header) {
      throw new ImportError(`this row has ${found} fields, but the header has ${kept}`, {
        line: this.#recordLine,
        type: 'csv_malformed',
      });
    }
    throw new ImportError(
      `the file has ${found} columns; at most ${this.#limits.maxColumns} are allowed`,
      { line: 1, type: 'too_many_columns' },
    );
  }

  #endRecord() {
    this.#endField();
    const record = this.#record;
    this.#record = [];
    if (this.#extraFields > 0) this.#tooWide(record.length, '');
    // A blank line is one empty, unquoted field: skip it.
    if (!(record.length === 1 && record[0] === '' && !this.#lastWasQuoted)) {
      this.records.push({ values: record, line: this.#recordLine });
      this.header ??= record;
    }
    this.#lastWasQuoted = false;
  }

  #lastWasQuoted = false;

  push(text: string) {
    const delimiter = this.#delimiter;
    let start = 0;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (this.#quoted) {
        if (this.#quoteSeen) {
          this.#quoteSeen = false;
          if (code === QUOTE) {
            // `""`: one literal quote; the first was already cut off before it.
            start = i;
            continue;
          }
          this.#quoted = false;
          // fall through: the character after the closing quote.
        } else {
          if (code === QUOTE) {
            this.#extend(text.slice(start, i));
            this.#quoteSeen = true;
            start = i + 1;
          } else if (code === LF) {
            this.#line++;
          }
          continue;
        }
      }
      if (this.#afterCR) {
        this.#afterCR = false;
        if (code === LF) {
          start = i + 1;
          continue;
        }
      }
      if (code === delimiter) {
        if (!this.#wasQuoted) this.#extend(text.slice(start, i));
        this.#endField();
        start = i + 1;
      } else if (code === LF || code === CR) {
        if (!this.#wasQuoted) this.#extend(text.slice(start, i));
        this.#lastWasQuoted = this.#wasQuoted || this.#record.length > 0;
        this.#endRecord();
        this.#line++;
        this.#recordLine = this.#line;
        this.#afterCR = code === CR;
        start = i + 1;
      } else if (code === QUOTE) {
        if (this.#wasQuoted || this.#field !== '' || i > start) {
          this.#fail(
            'a quote inside an unquoted field: quote the whole field, and double the quotes in it',
          );
        }
        this.#quoted = true;
        this.#wasQuoted = true;
        start = i + 1;
      } else if (this.#wasQuoted) {
        this.#fail(
          'text after a closing quote: a quoted field must end at a separator or line end',
        );
      }
    }
    if (this.#quoted) {
      if (!this.#quoteSeen) this.#extend(text.slice(start));
    } else if (!this.#wasQuoted) {
      this.#extend(text.slice(start));
    }
    // Too wide already, with no end in this piece: no need to read on to count the rest.
    if (this.#extraFields > 0) this.#tooWide(this.#record.length, 'at least ');
  }

  finish() {
    if (this.#quoted && !this.#quoteSeen) this.#fail('a quoted field is never closed');
    this.#quoted = false;
    if (this.#field !== '' || this.#record.length > 0 || this.#wasQuoted) {
      this.#lastWasQuoted = this.#wasQuoted || this.#record.length > 0;
      this.#endRecord();
    }
  }
}

const LINE_FEED = 10;
const FORBIDDEN_IN_RAW = [QUOTE, 92 /* backslash */, CR, 0];
/** A line longer than this is scanned in pieces rather than waited for whole. */
const MAX_CARRY_BYTES = 64 * 1024;
const GATHER_BYTES = 1024 * 1024;

/** Whether whole lines can go to COPY as they are (see `RawLines`). */
function plainLines(bytes: Buffer): boolean {
  if (bytes[0] === LINE_FEED || bytes.indexOf('\n\n') !== -1) return false;
  for (const byte of FORBIDDEN_IN_RAW) if (bytes.indexOf(byte) !== -1) return false;
  return isUtf8(bytes);
}

/** Where the last whole UTF-8 character in `bytes` ends, so a piece never splits one. */
function wholeCharactersEnd(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if (byte < 0x80) return bytes.length;
    if (byte >= 0xc0) {
      const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return size > back ? bytes.length - back : bytes.length;
    }
  }
  return bytes.length;
}

/** A header name (no header yet) or a cell (under `header`) past its limit. */
function tooLongError(
  limits: Omit<RecordLimits, 'maxColumns'>,
  header: string[] | undefined,
  index: number,
  line: number,
): ImportError {
  const name = header?.[index];
  const column = name?.trim() ? name : `Column ${index + 1}`;
  return new ImportError(
    header
      ? `a cell may hold at most ${limits.maxCellBytes} bytes of UTF-8`
      : `a column name may be at most ${limits.maxNameLength} characters long`,
    { line, column, type: 'too_long' },
  );
}

function widthError(found: number, width: number, line: number): ImportError {
  return new ImportError(`this row has ${found} fields, but the header has ${width}`, {
    line,
    type: 'csv_malformed',
  });
}

/** Cuts plain lines into cells, checking each row has the header's width and each cell's size. */
function cutLines(
  bytes: Buffer,
  delimiter: number,
  limits: { header: string[]; maxCellBytes: number; maxNameLength: number },
  firstLine: number,
): RawLines {
  const width = limits.header.length;
  let rows = 0;
  for (let i = bytes.indexOf(LINE_FEED); i !== -1; i = bytes.indexOf(LINE_FEED, i + 1)) rows++;
  const starts = new Int32Array(rows * width);
  const ends = new Int32Array(rows * width);
  const length = bytes.length;
  let at = 0;
  let cell = 0;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; ; column++) {
      let end = at;
      let byte = bytes[end] as number;
      while (byte !== delimiter && byte !== LINE_FEED && end < length)
        byte = bytes[++end] as number;
      if (end - at > limits.maxCellBytes) {
        throw tooLongError(limits, limits.header, column, firstLine + row);
      }
      if (column < width) {
        starts[cell] = at;
        ends[cell++] = end;
      }
      at = end + 1;
      if (byte === LINE_FEED) {
        if (column + 1 !== width) throw widthError(column + 1, width, firstLine + row);
        break;
      }
    }
  }
  return { bytes, starts, ends, rows, firstLine };
}

/**
 * Reads a CSV as it streams in: delimiter detection (unless given), quoted fields, CRLF, a
 * header row, UTF-8 checked with the line of any invalid byte. Every record must have as many
 * fields as the header; the first one that does not stops the import, naming its line.
 *
 * The bytes go on in whole lines: plain ones (see `RawLines`) as they are, the rest through a
 * scanner that applies all of RFC 4180.
 */
export async function openCsv(
  source: AsyncIterable<Uint8Array>,
  options: CsvOptions,
): Promise<CsvFile> {
  const chunks = source[Symbol.asyncIterator]();
  let bytesRead = 0;
  let carry: Buffer = Buffer.alloc(0);
  let ended = false;
  /**
   * The next bytes, with what was carried over, or `undefined` at the end. Network chunks are
   * gathered to about a megabyte: fewer, larger writes to disk and to COPY.
   */
  const nextBytes = async (): Promise<Buffer | undefined> => {
    const parts: Buffer[] = carry.length ? [carry] : [];
    let size = carry.length;
    while (size < GATHER_BYTES) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      bytesRead += next.value.byteLength;
      if (bytesRead > options.maxBytes) {
        throw new ImportError(`the file is larger than the ${options.maxBytes}-byte upload limit`, {
          status: 413,
          type: 'too_large',
        });
      }
      parts.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      size += next.value.byteLength;
    }
    if (size === carry.length) return undefined;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
  };

  // The first line decides the delimiter; a BOM is dropped.
  let head: Buffer = Buffer.alloc(0);
  while (!ended && head.indexOf(LINE_FEED) === -1 && head.indexOf(CR) === -1) {
    if (head.length >= 1024 * 1024) break;
    carry = head;
    head = (await nextBytes()) ?? head;
  }
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
  carry = head;
  const firstLine = new TextDecoder('utf-8').decode(head).split(/\r?\n|\r/, 1)[0] ?? '';
  const delimiter: Delimiter = options.delimiter ?? detectDelimiter(firstLine);
  const delimiterByte = delimiter.charCodeAt(0);
  const scanner = new CsvScanner(delimiter, options);

  /** Bytes the scanner must read, checked as UTF-8 on the way. */
  const scan = (bytes: Buffer) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      const lenient = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
      const before = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')));
      throw new ImportError('the file is not valid UTF-8 here; save it as UTF-8 and try again', {
        line: scanner.line + countNewlines(before),
        type: 'invalid_utf8',
      });
    }
    scanner.push(text);
  };

  let width = -1;
  const check = (records: CsvRecord[]) => {
    for (const record of records) {
      if (record.values.length !== width)
        throw widthError(record.values.length, width, record.line);
    }
    return records;
  };
  /** Takes what is carried over up to its last whole line (or a long piece of a line). */
  const takeLines = (final: boolean): CsvBatch | undefined => {
    const data = carry;
    const lastLineEnd = data.lastIndexOf(LINE_FEED) + 1;
    let cut = lastLineEnd;
    if (final) cut = data.length;
    else if (cut === 0 && data.length > MAX_CARRY_BYTES) cut = wholeCharactersEnd(data);
    if (cut === 0 && !final) return undefined;
    const lines = data.subarray(0, cut);
    carry = cut === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(cut));
    if (
      width !== -1 &&
      cut > 0 &&
      cut === lastLineEnd &&
      scanner.atRecordStart &&
      plainLines(lines)
    ) {
      const limits = { ...options, header: scanner.header ?? [] };
      const raw = cutLines(lines, delimiterByte, limits, scanner.line);
      scanner.skipLines(raw.rows);
      return { raw };
    }
    scan(lines);
    if (final) scanner.finish();
    const records = scanner.records;
    scanner.records = [];
    return { records };
  };

  // Until the header record is complete (it may hold quoted line breaks).
  let pending: CsvRecord[] = [];
  for (;;) {
    const batch = takeLines(ended);
    if (batch && 'records' in batch) pending = batch.records;
    if (pending.length || ended) break;
    const more = await nextBytes();
    if (more) carry = more;
  }
  const first = pending.shift();
  if (!first)
    throw new ImportError('the file is empty: it needs a header row', { type: 'csv_empty' });
  // The scanner has checked its width and the length of each name.
  const header = first.values;
  const withNul = header.findIndex((name) => name.includes('\u0000'));
  if (withNul !== -1) {
    throw new ImportError('column names may not contain NUL characters', {
      line: 1,
      column: `Column ${withNul + 1}`,
      type: 'invalid_character',
    });
  }
  width = header.length;

  async function* batches(): AsyncGenerator<CsvBatch> {
    if (pending.length) yield { records: check(pending) };
    while (!ended) {
      const more = await nextBytes();
      if (more) carry = more;
      const batch = takeLines(ended);
      if (!batch) continue;
      if ('raw' in batch) yield batch;
      else if (batch.records.length) yield { records: check(batch.records) };
    }
  }
  return { header, delimiter, batches: batches() };
}
