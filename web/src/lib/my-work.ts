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

/** Titles of the charts drawn from a dataset that the caller can see, and how many are others'. */
async function chartsFrom(dataset: Dataset): Promise<{ titles: string[]; others: number }> {
  const { data } = await api
    .GET('/v1/charts', { params: { query: { dataset_id: dataset.id, limit: 100 } } })
    .catch(() => ({ data: undefined }));
  const items = data?.items ?? [];
  const mine = items.filter((chart) => chart.owner.id === dataset.owner.id);
  return { titles: mine.map((chart) => `“${chart.title}”`), others: items.length - mine.length };
}

/** What deleting a dataset takes with it, in one question asked before anything is deleted. */
function deletionQuestion(dataset: Dataset, charts: { titles: string[]; others: number }): string {
  const rows = `Delete the dataset “${dataset.name}” and its ${dataset.row_count.toLocaleString('en')} rows?`;
  const { titles, others } = charts;
  if (!titles.length && !others && dataset.visibility === 'private') return rows;
  const named = titles.length > 6 ? [...titles.slice(0, 5), `${titles.length - 5} more`] : titles;
  const parts = [];
  if (named.length) parts.push(`your chart${titles.length === 1 ? '' : 's'} ${named.join(', ')}`);
  if (others) parts.push(`${others} chart${others === 1 ? '' : 's'} other people made from it`);
  const going = parts.length
    ? `\n\nThese charts are deleted with it, and their links and embeds stop working: ${parts.join('; and ')}.`
    : '';
  // Charts by others on a dataset they could see are not all listed to its owner.
  const unseen =
    dataset.visibility === 'private'
      ? ''
      : '\n\nCharts other people drew from it stop working too.';
  return `${rows}${going}${others ? '' : unseen}`;
}

async function deleteDataset(dataset: Dataset) {
  const question = deletionQuestion(dataset, await chartsFrom(dataset));
  if (!window.confirm(question)) return;
  // Asked once, knowing what goes with it: the charts are deleted with the dataset.
  const path = { id: dataset.id };
  await change(api.DELETE('/v1/datasets/{id}', { params: { path, query: { charts: 'delete' } } }));
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
