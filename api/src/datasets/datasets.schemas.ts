import { z } from '@hono/zod-openapi';
import { VisibilitySchema } from '../auth/ownership.ts';
import { cleanText, IdSchema, TimestampSchema } from '../lib/schemas.ts';
import { TEXT_CEILINGS } from '../lib/text-limits.ts';
import { COLUMN_TYPES } from './column-types.ts';

export const ColumnTypeSchema = z
  .enum(COLUMN_TYPES)
  .describe(
    '`integer` (64-bit), `number` (double), `boolean`, `date`, `timestamp` (with time zone, UTC if none given), `text`.',
  )
  .openapi('ColumnType');

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * A cell as sent. The server's own limit is in bytes (MAX_CELL_BYTES, 64 KiB of UTF-8 at most,
 * so never more characters than that); a text cell past it answers 422 naming row and column.
 */
const CellInput = z.union([
  z.string().max(TEXT_CEILINGS.cellBytes),
  z.number(),
  z.boolean(),
  z.null(),
]);

/** A column name (or key) as sent; none is longer (MAX_COLUMN_NAME_LENGTH). */
const ColumnReference = z.string().max(TEXT_CEILINGS.columnName);

export const ColumnSchema = z
  .object({
    name: z.string().describe('As written in the file or given by the caller, made unique.'),
    key: z
      .string()
      .describe('A stable short identifier (`c1`, `c2`, …) that may also name the column.'),
    type: ColumnTypeSchema,
    label: z.string().nullable().describe('A display label set with PATCH.'),
    null_count: z.number().int(),
    distinct_count: z
      .number()
      .int()
      .nullable()
      .describe('For text and boolean columns: how many different values, or null past 10,000.'),
    min: Cell.describe('For numbers, dates and timestamps.'),
    max: Cell,
  })
  .openapi('Column');

const OwnerSchema = z.object({ id: IdSchema, display_name: z.string() }).openapi('Owner');

export const DatasetSchema = z
  .object({
    id: IdSchema,
    name: z.string(),
    description: z.string(),
    visibility: VisibilitySchema,
    owner: OwnerSchema,
    row_count: z.number().int(),
    columns: z.array(ColumnSchema),
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Dataset');

export const DatasetSummarySchema = DatasetSchema.omit({ columns: true })
  .extend({ column_count: z.number().int() })
  .openapi('DatasetSummary');

export const DatasetListSchema = z
  .object({
    items: z.array(DatasetSummarySchema),
    next_cursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` for the next page; null at the end.'),
  })
  .openapi('DatasetList');

const RowObject = z.record(z.string(), Cell);
/**
 * A row as sent. The contract describes its cells; at run time only its shape is checked here,
 * since validating 100,000 rows cell by cell would hold the event loop for over 100 ms in one
 * go. The import checks every cell (type, size, column) a batch of rows per turn, and answers
 * the same 422 naming row and column.
 */
const RowInput = z
  .custom<Record<string, z.infer<typeof CellInput>>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    { error: 'a row is an object keyed by column name' },
  )
  .openapi({
    type: 'object',
    additionalProperties: {
      anyOf: [
        { type: 'string', maxLength: TEXT_CEILINGS.cellBytes },
        { type: 'number' },
        { type: 'boolean' },
        { type: 'null' },
      ],
    },
  });

export const NewDatasetSchema = z
  .object({
    name: cleanText({ max: TEXT_CEILINGS.datasetName }).openapi({ example: 'Air quality 2024' }),
    description: cleanText({ min: 0, max: TEXT_CEILINGS.description }).default(''),
    visibility: VisibilitySchema.default('private'),
    columns: z
      .array(
        z.object({ name: cleanText({ max: TEXT_CEILINGS.columnName }), type: ColumnTypeSchema }),
      )
      .min(1)
      .max(1000)
      .optional()
      .describe('Columns and types; without it, names come from the rows and types are inferred.'),
    rows: z
      .array(RowInput)
      .max(100_000)
      .optional()
      .describe('Rows as objects keyed by column name; missing keys are null.'),
  })
  // Rows name the columns only through their keys: `[{}]` names none, and a table needs one.
  .refine((body) => body.columns || body.rows?.some((row) => Object.keys(row).length > 0), {
    error: 'give `columns`, or `rows` to infer them from',
    path: ['columns'],
  })
  .openapi('NewDataset', {
    example: {
      name: 'Air quality 2024',
      visibility: 'public',
      rows: [
        { day: '2024-01-01', city: 'Paris', pm25: 12.5 },
        { day: '2024-01-01', city: 'Lyon', pm25: 9.1 },
      ],
    },
  });

export const DatasetPatchSchema = z
  .object({
    name: cleanText({ max: TEXT_CEILINGS.datasetName }).optional(),
    description: cleanText({ min: 0, max: TEXT_CEILINGS.description }).optional(),
    visibility: VisibilitySchema.optional(),
    column_labels: z
      .record(ColumnReference, cleanText({ min: 0, max: TEXT_CEILINGS.columnLabel }).nullable())
      .optional()
      .describe('Display labels by column name; null or empty removes one.'),
  })
  .openapi('DatasetPatch');

export const AppendRowsSchema = z
  .object({ rows: z.array(RowInput).min(1).max(100_000) })
  .openapi('AppendRows');

export const AppendedSchema = z
  .object({ appended: z.number().int(), row_count: z.number().int() })
  .openapi('Appended');

export const FILTER_OPS = [
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'contains',
  'is_null',
] as const;

export const FilterSchema = z
  .object({
    column: ColumnReference.describe('A column name (or key).'),
    op: z.enum(FILTER_OPS),
    value: z
      .union([CellInput, z.array(CellInput)])
      .optional()
      .describe(
        'An array for `in`; `true`/`false` for `is_null`; otherwise one value (for `contains`, text of at most 200 characters).',
      ),
  })
  .openapi('Filter');

export const RowsSchema = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: ColumnTypeSchema })),
    rows: z.array(RowObject).describe('Objects keyed by column name.'),
    next_cursor: z.string().nullable(),
  })
  .openapi('Rows');

export const BUCKETS = ['hour', 'day', 'week', 'month', 'year'] as const;
export const METRICS = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'median'] as const;

export const QuerySchema = z
  .object({
    group_by: z
      .array(
        z.object({
          column: ColumnReference,
          bucket: z
            .enum(BUCKETS)
            .optional()
            .describe('Time bucket, for date and timestamp columns.'),
        }),
      )
      .max(10)
      .default([]),
    metrics: z
      .array(
        z.object({
          op: z.enum(METRICS),
          column: ColumnReference.optional().describe(
            'Required except for `count`, which counts rows.',
          ),
          as: cleanText({ max: 200 }).optional().describe('Output column name.'),
        }),
      )
      .min(1)
      .max(20),
    filters: z.array(FilterSchema).max(50).default([]),
    order_by: z
      .array(
        z.object({
          name: z.string().describe('An output column name.'),
          desc: z.boolean().default(false),
        }),
      )
      .max(10)
      .default([]),
    limit: z.number().int().min(1).max(10_000).default(1000),
  })
  .openapi('Query', {
    example: {
      group_by: [{ column: 'day', bucket: 'month' }, { column: 'city' }],
      metrics: [{ op: 'avg', column: 'pm25' }, { op: 'count' }],
      filters: [{ column: 'pm25', op: 'gte', value: 0 }],
      order_by: [{ name: 'day (month)' }],
      limit: 1000,
    },
  });

export const QueryResultSchema = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: ColumnTypeSchema })),
    rows: z.array(z.array(Cell)).describe('One array per group, in `columns` order.'),
  })
  .openapi('QueryResult');
