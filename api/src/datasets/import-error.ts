import type { ValidationErrorItem } from '../lib/problem.ts';
import { RequestProblem } from '../lib/request-problem.ts';

/**
 * Why an import was refused, with where: the line (of the file, counting the header as line 1)
 * and column name when known: a 413 or 422 problem (404 when the dataset went away meanwhile).
 */
export class ImportError extends RequestProblem {
  readonly status: 404 | 413 | 422;
  readonly line?: number;
  /** For JSON rows: the index in `rows` instead of a line. */
  readonly row?: number;
  readonly column?: string;
  readonly type: string;

  constructor(
    message: string,
    options: {
      status?: 404 | 413 | 422;
      line?: number;
      row?: number;
      column?: string;
      type: string;
    },
  ) {
    super(message);
    this.name = 'ImportError';
    this.status = options.status ?? 422;
    this.line = options.line;
    this.row = options.row;
    this.column = options.column;
    this.type = options.type;
  }

  override get detail(): string {
    const where = [
      this.line !== undefined ? `line ${this.line}` : undefined,
      this.row !== undefined ? `rows[${this.row}]` : undefined,
      this.column !== undefined ? `column "${this.column}"` : undefined,
    ].filter(Boolean);
    return where.length ? `${where.join(', ')}: ${this.message}` : this.message;
  }

  /** `loc` is `["body", line, column]` for a file, `["body", "rows", index, column]` for JSON. */
  get errors(): ValidationErrorItem[] {
    const loc: (string | number)[] = ['body'];
    if (this.line !== undefined) loc.push(this.line);
    if (this.row !== undefined) loc.push('rows', this.row);
    if (this.column !== undefined) loc.push(this.column);
    return [{ loc, msg: this.message, type: this.type }];
  }
}
