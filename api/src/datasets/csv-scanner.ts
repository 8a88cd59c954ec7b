import { ImportError } from './import-error.ts';

export type Delimiter = ',' | ';' | '\t';
export const DELIMITERS: Delimiter[] = [',', ';', '\t'];

export interface CsvRecord {
  values: string[];
  /** Line of the file where the record starts (the header is line 1). */
  line: number;
}

/** What a record may hold: checked as it is read, so an endless field is never buffered whole. */
export interface RecordLimits {
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

export const countNewlines = (text: string) => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

export const QUOTE = 34;
export const LF = 10;
export const CR = 13;

/**
 * A strict RFC 4180 reader that keeps its state between chunks: quoted fields may hold the
 * delimiter, quotes (doubled) and line breaks; CRLF, LF and CR all end a record; blank lines are
 * skipped. A quote inside an unquoted field, or text after a closing quote, is an error: guessing
 * there would silently shift values between columns.
 */
export class CsvScanner {
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

/** A header name (no header yet) or a cell (under `header`) past its limit. */
export function tooLongError(
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

export function widthError(found: number, width: number, line: number): ImportError {
  return new ImportError(`this row has ${found} fields, but the header has ${width}`, {
    line,
    type: 'csv_malformed',
  });
}
