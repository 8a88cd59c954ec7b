import { type RouteConfig, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from '../lib/problem.ts';
import { idempotency, REPLAYED_HEADER } from './idempotency.middleware.ts';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency-key.ts';

const IdempotencyKeyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(IDEMPOTENCY_KEY_MAX_LENGTH)
    .optional()
    .openapi('IdempotencyKey', {
      param: { name: 'Idempotency-Key', in: 'header' },
      description: `Makes a retry safe: a repeated request with the same key (and the same method, path, query and body) within the key's lifetime gets the first answer again, with \`${REPLAYED_HEADER}: true\`, instead of creating a second one. Keys are yours alone; pick a new random one (a UUID) for each new request. 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, bare or as a quoted string.`,
      example: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    }),
});

const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } };

const IDEMPOTENCY_RESPONSES = {
  400: {
    description: 'The `Idempotency-Key` header is malformed.',
    content: problemContent,
  },
  409: {
    description:
      'A request with the same `Idempotency-Key` is still in progress; retry after `Retry-After` seconds.',
    content: problemContent,
  },
  422: {
    description:
      'Some input is invalid; `errors` names each field. Also when the `Idempotency-Key` was already used for a different request (`errors` then names the header).',
    content: problemContent,
  },
};

const REPLAYED_RESPONSE_HEADER = {
  [REPLAYED_HEADER]: {
    description:
      '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.',
    schema: { type: 'string' as const, enum: ['true'] },
  },
};

/** Marks the documented successes as possibly replayed. */
function withReplayedHeader(responses: RouteConfig['responses']): RouteConfig['responses'] {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) =>
      /^2\d\d$/.test(status) && !('$ref' in response)
        ? [status, { ...response, headers: { ...response.headers, ...REPLAYED_RESPONSE_HEADER } }]
        : [status, response],
    ),
  );
}

/**
 * Makes a create operation retry-safe, in the contract and in fact at once: declares the
 * optional `Idempotency-Key` header and its 400/409/422 answers, and runs the idempotency
 * middleware after the route's own (authentication, rate limit), since keys belong to a user.
 */
export function idempotent<R extends RouteConfig>(
  route: R,
): Omit<R, 'request' | 'middleware'> & {
  request: NonNullable<R['request']> & { headers: typeof IdempotencyKeyHeaders };
  middleware: MiddlewareHandler[];
  responses: R['responses'] & typeof IDEMPOTENCY_RESPONSES;
} {
  const middleware =
    route.middleware === undefined
      ? []
      : Array.isArray(route.middleware)
        ? route.middleware
        : [route.middleware];
  return {
    ...route,
    request: { ...route.request, headers: IdempotencyKeyHeaders },
    middleware: [...middleware, idempotency()],
    responses: {
      ...(withReplayedHeader(route.responses) as R['responses']),
      ...IDEMPOTENCY_RESPONSES,
    },
  };
}
