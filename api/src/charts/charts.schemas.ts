import { z } from '@hono/zod-openapi';
import { VisibilitySchema } from '../auth/ownership.ts';
import { BUCKETS, ColumnTypeSchema, FilterSchema } from '../datasets/datasets.schemas.ts';
import { cleanText, IdSchema, TimestampSchema } from '../lib/schemas.ts';
import { TEXT_CEILINGS } from '../lib/text-limits.ts';

export const CHART_TYPES = ['line', 'area', 'bar', 'scatter', 'histogram', 'pie'] as const;
export const CHART_AGGREGATES = ['none', 'count', 'sum', 'avg', 'min', 'max', 'median'] as const;

const SeriesName = z.string().max(TEXT_CEILINGS.columnName);
const Colour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/)
  .describe('A colour as `#RRGGBB`.');
const Label = cleanText({ min: 0, max: 200 });
/** Text around numbers ("$", " °C"): kept as typed, spaces included. */
const Affix = z
  .string()
  .max(8)
  .refine((value) => value.isWellFormed(), 'must be well-formed Unicode')
  .refine(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point.
    (value) => !/[\u0000-\u001f\u007f]/.test(value),
    'must not contain control characters',
  );
const XValue = z
  .union([z.string().max(TEXT_CEILINGS.columnName), z.number()])
  .describe('A value along x: a date (`2024-03-01`), a number, or a category.');

export const AnnotationSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('line'),
      value: z.number().describe('Where the reference line crosses the value axis.'),
      label: Label.optional(),
    }),
    z.object({
      type: z.literal('range'),
      from: XValue,
      to: XValue,
      label: Label.optional(),
    }),
    z.object({
      type: z.literal('note'),
      x: XValue,
      y: z.number(),
      label: Label,
    }),
  ])
  .describe(
    'A reference line at a value (`line`), a shaded x range (`range`) or a text note at a point (`note`), each with its label.',
  )
  .openapi('ChartAnnotation', { example: { type: 'line', value: 25, label: 'WHO limit' } });

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
            'Most series drawn (12 when not set, at most the server’s `CHART_MAX_SERIES`, 20 by default): highlighted series first, then the largest (by total for sums and counts, by value for averages, medians, minima and maxima); the rest fold into one “Other (n more)” series, aggregated over all of their rows (its average is the average of those rows).',
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
    bins: z
      .number()
      .int()
      .min(2)
      .max(200)
      .default(20)
      .describe(
        'Histogram only: about how many bins. Their width is rounded (1, 2 or 5 × 10ⁿ) and their edges fall on multiples of it, so the count drawn may differ from this by up to a factor of about two.',
      ),
    filters: z.array(FilterSchema).max(50).default([]),
    format: z
      .object({
        x_label: cleanText({ min: 0, max: 200 }).optional(),
        y_label: cleanText({ min: 0, max: 200 }).optional(),
        number: z.enum(['auto', 'integer', 'decimal', 'percent', 'compact']).default('auto'),
        decimals: z
          .number()
          .int()
          .min(0)
          .max(6)
          .optional()
          .describe('Fixed decimals for `decimal` and `percent` (2 and 1 when not set).'),
        prefix: Affix.optional().describe('Written before every value, e.g. `$` or `€`.'),
        suffix: Affix.optional().describe('Written after every value, e.g. ` °C` or ` t`.'),
      })
      .default({ number: 'auto' }),
    colors: z
      .array(z.object({ series: SeriesName, color: Colour }))
      .max(50)
      .optional()
      .describe('A colour of its own for a series (by name), instead of the palette’s.'),
    highlight: z
      .array(SeriesName)
      .max(20)
      .optional()
      .describe('Series drawn in colour, by name; every other series is drawn grey.'),
    labels: z.boolean().optional().describe('Values written on bars.'),
    markers: z.boolean().optional().describe('A dot at each point of a line.'),
    annotations: z.array(AnnotationSchema).max(20).optional(),
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

export const ChartPreviewRequestSchema = z
  .object({ dataset_id: IdSchema, spec: ChartSpecSchema })
  .openapi('ChartPreviewRequest', {
    example: {
      dataset_id: '0b5a3f4e-2c1d-4e8f-9a7b-6c5d4e3f2a1b',
      spec: { type: 'bar', x: { column: 'city' }, y: [{ column: 'pm25', aggregate: 'avg' }] },
    },
  });

/** A chart's series for a definition not saved yet: what `/data` answers, without a chart id. */
export const ChartPreviewSchema = ChartDataSchema.omit({ chart_id: true }).openapi('ChartPreview');
