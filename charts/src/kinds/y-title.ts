import type { Model } from '../model.ts';

/** The y axis title: the spec's, else the measure's name when there is one series. */
export function yTitle(model: Model): string | undefined {
  const own = model.spec.format?.y_label;
  if (own) return own;
  return model.series.length === 1 ? model.series[0]?.name : undefined;
}
