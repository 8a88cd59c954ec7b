import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.ts';
import { problem } from './problem.ts';
import { summarise, validationErrors } from './validation.ts';

/** Every router is built here so that invalid input gets the same 422 problem everywhere. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = validationErrors(result.error, result.target);
      return problem(c, 422, summarise(errors), { errors });
    },
  });
}

export type Router = ReturnType<typeof createRouter>;
