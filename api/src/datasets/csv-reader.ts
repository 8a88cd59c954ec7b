import { isUtf8 } from 'node:buffer';
import {
  CR,
  type CsvRecord,
  CsvScanner,
  countNewlines,
  type Delimiter,
  detectDelimiter,
  QUOTE,
  tooLongError,
  widthError,
} from './csv-scanner.ts';
import { ImportError } from './import-error.ts';

export type { CsvRecord, Delimiter } from './csv-scanner.ts';
export { DELIMITERS, detectDelimiter } from './csv-scanner.ts';

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
