import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { problem, type ValidationErrorItem } from './problem.ts';

const MISSING = 'Field required';

type Issue = z.core.$ZodRawIssue;

const UNITS: Record<string, [one: string, many: string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  file: ['byte', 'bytes'],
};

const counted = (n: number | bigint, origin: string) => {
  const [one, many] = UNITS[origin] ?? ['', ''];
  return one ? `${n} ${Number(n) === 1 ? one : many}` : String(n);
};

const A_OR_AN = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

/**
 * Zod's messages in words a person reads in a form ("must be at least 10 characters"), not
 * its own ("Too small: expected string to have >=10 characters"). A message a schema gives
 * itself (an `error` option, a refine) is kept. A missing field reads as FastAPI's clients
 * expect it.
 */
function inWords(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return MISSING;
      return `must be ${A_OR_AN(String(issue.expected))}`;
    case 'too_small': {
      const n = issue.minimum as number | bigint;
      if (issue.origin === 'string' && Number(n) === 1) return 'must not be empty';
      if (issue.origin === 'array' && Number(n) === 1) return 'must hold at least one item';
      if (issue.origin in UNITS) return `must be at least ${counted(n, issue.origin)} long`;
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${n}`;
    }
    case 'too_big': {
      const n = issue.maximum as number | bigint;
      if (issue.origin in UNITS) return `may be at most ${counted(n, issue.origin)} long`;
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${n}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'uuid' ? 'must be a UUID' : `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k: string) => `"${k}"`).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

z.config({ customError: inWords });

/** Hono's validation targets, named as the `loc` of a FastAPI-style error. */
const LOCATIONS: Record<string, string> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

export function validationErrors(error: z.ZodError, target: string): ValidationErrorItem[] {
  const where = LOCATIONS[target] ?? target;
  return error.issues.map((issue) => ({
    loc: [where, ...issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part))],
    msg: issue.message,
    type: issue.code === 'invalid_type' && issue.message === MISSING ? 'missing' : issue.code,
  }));
}

/** A place named in the detail: a hostile key may be megabytes long, and `errors` has it whole. */
const shortened = (part: string | number) =>
  typeof part === 'string' && part.length > 60 ? `${part.slice(0, 57)}…` : part;

export function summarise(errors: ValidationErrorItem[]): string {
  const fields = [...new Set(errors.map((item) => item.loc.map(shortened).join('.')))];
  if (errors.length === 1) return `${fields[0]}: ${errors[0]?.msg}`;
  // One field may break several rules: the count is of fields, as the list that follows it.
  if (fields.length === 1) return `${fields[0]}: ${errors.map((item) => item.msg).join('; ')}`;
  return `${fields.length} fields are invalid: ${fields.join(', ')}`;
}

/** The 422 for a request that sends no body where the operation needs one. */
export function missingBody(c: Context) {
  const errors = [{ loc: ['body'], msg: 'Field required', type: 'missing' }];
  return problem(c, 422, summarise(errors), { errors });
}
