/**
 * Cloudflare Pages' rule files as Pages reads them, for the local server (static-server.ts): `_redirects` rewrites
 * and `_headers` (workers-sdk's pages-shared asset server is the reference).
 */

function ruleLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Pages' patterns: one `*` matches anything, even nothing. */
export function matches(pattern: string, pathname: string): boolean {
  const [head = '', tail] = pattern.split('*');
  if (tail === undefined) return pathname === pattern;
  return (
    pathname.length >= head.length + tail.length &&
    pathname.startsWith(head) &&
    pathname.endsWith(tail)
  );
}

/** `_redirects` rewrites (`/c/*  /chart/  200`), the only kind the site uses. */
export function parseRewrites(text: string): [string, string][] {
  return ruleLines(text)
    .map((line) => line.split(/\s+/))
    .filter((parts) => parts.length === 3 && parts[2] === '200')
    .map((parts) => [parts[0] as string, parts[1] as string]);
}

export interface HeaderRule {
  pattern: string;
  set: [string, string][];
  unset: string[];
}

export function parseHeaders(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  for (const line of ruleLines(text)) {
    const rule = rules.at(-1);
    if (line.startsWith('/')) rules.push({ pattern: line, set: [], unset: [] });
    else if (line.startsWith('!')) rule?.unset.push(line.slice(1).trim());
    else {
      const colon = line.indexOf(':');
      rule?.set.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  return rules;
}

/**
 * `_headers` as Pages applies them, matched against the path the browser asked for: every
 * matching rule in file order; a rule first drops its `! Name` headers, then sets its own; a
 * header two rules both set gets both values, comma-joined.
 */
export function headersFor(rules: HeaderRule[], pathname: string): Record<string, string> {
  const headers = new Map<string, string>();
  const setByRules = new Set<string>();
  for (const rule of rules.filter((r) => matches(r.pattern, pathname))) {
    for (const name of rule.unset) headers.delete(name.toLowerCase());
    for (const [name, value] of rule.set) {
      const key = name.toLowerCase();
      const previous = headers.get(key);
      headers.set(key, setByRules.has(key) && previous ? `${previous}, ${value}` : value);
      setByRules.add(key);
    }
  }
  return Object.fromEntries(headers);
}
