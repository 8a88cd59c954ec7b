import type { Model } from '../model.ts';
import type { ChartSpec } from '../types.ts';

type Aggregate = NonNullable<NonNullable<ChartSpec['y']>[number]['aggregate']>;

/** An aggregate as a reader says it: "Average units", not `avg(units)`. */
const WORDS: Partial<Record<Aggregate, string>> = {
  sum: 'Total',
  avg: 'Average',
  median: 'Median',
  min: 'Lowest',
  max: 'Highest',
};

/** A measure's name as the API writes it (`avg(units)`, `count`), in words. */
export function measureInWords(name: string): string {
  if (name === 'count') return 'Count';
  const call = /^(sum|avg|median|min|max)\((.+)\)$/s.exec(name);
  return call ? `${WORDS[call[1] as Aggregate]} ${call[2]}` : name;
}

/**
 * The y axis title: the spec's; else the measure's name, from the one series drawn or, when a
 * series column splits one measure into several, from the spec.
 */
export function yTitle(model: Model): string | undefined {
  const own = model.spec.format?.y_label;
  if (own) return own;
  if (model.series.length === 1) return measureInWords(model.series[0]?.name ?? '');
  const measures = model.spec.y ?? [];
  if (!model.spec.series || measures.length !== 1) return undefined;
  const [measure] = measures;
  if (!measure) return undefined;
  const aggregate = measure.aggregate ?? 'none';
  if (aggregate === 'count') return 'Count';
  if (!measure.column) return undefined;
  return aggregate === 'none' ? measure.column : `${WORDS[aggregate]} ${measure.column}`;
}
