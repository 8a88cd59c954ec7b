import { z } from '@hono/zod-openapi';
import { VisibilitySchema } from '../auth/ownership.ts';
import { BUCKETS, ColumnTypeSchema, FilterSchema } from '../datasets/datasets.schemas.ts';
import { cleanText, IdSchema, TimestampSchema } from '../lib/schemas.ts';
import { TEXT_CEILINGS } from '../lib/text-limits.ts';

export const CHART_TYPES = ['line', 'area', 'bar', 'scatter', 'histogram', 'pie'] as const;
export const CHART_AGGREGATES = ['none', 'count', 'sum', 'avg', 'min', 'max', 'median'] as const;

export const ChartSpecSchema = z
  .object({
    type: z.enum(CHART_TYPES),
    x: z.object({
      column: z
        .string()
        .max(TEXT_CEILINGS.columnName)
        .describe('The column along the x axis (the slices of a pie).'),
      bucket: z.enum(BUCKETS).optional().describe('Time bucket, for date and timestamp columns.'),
    }),
    y: z
      .array(
        z.object({
          column: z
            .string()
            .max(TEXT_CEILINGS.columnName)
            .optional()
            .describe('Not needed for `count`.'),
          aggregate: z
            .enum(CHART_AGGREGATES)
            .default('sum')
            .describe(
              'How values sharing an x combine; `none` plots each row (line, area, scatter).',
            ),
        }),
      )
      .min(1)
      .max(10)
      .default([{ aggregate: 'count' }])
      .describe('One or more measures; a pie has exactly one.'),
    series: z
      .object({
        column: z.string().max(TEXT_CEILINGS.columnName),
        max: z
          .number()
          .int()
          .min(1)
          .max(200)
          .optional()
          .describe(
            'Most series drawn (10 when not set, at most the server’s `CHART_MAX_SERIES`, 20 by default): the largest are drawn, and the rest fold into one “Other (n more)” series for counts, sums and plotted rows, or are left out for averages, medians, minima and maxima.',
          ),
      })
      .optional()
      .describe('Split into one series per value (colour).'),
    size: z
      .object({ column: z.string().max(TEXT_CEILINGS.columnName) })
      .optional()
      .describe('Scatter only: point size.'),
    bar: z
      .object({
        orientation: z.enum(['vertical', 'horizontal']).default('vertical'),
        mode: z.enum(['grouped', 'stacked']).default('grouped'),
      })
      .optional(),
    stacked: z.boolean().default(false).describe('Area only.'),
    donut: z.boolean().default(false).describe('Pie only.'),
    bins: z.number().int().min(2).max(200).default(20).describe('Histogram only.'),
    filters: z.array(FilterSchema).max(50).default([]),
    format: z
      .object({
        x_label: cleanText({ min: 0, max: 200 }).optional(),
        y_label: cleanText({ min: 0, max: 200 }).optional(),
        number: z.enum(['auto', 'integer', 'decimal', 'percent', 'compact']).default('auto'),
      })
      .default({ number: 'auto' }),
  })
  .openapi('ChartSpec', {
    example: {
      type: 'line',
      x: { column: 'day', bucket: 'month' },
      y: [{ column: 'pm25', aggregate: 'avg' }],
      series: { column: 'city' },
    },
  });

export const ChartSchema = z
  .object({
    id: IdSchema,
    dataset_id: IdSchema,
    title: z.string(),
    description: z.string(),
    visibility: VisibilitySchema,
    owner: z.object({ id: IdSchema, display_name: z.string() }),
    spec: ChartSpecSchema,
    created_at: TimestampSchema,
    updated_at: TimestampSchema,
  })
  .openapi('Chart');

export const ChartListSchema = z
  .object({ items: z.array(ChartSchema), next_cursor: z.string().nullable() })
  .openapi('ChartList');

export const NewChartSchema = z
  .object({
    dataset_id: IdSchema,
    title: cleanText({ max: 200 }),
    description: cleanText({ min: 0, max: 5000 }).default(''),
    visibility: VisibilitySchema.default('private'),
    spec: ChartSpecSchema,
  })
  .openapi('NewChart');

export const ChartPatchSchema = z
  .object({
    title: cleanText({ max: 200 }).optional(),
    description: cleanText({ min: 0, max: 5000 }).optional(),
    visibility: VisibilitySchema.optional(),
    spec: ChartSpecSchema.optional(),
  })
  .openapi('ChartPatch');

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ChartDataSchema = z
  .object({
    chart_id: IdSchema,
    type: z.enum(CHART_TYPES),
    x: z.object({ name: z.string(), type: ColumnTypeSchema }),
    series: z.array(
      z.object({
        name: z.string(),
        points: z
          .array(z.array(Cell))
          .describe('`[x, y]` pairs (`[x, y, size]` for a sized scatter), in x order.'),
      }),
    ),
    bin_width: z.number().nullable().describe('Histogram only: the width of each bin.'),
    downsampled: z
      .boolean()
      .describe('Whether some points were dropped to stay within `max_points`.'),
    method: z
      .enum(['none', 'minmax', 'stride'])
      .describe('`minmax` keeps each bucket’s lowest and highest point, and the first and last.'),
    total_points: z.number().int().describe('Points before downsampling, over all series.'),
    other_series: z
      .number()
      .int()
      .describe(
        'Series beyond the most the chart draws (its `series.max`, 10 by default, at most the server’s `CHART_MAX_SERIES`, 20 by default), ranked over all rows: the largest are drawn and the rest combined into one “Other (n more)” series for counts, sums and plotted rows, or left out for averages, medians, minima and maxima. 0 when all are drawn.',
      ),
    other_categories: z
      .number()
      .int()
      .describe(
        'x values beyond the most a bar, pie or category chart draws (`CHART_MAX_CATEGORIES`, 500 by default): text categories keep the largest and combine the rest into “Other (n more)” (counts and sums) or leave them out; dates and numbers keep the first ones in x order. 0 when all are drawn.',
      ),
  })
  .openapi('ChartData');
