import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { problem } from './problem.ts';
import { missingBody, summarise, validationErrors } from './validation.ts';

/**
 * Refuses a request without a body where the route needs one. Without it, Hono's JSON
 * validator checks `{}` in its place, and an empty PATCH would pass for a change.
 */
const requireBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if ((await c.req.arrayBuffer()).byteLength === 0) return missingBody(c);
  await next();
};

function withRequiredBody<R extends RouteConfig>(route: R): R {
  if (!route.request?.body?.required) return route;
  const own = route.middleware ?? [];
  return { ...route, middleware: [...(Array.isArray(own) ? own : [own]), requireBody] };
}

/** Every router is built here so that invalid input gets the same 422 problem everywhere. */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = validationErrors(result.error, result.target);
      return problem(c, 422, summarise(errors), { errors });
    },
  });
  const register = router.openapi.bind(router);
  router.openapi = ((route, handler, hook) =>
    register(withRequiredBody(route), handler, hook)) as typeof router.openapi;
  return router;
}

export type Router = ReturnType<typeof createRouter>;
