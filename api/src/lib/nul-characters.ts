import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { problem, type ValidationErrorItem } from './problem.ts';
import { summarise } from './validation.ts';

const NUL = '\u0000';
const MSG = 'must not contain NUL characters (U+0000)';
const SURROGATE_MSG =
  'must be well-formed Unicode (a lone surrogate such as \\ud800 cannot be stored)';
/**
 * Values looked at between turns of the event loop: a 100,000-row body holds about half a
 * million, which walked at once would keep every other request waiting for a tenth of a second.
 */
const VALUES_PER_TURN = 50_000;
/** Enough to say where; a body full of them need not be listed whole. */
const MAX_REPORTED = 20;
/**
 * Deepest nesting a JSON body may have; the deepest the contract describes is under ten. Code
 * that walks values recursively (here, zod, JSON.stringify) would overflow the stack far below
 * what JSON.parse accepts.
 */
export const MAX_JSON_DEPTH = 64;

/** What PostgreSQL cannot store in text (and jsonb): a NUL, or half of a surrogate pair. */
function textProblem(text: string): [msg: string, type: string] | undefined {
  if (text.includes(NUL)) return [MSG, 'string_nul'];
  if (!text.isWellFormed()) return [SURROGATE_MSG, 'string_unicode'];
  return undefined;
}

/** A value still to look at, with the way to it: a linked path, built into a `loc` only if wrong. */
interface Pending {
  value: unknown;
  key: string | number;
  parent: Pending | undefined;
  depth: number;
}

const locOf = (node: Pending): (string | number)[] => {
  const loc: (string | number)[] = [];
  for (let at: Pending | undefined = node; at; at = at.parent) loc.push(at.key);
  return loc.reverse();
};

/**
 * Walks a parsed body without recursion (a body may be nested far deeper than the stack), and
 * without copying paths: bodies can be large. Stops at the first level past MAX_JSON_DEPTH.
 */
async function findUnstorable(body: unknown, found: ValidationErrorItem[]): Promise<void> {
  const stack: Pending[] = [{ value: body, key: 'body', parent: undefined, depth: 0 }];
  let visited = 0;
  while (stack.length && found.length < MAX_REPORTED) {
    if (++visited % VALUES_PER_TURN === 0) await nextTurn();
    const node = stack.pop() as Pending;
    const { value, key } = node;
    const wrongKey = node.parent && typeof key === 'string' ? textProblem(key) : undefined;
    if (wrongKey) found.push({ loc: locOf(node), msg: wrongKey[0], type: wrongKey[1] });
    if (typeof value === 'string') {
      const wrong = textProblem(value);
      if (wrong) found.push({ loc: locOf(node), msg: wrong[0], type: wrong[1] });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (isInexact(value)) {
      found.push({ loc: locOf(node), msg: value[INEXACT], type: 'number_inexact' });
      continue;
    }
    if (node.depth >= MAX_JSON_DEPTH) {
      const msg = `is nested more than ${MAX_JSON_DEPTH} levels deep`;
      found.push({ loc: locOf(node), msg, type: 'too_deep' });
      return;
    }
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? [...value.entries()]
      : Object.entries(value);
    // Reversed onto the stack, so that problems are reported in the order of the body.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i] as [string | number, unknown];
      stack.push({ value: item, key, parent: node, depth: node.depth + 1 });
    }
  }
}

/** A number JSON.parse would change without a word, and what to tell the sender instead. */
const INEXACT = Symbol('inexact number');
type Inexact = { [INEXACT]: string };

/** Cheap test of the raw text: 16 digits in a row, or an exponent of three, may not fit a double. */
const MAYBE_INEXACT = /\d{16}|[eE][+-]?\d{3}/;

function markInexact(_key: string, value: unknown, context?: { source?: string }): unknown {
  const source = context?.source;
  if (typeof value !== 'number' || source === undefined) return value;
  const shown = source.length > 40 ? `${source.slice(0, 37)}…` : source;
  if (!Number.isFinite(value)) return { [INEXACT]: `${shown} is too large a number to store` };
  if (value === 0 && /[1-9]/.test(source.split(/[eE]/)[0] ?? '')) {
    return { [INEXACT]: `${shown} is too small to store: it would become 0` };
  }
  if (/^-?\d+$/.test(source) && !Number.isSafeInteger(value) && BigInt(source) !== BigInt(value)) {
    return {
      [INEXACT]: `${shown} has more digits than a number keeps (it would be stored as ${value}); send it as a string to keep them all`,
    };
  }
  return value;
}

const isInexact = (value: object): value is Inexact => INEXACT in value;

/**
 * The parsed JSON body, or undefined when there is none or it is malformed (the validator says
 * so). Parsed once: the validator reads this parse. Numbers that would not survive it exactly
 * (past 2^53, past a double's range) are marked, for the walk to name.
 */
async function jsonBody(request: {
  text: () => Promise<string>;
  bodyCache: { json?: Promise<unknown> };
}): Promise<unknown> {
  const text = await request.text();
  let value: unknown;
  try {
    value = MAYBE_INEXACT.test(text)
      ? JSON.parse(text, markInexact as (key: string, value: unknown) => unknown)
      : JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  request.bodyCache.json = Promise.resolve(value);
  return value;
}

/**
 * Refuses text that PostgreSQL cannot hold: a NUL in a query parameter, or a NUL or a lone
 * surrogate anywhere in a JSON body (keys too), would otherwise fail deep inside a query, as a
 * 500; so would a body nested too deep for the code that walks it. Checks the inputs the route
 * declares (its query parameters by name, its JSON body) and answers 422 naming each place.
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
      const body = await jsonBody(c.req);
      // Parsing, this walk and the validator's each take a turn of their own on a large body.
      await nextTurn();
      await findUnstorable(body, found);
      await nextTurn();
    }
    if (found.length) return problem(c, 422, summarise(found), { errors: found });
    await next();
  };
}
