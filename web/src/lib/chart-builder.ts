/**
 * The chart builder's page (/charts/new/): menus that follow the dataset's column types, a live
 * preview the API computes without saving, and Save, which creates the chart or, for
 * `?chart=<id>`, changes it in place.
 */

import type { components } from '@chartroom/client';
import { api } from './api/client';
import {
  builderField,
  fillOptions,
  keptFrom,
  NUMBER_STYLES,
  offerHighlights,
  optionsFrom,
  optionsShown,
  seriesMaxFrom,
} from './builder-options';
import { type ChartView, mountChart, POINTS_DRAWN } from './chart-view';
import { currentUser } from './current-user';
import { clearErrors, showProblem } from './forms';
import { isId, links } from './ids';

type Dataset = components['schemas']['Dataset'];
type Chart = components['schemas']['Chart'];
type Spec = components['schemas']['ChartSpec'];
type Aggregate = NonNullable<NonNullable<Spec['y']>[number]['aggregate']>;

const form = document.getElementById('builder') as HTMLFormElement;
const preview = document.getElementById('preview') as HTMLElement;
const select = (name: string) => form.elements.namedItem(name) as HTMLSelectElement;
const value = (name: string) => select(name).value;
const BUCKET_CHOICES: [string, string][] = [
  ['', 'No grouping'],
  ['hour', 'Hour'],
  ['day', 'Day'],
  ['week', 'Week'],
  ['month', 'Month'],
  ['year', 'Year'],
];
const NUMERIC = ['integer', 'number'];
const TIME = ['date', 'timestamp'];
let dataset: Dataset | undefined;
/** The saved chart being edited (`?chart=`), if any: saving changes it in place. */
let editing: Chart | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let view: ChartView | undefined;
let highlightsSeeded = false;

function fill(element: HTMLSelectElement, options: [string, string][], keep = true) {
  const previous = element.value;
  element.replaceChildren(...options.map(([v, label]) => new Option(label, v)));
  if (keep && options.some(([v]) => v === previous)) element.value = previous;
}

function show(which: string, visible: boolean) {
  const field = form.querySelector<HTMLElement>(`[data-when="${which}"]`);
  if (field) field.hidden = !visible;
}

/** Menus offer only what fits: numbers to sum, dates to bucket, one measure for a pie. */
function refreshMenus() {
  if (!dataset) return;
  const type = value('type');
  const columns = dataset.columns;
  const xChoices = columns.filter((c) =>
    type === 'histogram'
      ? NUMERIC.includes(c.type)
      : type === 'scatter'
        ? NUMERIC.includes(c.type) || TIME.includes(c.type)
        : true,
  );
  fill(
    select('x'),
    xChoices.map((c) => [c.name, `${c.label ?? c.name} (${c.type})`]),
  );
  const xType = columns.find((c) => c.name === value('x'))?.type ?? 'text';
  show('time', TIME.includes(xType) && type !== 'histogram' && type !== 'scatter');
  // Hours exist in timestamps only: a date grouped by hour would be one point a day.
  fill(
    select('bucket'),
    BUCKET_CHOICES.filter(([bucket]) => bucket !== 'hour' || xType === 'timestamp'),
  );
  const aggregates: [Aggregate, string][] =
    type === 'scatter'
      ? [['none', 'Each row']]
      : type === 'histogram'
        ? [['count', 'Count of rows']]
        : [
            ['count', 'Count of rows'],
            ['sum', 'Sum'],
            ['avg', 'Average'],
            ['median', 'Median'],
            ['min', 'Minimum'],
            ['max', 'Maximum'],
            ...(type === 'line' || type === 'area'
              ? ([['none', 'Each row']] as [Aggregate, string][])
              : []),
          ];
  fill(select('aggregate'), aggregates);
  show('measure', type !== 'histogram');
  const needsColumn = value('aggregate') !== 'count';
  show('measure-column', needsColumn && type !== 'histogram');
  fill(
    select('y'),
    columns.filter((c) => NUMERIC.includes(c.type)).map((c) => [c.name, c.label ?? c.name]),
  );
  show('series', type !== 'pie' && type !== 'histogram');
  // A series column other than the x column: one column cannot be both.
  fill(select('series'), [
    ['', 'None'],
    ...columns
      .filter((c) => (c.type === 'text' || c.type === 'boolean') && c.name !== value('x'))
      .map((c): [string, string] => [c.name, c.label ?? c.name]),
  ]);
  const shown = optionsShown(
    type as Spec['type'],
    type !== 'pie' && type !== 'histogram' && value('series') !== '',
    value('opt-number'),
  );
  for (const [which, visible] of Object.entries(shown)) show(which, visible);
}

function spec(): Spec {
  const type = value('type') as Spec['type'];
  const aggregate = value('aggregate') as Aggregate;
  const y =
    type === 'histogram'
      ? [{ aggregate: 'count' as const }]
      : [{ aggregate, ...(aggregate === 'count' ? {} : { column: value('y') }) }];
  const bucket =
    !(form.querySelector('[data-when="time"]') as HTMLElement).hidden && value('bucket')
      ? value('bucket')
      : undefined;
  const most = seriesMaxFrom(form);
  const series =
    !(form.querySelector('[data-when="series"]') as HTMLElement).hidden && value('series')
      ? { column: value('series'), ...(most ? { max: most } : {}) }
      : undefined;
  return {
    ...keptFrom(editing?.spec, type),
    type,
    x: {
      column: value('x'),
      ...(bucket ? { bucket: bucket as NonNullable<Spec['x']['bucket']> } : {}),
    },
    y,
    ...(series ? { series } : {}),
    ...optionsFrom(form, type),
  } as Spec;
}

const titleOf = () =>
  (form.elements.namedItem('title') as HTMLInputElement).value.trim() || 'Untitled chart';

/** Draws what the form describes, from a preview the API computes: nothing is saved. */
async function updatePreview() {
  if (!dataset) return;
  const { data, error } = await api
    .POST('/v1/charts/preview', {
      body: { dataset_id: dataset.id, spec: spec() },
      params: { query: { max_points: POINTS_DRAWN } },
    })
    .catch(() => ({ data: undefined, error: undefined }));
  view?.stop();
  view = undefined;
  if (!data) {
    if (error) showProblem(form, error, builderField);
    preview.textContent = error
      ? 'Change the fields marked above to see the chart.'
      : 'The preview could not be drawn: the API did not answer.';
    return;
  }
  clearErrors(form);
  // A saved chart's highlights are ticked once; after that, what the person ticks counts.
  offerHighlights(
    form,
    data.series.length > 1 ? data.series.map((s) => s.name) : [],
    highlightsSeeded ? [] : editing?.spec.highlight,
  );
  highlightsSeeded = true;
  // Drawn at the preview's own width, exactly as the chart page and the embed draw it.
  preview.replaceChildren();
  view = mountChart(preview, spec(), data, { title: titleOf() });
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(updatePreview, 300);
}

async function loadDataset(id: string) {
  if (!isId(id)) return;
  const { data } = await api.GET('/v1/datasets/{id}', { params: { path: { id } } });
  if (!data) return;
  dataset = data;
  refreshMenus();
  datasetToShare();
  schedule();
}

form.addEventListener('change', (event) => {
  const target = event.target as HTMLElement;
  if (target === select('dataset')) {
    loadDataset(value('dataset'));
    return;
  }
  refreshMenus();
  schedule();
});
type Visibility = Dataset['visibility'];
const RANK: Record<Visibility, number> = { private: 0, unlisted: 1, public: 2 };
const SEEN_BY: Record<Visibility, string> = {
  private: 'only its owner',
  unlisted: 'anyone with the link',
  public: 'everyone',
};
let myId: string | undefined;

/**
 * A chart is never seen by more people than its dataset (the API's rule): say so before saving,
 * and when the dataset is the user's own, share it as far as the chart on save.
 */
function datasetToShare(): Visibility | undefined {
  const hint = document.getElementById('b-visibility-hint') as HTMLElement;
  const wanted = value('visibility') as Visibility;
  hint.textContent = '';
  if (!dataset || RANK[wanted] <= RANK[dataset.visibility]) return undefined;
  if (dataset.owner.id === myId) {
    hint.textContent = `Saving also lets ${SEEN_BY[wanted]} see the dataset “${dataset.name}”, whose rows this chart draws.`;
    return wanted;
  }
  hint.textContent = `The dataset “${dataset.name}” is seen by ${SEEN_BY[dataset.visibility]}: the chart will not be seen by more.`;
  return undefined;
}
select('visibility').addEventListener('change', datasetToShare);

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearTimeout(timer);
  if (!dataset) return;
  const share = datasetToShare();
  if (share) {
    const shared = await api.PATCH('/v1/datasets/{id}', {
      params: { path: { id: dataset.id } },
      body: { visibility: share },
    });
    if (!shared.data) {
      showProblem(form, shared.error, builderField);
      return;
    }
    dataset = shared.data;
  }
  const visibility = value('visibility') as Visibility;
  // Saved only now, when asked: created, or the chart being edited changed in place.
  const saved = editing
    ? await api.PATCH('/v1/charts/{id}', {
        params: { path: { id: editing.id } },
        body: { title: titleOf(), spec: spec(), visibility },
      })
    : await api.POST('/v1/charts', {
        body: { dataset_id: dataset.id, title: titleOf(), spec: spec(), visibility },
      });
  if (saved.data) window.location.assign(links.chart(saved.data.id));
  else showProblem(form, saved.error, builderField);
});

/** Puts a saved chart's definition into the form, to edit it. */
function fillFrom(chart: Chart) {
  const set = (name: string, v: string | undefined) => {
    const element = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (element && v !== undefined) element.value = v;
  };
  const { spec: saved } = chart;
  const measure = saved.y?.[0];
  set('type', saved.type);
  refreshMenus();
  set('x', saved.x.column);
  refreshMenus();
  set('bucket', saved.x.bucket ?? '');
  set('aggregate', measure?.aggregate ?? 'count');
  refreshMenus();
  set('y', measure?.column);
  set('series', saved.series?.column ?? '');
  set('title', chart.title);
  set('visibility', chart.visibility);
  fillOptions(form, saved);
  refreshMenus();
}

fill(select('opt-number'), Object.entries(NUMBER_STYLES));

myId = (await currentUser())?.id;

// `?chart=` edits a saved chart; `?dataset=` starts one. Both come from links anyone can
// write: only ids are looked up.
const params = new URLSearchParams(window.location.search);
const chartAsked = params.get('chart');
if (isId(chartAsked)) {
  const { data } = await api
    .GET('/v1/charts/{id}', { params: { path: { id: chartAsked } } })
    .catch(() => ({ data: undefined }));
  if (data && data.owner.id === myId) {
    editing = data;
    (document.querySelector('h1') as HTMLElement).textContent = 'Edit chart';
    document.title = 'Edit chart · Chartroom';
  }
}
const asked = editing?.dataset_id ?? params.get('dataset');
const wanted = isId(asked) ? asked : null;
const [mine, open] = await Promise.all([
  api
    .GET('/v1/datasets', { params: { query: { mine: 'true', limit: 100 } } })
    .catch(() => undefined),
  api.GET('/v1/datasets', { params: { query: { limit: 100 } } }).catch(() => undefined),
]);
const choices = new Map<string, string>();
for (const item of [...(mine?.data?.items ?? []), ...(open?.data?.items ?? [])])
  choices.set(item.id, item.name);
if (wanted && !choices.has(wanted)) choices.set(wanted, 'This dataset');
const refused = asked !== null && wanted === null;
// After a refused link, nothing is chosen for the person: any dataset they pick is a change.
fill(
  select('dataset'),
  [...(refused ? ([['', 'Choose a dataset']] as [string, string][]) : []), ...choices],
  false,
);
if (wanted) select('dataset').value = wanted;
if (refused) preview.textContent = 'This link does not name a dataset.';
else if (select('dataset').value) {
  await loadDataset(select('dataset').value);
  if (editing) {
    fillFrom(editing);
    datasetToShare();
    clearTimeout(timer);
    await updatePreview();
  }
} else preview.textContent = 'Upload a dataset first, then chart it.';
