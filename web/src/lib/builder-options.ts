import type { components } from '@chartroom/client';

type Spec = components['schemas']['ChartSpec'];
type ChartType = Spec['type'];
type NumberStyle = NonNullable<NonNullable<Spec['format']>['number']>;

/** The builder's words for the contract's number formats; the compiler checks every one is named. */
export const NUMBER_STYLES: Record<NumberStyle, string> = {
  auto: 'Automatic',
  integer: 'Whole numbers (1,235)',
  decimal: 'Fixed decimals (1,234.57)',
  percent: 'Percent (12.5%)',
  compact: 'Compact (1.2K, 3.4M)',
};

/** Which of the options apply: each option's `data-when` names the charts it is shown for. */
export function optionsShown(type: ChartType, hasSeries: boolean, numberStyle: string) {
  return {
    stacked: type === 'area' || (type === 'bar' && hasSeries),
    horizontal: type === 'bar',
    labels: type === 'bar',
    donut: type === 'pie',
    markers: type === 'line',
    number: type !== 'histogram',
    decimals: type !== 'histogram' && (numberStyle === 'decimal' || numberStyle === 'percent'),
    affixes: type !== 'histogram',
    'series-max': hasSeries,
    highlight: hasSeries,
    'axis-titles': type !== 'pie',
  } satisfies Record<string, boolean>;
}

const input = (form: HTMLFormElement, name: string) =>
  form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
const checked = (form: HTMLFormElement, name: string) =>
  (input(form, name) as HTMLInputElement | null)?.checked === true;
const text = (form: HTMLFormElement, name: string) => input(form, name)?.value ?? '';
const shownIn = (form: HTMLFormElement, which: string) =>
  form.querySelector<HTMLElement>(`[data-when="${which}"]`)?.hidden === false;

/** The spec's optional parts, from the options shown (a hidden option adds nothing). */
export function optionsFrom(form: HTMLFormElement, type: ChartType): Partial<Spec> {
  const out: Partial<Spec> = {};
  const stacked = shownIn(form, 'stacked') && checked(form, 'opt-stacked');
  if (type === 'area' && stacked) out.stacked = true;
  if (type === 'bar') {
    out.bar = {
      orientation: checked(form, 'opt-horizontal') ? 'horizontal' : 'vertical',
      mode: stacked ? 'stacked' : 'grouped',
    };
    if (checked(form, 'opt-labels')) out.labels = true;
  }
  if (type === 'pie' && checked(form, 'opt-donut')) out.donut = true;
  if (type === 'line' && checked(form, 'opt-markers')) out.markers = true;
  if (type !== 'histogram') {
    const format: NonNullable<Spec['format']> = {
      number: (text(form, 'opt-number') || 'auto') as NumberStyle,
    };
    const decimals = Number.parseInt(text(form, 'opt-decimals'), 10);
    if (shownIn(form, 'decimals') && Number.isInteger(decimals)) format.decimals = decimals;
    if (text(form, 'opt-prefix')) format.prefix = text(form, 'opt-prefix');
    if (text(form, 'opt-suffix')) format.suffix = text(form, 'opt-suffix');
    if (shownIn(form, 'axis-titles')) {
      if (text(form, 'opt-x-label').trim()) format.x_label = text(form, 'opt-x-label').trim();
      if (text(form, 'opt-y-label').trim()) format.y_label = text(form, 'opt-y-label').trim();
    }
    out.format = format;
  }
  if (shownIn(form, 'highlight')) {
    const names = [
      ...form.querySelectorAll<HTMLInputElement>('input[name="opt-highlight"]:checked'),
    ];
    if (names.length) out.highlight = names.map((box) => box.value);
  }
  return out;
}

/** The most series to draw, when the option is shown and set. */
export function seriesMaxFrom(form: HTMLFormElement): number | undefined {
  const most = Number.parseInt(text(form, 'opt-series-max'), 10);
  return shownIn(form, 'series-max') && Number.isInteger(most) ? most : undefined;
}

/** Puts a saved spec's options into the form. */
export function fillOptions(form: HTMLFormElement, spec: Spec): void {
  const set = (name: string, value: string | boolean | number | undefined) => {
    const element = input(form, name);
    if (!element || value === undefined) return;
    if (element instanceof HTMLInputElement && element.type === 'checkbox')
      element.checked = value === true;
    else element.value = String(value);
  };
  set('opt-stacked', spec.stacked === true || spec.bar?.mode === 'stacked');
  set('opt-horizontal', spec.bar?.orientation === 'horizontal');
  set('opt-labels', spec.labels === true);
  set('opt-donut', spec.donut === true);
  set('opt-markers', spec.markers === true);
  set('opt-number', spec.format?.number ?? 'auto');
  set('opt-decimals', spec.format?.decimals);
  set('opt-prefix', spec.format?.prefix ?? '');
  set('opt-suffix', spec.format?.suffix ?? '');
  set('opt-x-label', spec.format?.x_label ?? '');
  set('opt-y-label', spec.format?.y_label ?? '');
  set('opt-series-max', spec.series?.max);
}

/**
 * The series a chart may highlight, as checkboxes: the names of the series drawn now (those the
 * preview answered), and any ticked before (a choice is never dropped unseen because a change
 * left its series out). `chosen` seeds them from a saved chart.
 */
export function offerHighlights(form: HTMLFormElement, names: string[], chosen: string[] = []) {
  const list = form.querySelector<HTMLElement>('#opt-highlight-list');
  if (!list) return;
  const ticked = new Set([
    ...chosen,
    ...[...list.querySelectorAll<HTMLInputElement>('input:checked')].map((box) => box.value),
  ]);
  const offered = [...new Set([...names.slice(0, 50), ...ticked])];
  list.replaceChildren(
    ...offered.map((name) => {
      const label = document.createElement('label');
      label.className = 'check';
      const box = Object.assign(document.createElement('input'), {
        type: 'checkbox',
        name: 'opt-highlight',
        value: name,
        checked: ticked.has(name),
      });
      label.append(box, document.createTextNode(` ${name}`));
      return label;
    }),
  );
}

/**
 * What a saved chart holds that the builder has no field for (filters, annotations, colours,
 * sizes, bins), carried over when it is saved again: editing a title must not drop them. Parts
 * that belong to one chart type are dropped when the type changes.
 */
export function keptFrom(saved: Spec | undefined, type: ChartType): Partial<Spec> {
  if (!saved) return {};
  const kept: Partial<Spec> = {};
  if (saved.filters?.length) kept.filters = saved.filters;
  if (saved.annotations?.length) kept.annotations = saved.annotations;
  if (saved.colors?.length) kept.colors = saved.colors;
  if (saved.type === type) {
    if (saved.size) kept.size = saved.size;
    if (saved.bins !== undefined) kept.bins = saved.bins;
  }
  return kept;
}

/** The builder field an API problem's `loc` points at (`["body","spec","x","column"]` → x). */
export function builderField(loc: (string | number)[]): string {
  const path = loc.slice(1).join('.');
  const fields: [RegExp, string][] = [
    [/^spec\.x\.column/, 'x'],
    [/^spec\.x\.bucket/, 'bucket'],
    [/^spec\.y\.\d+\.aggregate/, 'aggregate'],
    [/^spec\.y/, 'y'],
    [/^spec\.series\.max/, 'opt-series-max'],
    [/^spec\.series/, 'series'],
    [/^spec\.format\.decimals/, 'opt-decimals'],
    [/^spec\.format\.prefix/, 'opt-prefix'],
    [/^spec\.format\.suffix/, 'opt-suffix'],
    [/^spec\.format\.x_label/, 'opt-x-label'],
    [/^spec\.format\.y_label/, 'opt-y-label'],
    [/^spec\.type/, 'type'],
    [/^title/, 'title'],
    [/^visibility/, 'visibility'],
    [/^dataset_id/, 'dataset'],
  ];
  return fields.find(([pattern]) => pattern.test(path))?.[1] ?? '';
}
