/**
 * Ids taken from the page's URL. Anyone can craft a link, so an id is checked before it goes
 * into a request: `../datasets/<id>?` in a chart's id once fetched a dataset's text instead of a
 * chart (issue 10). The API's ids are UUIDs; anything else names nothing.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isId(value: string | null | undefined): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The id in `?name=`, or null when it is missing or not an id. */
export function idFromQuery(location: Location, name: string): string | null {
  const value = new URLSearchParams(location.search).get(name);
  return isId(value) ? value : null;
}

/**
 * A chart's id from `/c/<id>`, `/embed/<id>` (pretty URLs, rewritten by `_redirects`) or
 * `?id=`, or null when the link does not name a chart.
 */
export function chartIdFromLocation(location: Location): string | null {
  const segment = /^\/(?:c|embed)\/(.+?)\/?$/.exec(location.pathname)?.[1];
  if (segment === undefined) return idFromQuery(location, 'id');
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return isId(id) ? id : null;
}

/** The pages' own links, each id percent-encoded (ids are checked, but links are built in one way). */
export const links = {
  chart: (id: string) => `/chart/?id=${encodeURIComponent(id)}`,
  /** The pretty URLs to share: `_redirects` rewrites them, on Pages and under `npm start`. */
  share: (id: string) => `/c/${encodeURIComponent(id)}`,
  embed: (id: string) => `/embed/${encodeURIComponent(id)}`,
  dataset: (id: string) => `/dataset/?id=${encodeURIComponent(id)}`,
  newChart: (datasetId: string) => `/charts/new/?dataset=${encodeURIComponent(datasetId)}`,
  editChart: (id: string) => `/charts/new/?chart=${encodeURIComponent(id)}`,
};
