import { ImportError } from './import-error.ts';

export type Delimiter = ',' | ';' | '\t';
export const DELIMITERS: Delimiter[] = [',', ';', '\t'];

export interface CsvRecord {
  values: string[];
  /** Line of the file where the record starts (the header is line 1). */
  line: number;
}

export interface CsvFile {
  header: string[];
  delimiter: Delimiter;
  /** Records in batches: one await per batch, not per row, keeps a million rows cheap. */
  batches: AsyncIterable<CsvRecord[]>;
}

export interface CsvOptions {
  delimiter?: Delimiter;
  maxBytes: number;
  maxColumns: number;
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

/**
 * Decodes UTF-8 as it arrives (dropping a BOM), counting bytes against the upload limit. Invalid
 * bytes stop the import with the line they are on.
 */
async function* decodeUtf8(source: AsyncIterable<Uint8Array>, maxBytes: number) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of source) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      throw new ImportError(`the file is larger than the ${maxBytes}-byte upload limit`, {
        status: 413,
        type: 'too_large',
      });
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      const lenient = new TextDecoder('utf-8').decode(chunk);
      const before = lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')));
      throw new ImportError('the file is not valid UTF-8 here; save it as UTF-8 and try again', {
        line: lines + countNewlines(before) + 1,
        type: 'invalid_utf8',
      });
    }
    lines += countNewlines(text);
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

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

  constructor(delimiter: Delimiter) {
    this.#delimiter = delimiter.charCodeAt(0);
  }

  #fail(message: string): never {
    throw new ImportError(message, { line: this.#line, type: 'csv_malformed' });
  }

  #endField() {
    this.#record.push(this.#field);
    this.#field = '';
    this.#wasQuoted = false;
  }

  #endRecord() {
    this.#endField();
    const record = this.#record;
    this.#record = [];
    // A blank line is one empty, unquoted field: skip it.
    if (!(record.length === 1 && record[0] === '' && !this.#lastWasQuoted)) {
      this.records.push({ values: record, line: this.#recordLine });
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
            this.#field += text.slice(start, i);
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
        if (!this.#wasQuoted) this.#field += text.slice(start, i);
        this.#endField();
        start = i + 1;
      } else if (code === LF || code === CR) {
        if (!this.#wasQuoted) this.#field += text.slice(start, i);
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
      if (!this.#quoteSeen) this.#field += text.slice(start);
    } else if (!this.#wasQuoted) {
      this.#field += text.slice(start);
    }
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

/**
 * Reads a CSV as it streams in: delimiter detection (unless given), quoted fields, CRLF, a
 * header row. Every record must have as many fields as the header; the first one that does not
 * stops the import, naming its line.
 */
export async function openCsv(
  source: AsyncIterable<Uint8Array>,
  options: CsvOptions,
): Promise<CsvFile> {
  const text = decodeUtf8(source, options.maxBytes)[Symbol.asyncIterator]();
  // Read until the header record is complete (it may hold quoted line breaks).
  let head = '';
  let scanner: CsvScanner | undefined;
  let delimiter: Delimiter = options.delimiter ?? ',';
  let done = false;
  while (!scanner?.records.length) {
    const next = await text.next();
    if (next.done) {
      done = true;
      if (!scanner) {
        delimiter = options.delimiter ?? detectDelimiter(head.split(/\r?\n|\r/, 1)[0] ?? '');
        scanner = new CsvScanner(delimiter);
        scanner.push(head);
      }
      scanner.finish();
      break;
    }
    if (!scanner) {
      head += next.value;
      if (!/[\r\n]/.test(head) && head.length < 1024 * 1024) continue;
      delimiter = options.delimiter ?? detectDelimiter(head.split(/\r?\n|\r/, 1)[0] ?? '');
      scanner = new CsvScanner(delimiter);
      scanner.push(head);
    } else {
      scanner.push(next.value);
    }
  }
  const first = scanner.records.shift();
  if (!first)
    throw new ImportError('the file is empty: it needs a header row', { type: 'csv_empty' });
  const header = first.values;
  if (header.length > options.maxColumns) {
    throw new ImportError(
      `the file has ${header.length} columns; at most ${options.maxColumns} are allowed`,
      {
        line: 1,
        type: 'too_many_columns',
      },
    );
  }
  const width = header.length;
  const reader = scanner;
  const check = (records: CsvRecord[]) => {
    for (const record of records) {
      if (record.values.length !== width) {
        throw new ImportError(
          `this row has ${record.values.length} fields, but the header has ${width}`,
          {
            line: record.line,
            type: 'csv_malformed',
          },
        );
      }
    }
    return records;
  };

  async function* batches(): AsyncGenerator<CsvRecord[]> {
    if (reader.records.length) {
      yield check(reader.records);
      reader.records = [];
    }
    if (done) return;
    for (let next = await text.next(); !next.done; next = await text.next()) {
      reader.push(next.value);
      if (reader.records.length) {
        yield check(reader.records);
        reader.records = [];
      }
    }
    reader.finish();
    if (reader.records.length) yield check(reader.records);
  }
  return { header, delimiter, batches: batches() };
}
