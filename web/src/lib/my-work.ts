/**
 * The "My work" page (/mine/): the signed-in person's charts and datasets, searchable and
 * sortable, each with what can be done to it (open, edit, share, duplicate, delete).
 */
import type { components } from '@chartroom/client';
import { api } from './api/client';
import { drawCardWhenSeen } from './chart-cards';
import { currentUser } from './current-user';
import { links } from './ids';

type Chart = components['schemas']['Chart'];
type Dataset = components['schemas']['DatasetSummary'];
type Visibility = Chart['visibility'];

const SEEN_BY: Record<Visibility, string> = {
  private: 'Only me',
  unlisted: 'Anyone with the link',
  public: 'Everyone (gallery)',
};
const TYPE_NAMES: Record<Chart['spec']['type'], string> = {
  line: 'Line',
  area: 'Area',
  bar: 'Bar',
  scatter: 'Scatter',
  histogram: 'Histogram',
  pie: 'Pie',
};
const RANK: Record<Visibility, number> = { private: 0, unlisted: 1, public: 2 };
/** Pages of 100 read at most: past 1,000 items a list this simple stops being the right tool. */
const MOST_PAGES = 10;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = byId<HTMLElement>('mine-status');
const failure = document.querySelector<HTMLElement>('[data-work-error]') as HTMLElement;
const when = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = '') {
  return Object.assign(document.createElement(tag), { textContent: text, className });
}

async function allPages<T>(
  read: (cursor?: string) => Promise<{ data?: { items: T[]; next_cursor: string | null } }>,
): Promise<T[] | undefined> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MOST_PAGES; page++) {
    const { data } = await read(cursor).catch(() => ({ data: undefined }));
    if (!data) return page === 0 ? undefined : items;
    items.push(...data.items);
    if (!data.next_cursor) break;
    cursor = data.next_cursor;
  }
  return items;
}

function visibilityMenu(current: Visibility, label: string, onChange: (v: Visibility) => void) {
  const menu = element('select');
  menu.setAttribute('aria-label', label);
  for (const [value, words] of Object.entries(SEEN_BY)) menu.append(new Option(words, value));
  menu.value = current;
  menu.addEventListener('change', () => onChange(menu.value as Visibility));
  return menu;
}

function button(text: string, onClick: () => void) {
  const b = element('button', text, 'button secondary');
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

function link(text: string, href: string, className = '') {
  return Object.assign(element('a', text, className), { href });
}

let charts: Chart[] = [];
let datasets: Dataset[] = [];

function chartItem(chart: Chart): HTMLElement {
  const item = element('li');
  const thumb = element('div', '', 'thumb');
  drawCardWhenSeen(thumb, chart);
  const meta = `${TYPE_NAMES[chart.spec.type]} · changed ${when(chart.updated_at)}`;
  const actions = element('div', '', 'row');
  actions.append(
    link('Edit', links.editChart(chart.id), 'button secondary'),
    button('Duplicate', () => duplicate(chart)),
    button('Delete', () => deleteChart(chart)),
  );
  item.append(
    thumb,
    link(chart.title, links.chart(chart.id), 'name'),
    element('span', meta, 'hint'),
    visibilityMenu(chart.visibility, `Who can see “${chart.title}”`, async (visibility) => {
      await change(
        api.PATCH('/v1/charts/{id}', { params: { path: { id: chart.id } }, body: { visibility } }),
      );
      await load();
    }),
  );
  // A chart is never seen by more people than its dataset: say so where it applies.
  const dataset = datasets.find((d) => d.id === chart.dataset_id);
  if (dataset && RANK[dataset.visibility] < RANK[chart.visibility]) {
    const words = SEEN_BY[dataset.visibility].toLowerCase();
    item.append(
      element(
        'span',
        `Seen by ${words} for now: its dataset “${dataset.name}” is shared no further.`,
        'hint limited',
      ),
    );
  }
  item.append(actions);
  return item;
}

function datasetItem(dataset: Dataset): HTMLElement {
  const item = element('li');
  const rows = `${dataset.row_count.toLocaleString('en')} rows`;
  const actions = element('div', '', 'row');
  actions.append(
    link('Chart it', links.newChart(dataset.id), 'button secondary'),
    button('Delete', () => deleteDataset(dataset)),
  );
  item.append(
    link(dataset.name, links.dataset(dataset.id), 'name'),
    element('span', `${rows} · changed ${when(dataset.updated_at)}`, 'hint'),
    visibilityMenu(dataset.visibility, `Who can see “${dataset.name}”`, async (visibility) => {
      await change(
        api.PATCH('/v1/datasets/{id}', {
          params: { path: { id: dataset.id } },
          body: { visibility },
        }),
      );
      // Its charts may now be seen as widely as they ask.
      await load();
    }),
    actions,
  );
  return item;
}

/** Sends a change; on a refusal says why (the caller then shows the lists as stored). */
async function change(sent: Promise<{ error?: { detail?: string } }>) {
  failure.textContent = '';
  const { error } = await sent.catch(() => ({
    error: { detail: 'The API could not be reached.' },
  }));
  if (error) failure.textContent = error.detail ?? 'That change was refused.';
}

async function duplicate(chart: Chart) {
  const { dataset_id, description, spec } = chart;
  const title = `Copy of ${chart.title}`.slice(0, 200);
  await change(api.POST('/v1/charts', { body: { dataset_id, title, description, spec } }));
  await load();
}

async function deleteChart(chart: Chart) {
  if (!window.confirm(`Delete the chart “${chart.title}”? Its links and embeds stop working.`))
    return;
  await change(api.DELETE('/v1/charts/{id}', { params: { path: { id: chart.id } } }));
  await load();
}

async function deleteDataset(dataset: Dataset) {
  if (
    !window.confirm(
      `Delete the dataset “${dataset.name}” and its ${dataset.row_count.toLocaleString('en')} rows?`,
    )
  )
    return;
  const path = { id: dataset.id };
  const first = await api.DELETE('/v1/datasets/{id}', { params: { path } }).catch(() => undefined);
  if (first?.response.status === 409) {
    // The API names the charts drawn from it: they would go too.
    const detail = first.error?.detail ?? 'Charts are drawn from this dataset.';
    if (!window.confirm(`${detail}\n\nDelete the dataset and those charts?`)) return;
    await change(
      api.DELETE('/v1/datasets/{id}', { params: { path, query: { charts: 'delete' } } }),
    );
  } else if (!first || first.error) {
    failure.textContent = first?.error?.detail ?? 'The API could not be reached.';
  }
  await load();
}

function render() {
  const words = byId<HTMLInputElement>('mine-search').value.trim().toLowerCase();
  const sort = byId<HTMLSelectElement>('mine-sort').value;
  const order = <T>(items: T[], name: (item: T) => string, changed: (item: T) => string) =>
    items
      .filter((item) => name(item).toLowerCase().includes(words))
      .sort((a, b) =>
        sort === 'title' ? name(a).localeCompare(name(b)) : changed(b).localeCompare(changed(a)),
      );
  const shownCharts = order(
    charts,
    (c) => c.title,
    (c) => c.updated_at,
  );
  const shownDatasets = order(
    datasets,
    (d) => d.name,
    (d) => d.updated_at,
  );
  byId('my-charts').replaceChildren(...shownCharts.map(chartItem));
  byId('my-datasets').replaceChildren(...shownDatasets.map(datasetItem));
  byId('charts-count').textContent = `(${shownCharts.length.toLocaleString('en')})`;
  byId('datasets-count').textContent = `(${shownDatasets.length.toLocaleString('en')})`;
  byId('charts-empty').hidden = charts.length > 0;
  byId('datasets-empty').hidden = datasets.length > 0;
}

async function load() {
  const [myCharts, myDatasets] = await Promise.all([
    allPages((cursor) =>
      api.GET('/v1/charts', { params: { query: { mine: 'true', limit: 100, cursor } } }),
    ),
    allPages((cursor) =>
      api.GET('/v1/datasets', { params: { query: { mine: 'true', limit: 100, cursor } } }),
    ),
  ]);
  if (!myCharts || !myDatasets) {
    status.textContent = 'Your work could not be loaded: the API did not answer. Try again later.';
    status.hidden = false;
    return;
  }
  charts = myCharts;
  datasets = myDatasets;
  status.hidden = true;
  byId('mine').hidden = false;
  render();
}

byId('mine-search').addEventListener('input', render);
byId('mine-sort').addEventListener('change', render);
if (await currentUser().catch(() => undefined)) await load();
else status.replaceChildren('Log in to see your work: ', link('log in', '/login'), '.');
