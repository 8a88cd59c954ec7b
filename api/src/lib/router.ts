import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { refuseNulCharacters } from './nul-characters.ts';
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

/**
 * Checks that hold for every route, from what the route declares: a required body is there, and
 * no declared input carries text PostgreSQL cannot store. They run after the route's own
 * middleware, so an unauthenticated caller still gets its 401 first.
 */
function withInputGuards<R extends RouteConfig>(route: R): R {
  const guards: MiddlewareHandler<AppEnv>[] = [];
  const body = route.request?.body;
  if (body?.required) guards.push(requireBody);
  const query = route.request?.query;
  const queryNames = query && 'shape' in query ? Object.keys(query.shape as object) : [];
  const json = body?.content?.['application/json'] !== undefined;
  if (queryNames.length || json) guards.push(refuseNulCharacters({ query: queryNames, json }));
  if (!guards.length) return route;
  const own = route.middleware ?? [];
  return { ...route, middleware: [...(Array.isArray(own) ? own : [own]), ...guards] };
}

/**
 * Every router is built here so that invalid input gets the same 422 problem everywhere, and
 * every route the same input guards.
 */
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
    register(withInputGuards(route), handler, hook)) as typeof router.openapi;
  return router;
}

export type Router = ReturnType<typeof createRouter>;
