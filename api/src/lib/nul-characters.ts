import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { problem, type ValidationErrorItem } from './problem.ts';
import { summarise } from './validation.ts';

const NUL = '\u0000';
const MSG = 'must not contain NUL characters (U+0000)';
/** Enough to say where; a body full of them need not be listed whole. */
const MAX_REPORTED = 20;

/** Walks a parsed body with one path stack, copied only where a NUL is: bodies can be large. */
function findNul(value: unknown, path: (string | number)[], found: ValidationErrorItem[]): void {
  if (found.length >= MAX_REPORTED) return;
  if (typeof value === 'string') {
    if (value.includes(NUL)) found.push({ loc: [...path], msg: MSG, type: 'string_nul' });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const entries: Iterable<[string | number, unknown]> = Array.isArray(value)
    ? value.entries()
    : Object.entries(value);
  for (const [key, item] of entries) {
    path.push(key);
    if (typeof key === 'string' && key.includes(NUL)) {
      found.push({ loc: [...path], msg: MSG, type: 'string_nul' });
    }
    findNul(item, path, found);
    path.pop();
  }
}

/** The parsed JSON body, or undefined when there is none or it is malformed (the validator says so). */
async function jsonBody(request: { json: () => Promise<unknown> }): Promise<unknown> {
  try {
    return await request.json();
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Refuses text that PostgreSQL cannot hold: a NUL in a query parameter or anywhere in a JSON
 * body would otherwise fail deep inside a query, as a 500. Checks the inputs the route declares
 * (its query parameters by name, its JSON body) and answers 422 naming each place.
 */
export function refuseNulCharacters(options: {
  query: string[];
  json: boolean;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const found: ValidationErrorItem[] = [];
    for (const name of options.query) {
      const values = c.req.queries(name) ?? [];
      values.forEach((value, index) => {
        if (value.includes(NUL)) {
          found.push({
            loc: values.length > 1 ? ['query', name, index] : ['query', name],
            msg: MSG,
            type: 'string_nul',
          });
        }
      });
    }
    const contentType = c.req.header('content-type') ?? '';
    if (options.json && /^application\/([a-z-.]+\+)?json/i.test(contentType)) {
      findNul(await jsonBody(c.req), ['body'], found);
    }
    if (found.length) return problem(c, 422, summarise(found), { errors: found });
    await next();
  };
}
