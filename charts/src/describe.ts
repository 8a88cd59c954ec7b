import { describeAnnotations } from './annotations.ts';
import { categoriesOf, extentOf, type Model } from './model.ts';

const KIND_NAMES: Record<string, string> = {
  line: 'Line chart',
  area: 'Area chart',
  bar: 'Bar chart',
  scatter: 'Scatter plot',
  histogram: 'Histogram',
  pie: 'Pie chart',
};

/**
 * What a screen reader says when the chart's owner wrote no description: the kind of chart,
 * what it shows along what, its series and its range.
 */
export function describe(model: Model): string {
  const kind = KIND_NAMES[model.spec.type] ?? 'Chart';
  const names = model.series.map((s) => s.name);
  const parts = [
    `${kind} of ${model.spec.type === 'pie' || names.length !== 1 ? 'values' : names[0]} by ${model.data.x.name}.`,
  ];
  if (names.length > 1) {
    const listed = names.slice(0, 12).join(', ');
    parts.push(`${names.length} series: ${listed}${names.length > 12 ? ', …' : ''}.`);
  }
  if (model.xKind === 'time' || model.xKind === 'number') {
    const xs = categoriesOf(model.series);
    const ranked = xs.map((x) => ({ x, at: model.xValue(x) })).filter((r) => Number.isFinite(r.at));
    if (ranked.length > 1) {
      const [lo, hi] = extentOf(ranked.map((r) => r.at));
      const first = ranked.find((r) => r.at === lo);
      const last = ranked.find((r) => r.at === hi);
      if (first && last) parts.push(`From ${model.xText(first.x)} to ${model.xText(last.x)}.`);
    }
  } else if (model.spec.type !== 'histogram') {
    parts.push(`${categoriesOf(model.series).length} categories.`);
  }
  const highlighted = model.series.filter((s) => !s.muted).map((s) => s.name);
  if (highlighted.length < model.series.length)
    parts.push(`Highlighted: ${highlighted.join(', ')}.`);
  parts.push(...describeAnnotations(model));
  return parts.join(' ');
}
