import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { problem, type ValidationErrorItem } from './problem.ts';

const MISSING = 'Field required';

// Zod reports a missing field as a type error; name it the way FastAPI clients expect.
z.config({
  customError: (issue) =>
    issue.code === 'invalid_type' && issue.input === undefined ? MISSING : undefined,
});

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
