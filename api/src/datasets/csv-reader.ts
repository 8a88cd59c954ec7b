import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
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
  records: AsyncIterable<CsvRecord>;
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

/**
 * Reads a CSV as it streams in: delimiter detection (unless given), quoted fields with
 * delimiters and line breaks inside, CRLF, a header row. Every record must have as many fields
 * as the header; the first one that does not stops the import, naming its line.
 */
export async function openCsv(
  source: AsyncIterable<Uint8Array>,
  options: CsvOptions,
): Promise<CsvFile> {
  const text = decodeUtf8(source, options.maxBytes)[Symbol.asyncIterator]();
  // Look far enough ahead to see the whole first line, to pick the delimiter.
  const peeked: string[] = [];
  let head = '';
  while (!head.includes('\n')) {
    const next = await text.next();
    if (next.done) break;
    peeked.push(next.value);
    head += next.value;
    if (head.length > 1024 * 1024) break;
  }
  const delimiter = options.delimiter ?? detectDelimiter(head.split('\n', 1)[0] ?? '');
  async function* all() {
    yield* peeked;
    for (let next = await text.next(); !next.done; next = await text.next()) yield next.value;
  }

  const parser = parse({
    delimiter,
    info: true,
    skip_empty_lines: true,
    max_record_size: 1024 * 1024,
  });
  // pipeline, not pipe: a failing source (a dropped connection, bad bytes) must fail the
  // parser too, or reading records would wait forever.
  pipeline(Readable.from(all()), parser).catch(() => {});
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;

  const translate = (error: unknown): never => {
    if (error instanceof ImportError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      const message =
        error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
          ? `this row has ${(error as CsvError & { record?: unknown[] }).record?.length ?? 'a different number of'} fields, but the header has ${header.length}`
          : error.message.replace(/^Invalid (Record|Closing Quote|Opening Quote)[^:]*:\s*/i, '');
      throw new ImportError(message, { line, type: 'csv_malformed' });
    }
    throw error;
  };

  let header: string[] = [];
  const first = await records.next().catch(translate);
  if (first.done)
    throw new ImportError('the file is empty: it needs a header row', { type: 'csv_empty' });
  header = first.value.record;
  if (header.length > options.maxColumns) {
    throw new ImportError(
      `the file has ${header.length} columns; at most ${options.maxColumns} are allowed`,
      {
        line: 1,
        type: 'too_many_columns',
      },
    );
  }

  async function* rest(): AsyncGenerator<CsvRecord> {
    try {
      for (let next = await records.next(); !next.done; next = await records.next()) {
        const { record, info } = next.value;
        // `info.lines` is the line the record ends on; a quoted line break makes it start earlier.
        let breaks = 0;
        for (const value of record) breaks += countNewlines(value);
        yield { values: record, line: info.lines - breaks };
      }
    } catch (error) {
      translate(error);
    }
  }
  return { header, delimiter, records: rest() };
}
