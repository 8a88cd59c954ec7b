import type { components } from '@chartroom/client';

/** A chart's definition and its drawn data, exactly as the API's contract gives them. */
export type ChartSpec = components['schemas']['ChartSpec'];
/** A saved chart's `/data`, or a preview's (the same, without a chart id). */
export type ChartData = components['schemas']['ChartPreview'] & { chart_id?: string };
export type Series = ChartData['series'][number];
export type Cell = string | number | boolean | null;
export type Theme = 'light' | 'dark';
export type Bucket = NonNullable<ChartSpec['x']['bucket']>;
export type NumberStyle = NonNullable<NonNullable<ChartSpec['format']>['number']>;
