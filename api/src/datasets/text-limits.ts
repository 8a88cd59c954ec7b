import type { Config } from '../config.ts';
import type { ValidationErrorItem } from '../lib/problem.ts';
import { QueryInputError } from './row-query.ts';

/**
 * The stored-text settings (MAX_*_LENGTH) applied to the text of a request. The contract's
 * `maxLength`s are the ceilings these settings may not pass, and zod has checked those; a
 * deployment may set lower ones, checked here. CSV headers and cells are checked as they stream
 * (csv-reader.ts), JSON cells as rows are read (import.ts).
 */
interface Text {
  loc: (string | number)[];
  value: string | null | undefined;
  max: number;
}

function refuseLong(texts: Text[]): void {
  const errors: ValidationErrorItem[] = texts
    .filter(({ value, max }) => typeof value === 'string' && value.length > max)
    .map(({ loc, max }) => ({
      loc,
      msg: `may be at most ${max} characters long`,
      type: 'too_big',
    }));
  if (errors.length) throw new QueryInputError(errors);
}

type Fields = { name?: string; description?: string };

const datasetTexts = (config: Config, fields: Fields, where: 'body' | 'query'): Text[] => [
  { loc: [where, 'name'], value: fields.name, max: config.MAX_DATASET_NAME_LENGTH },
  {
    loc: [where, 'description'],
    value: fields.description,
    max: config.MAX_DESCRIPTION_LENGTH,
  },
];

/** A CSV upload's name and description, from the query. */
export function checkCsvDataset(config: Config, query: Fields): void {
  refuseLong(datasetTexts(config, query, 'query'));
}

/** A JSON dataset: name, description, and column names, declared or taken from row keys. */
export function checkJsonDataset(
  config: Config,
  body: Fields & { columns?: { name: string }[] },
  names: string[],
  rows: Record<string, unknown>[],
): void {
  const max = config.MAX_COLUMN_NAME_LENGTH;
  const columns: Text[] = body.columns
    ? body.columns.map((column, i) => ({
        loc: ['body', 'columns', i, 'name'],
        value: column.name,
        max,
      }))
    : names
        .filter((name) => name.length > max)
        .map((name) => ({
          loc: ['body', 'rows', rows.findIndex((row) => Object.hasOwn(row, name)), name],
          value: name,
          max,
        }));
  refuseLong([...datasetTexts(config, body, 'body'), ...columns]);
}

/** A PATCH: name, description and column labels (by the names they were given under). */
export function checkDatasetPatch(
  config: Config,
  body: Fields & { column_labels?: Record<string, string | null> },
): void {
  const labels = Object.entries(body.column_labels ?? {}).map(([name, label]) => ({
    loc: ['body', 'column_labels', name],
    value: label,
    max: config.MAX_COLUMN_LABEL_LENGTH,
  }));
  refuseLong([...datasetTexts(config, body, 'body'), ...labels]);
}
