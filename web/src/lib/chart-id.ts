/** A chart's id from `/c/<id>`, `/embed/<id>` (pretty URLs, rewritten by _redirects) or `?id=`. */
export function chartIdFromLocation(location: Location): string {
  const fromPath = /^\/(?:c|embed)\/([0-9a-f-]{36})\/?$/i.exec(location.pathname)?.[1];
  return fromPath ?? new URLSearchParams(location.search).get('id') ?? '';
}
