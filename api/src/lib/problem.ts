import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const ValidationErrorItemSchema = z
  .object({
    loc: z
      .array(z.union([z.string(), z.number().int()]))
      .describe(
        'Where the input was wrong: `body`, `query`, `path` or `header`, then the field path.',
      ),
    msg: z.string().describe('What is wrong, for a person.'),
    type: z.string().describe('A stable machine-readable code, e.g. `missing` or `invalid_type`.'),
  })
  .openapi('ValidationErrorItem');

export const ProblemSchema = z
  .object({
    type: z.string().describe('A URI reference naming the kind of problem (RFC 9457).'),
    title: z.string().describe('A short summary of the kind of problem.'),
    status: z.number().int().describe('The HTTP status code.'),
    detail: z.string().describe('What happened this time, for a person.'),
    instance: z.string().optional().describe('The path of the request that failed.'),
    request_id: z
      .string()
      .optional()
      .describe('The X-Request-Id of the request, to quote when asking for help.'),
    errors: z
      .array(ValidationErrorItemSchema)
      .optional()
      .describe('For invalid input (422): one item per wrong field.'),
  })
  .openapi('Problem', {
    example: {
      type: 'https://chartroom.dev/problems/validation-error',
      title: 'Invalid input',
      status: 422,
      detail: '1 field is invalid',
      instance: '/v1/example',
      request_id: '2f1c5c1e-8f3b-4c43-9d43-4b1ad2d1c3e5',
      errors: [{ loc: ['body', 'email'], msg: 'Field required', type: 'missing' }],
    },
  });

export type Problem = z.infer<typeof ProblemSchema>;
export type ValidationErrorItem = z.infer<typeof ValidationErrorItemSchema>;

/** The problem kinds the API answers with. `type` URIs are stable identifiers, part of v1. */
const PROBLEM_KINDS = {
  400: { slug: 'bad-request', title: 'Bad request' },
  401: { slug: 'unauthorized', title: 'Authentication required' },
  403: { slug: 'forbidden', title: 'Forbidden' },
  404: { slug: 'not-found', title: 'Not found' },
  405: { slug: 'method-not-allowed', title: 'Method not allowed' },
  408: { slug: 'request-timeout', title: 'Request timeout' },
  409: { slug: 'conflict', title: 'Conflict' },
  413: { slug: 'payload-too-large', title: 'Request body too large' },
  415: { slug: 'unsupported-media-type', title: 'Unsupported media type' },
  422: { slug: 'validation-error', title: 'Invalid input' },
  429: { slug: 'rate-limited', title: 'Too many requests' },
  431: { slug: 'headers-too-large', title: 'Request header fields too large' },
  500: { slug: 'internal-error', title: 'Internal server error' },
  503: { slug: 'unavailable', title: 'Service unavailable' },
} as const;

export type ProblemStatus = keyof typeof PROBLEM_KINDS;

export function problemType(status: ProblemStatus): string {
  return `https://chartroom.dev/problems/${PROBLEM_KINDS[status].slug}`;
}

export function problemBody(
  c: Context,
  status: ProblemStatus,
  detail: string,
  extra: { errors?: ValidationErrorItem[] } = {},
): Problem {
  const requestId = c.get('requestId') as string | undefined;
  return {
    type: problemType(status),
    title: PROBLEM_KINDS[status].title,
    status,
    detail,
    instance: c.req.path,
    ...(requestId ? { request_id: requestId } : {}),
    ...extra,
  };
}

/** Sends an RFC 9457 problem document. Every error the API gives goes through here. */
export function problem<S extends ProblemStatus>(
  c: Context,
  status: S,
  detail: string,
  extra: { errors?: ValidationErrorItem[]; headers?: Record<string, string> } = {},
) {
  const { headers = {}, ...body } = extra;
  // c.json keeps a Content-Type it is given, so the typed response carries the problem type.
  return c.json(problemBody(c, status, detail, body), status, {
    ...headers,
    'Content-Type': PROBLEM_CONTENT_TYPE,
  });
}

const STANDARD_DESCRIPTIONS: Record<ProblemStatus, string> = {
  400: 'The request could not be read.',
  401: 'No valid credentials were sent.',
  403: 'The credentials do not allow this.',
  404: 'There is nothing at this address, or it is not yours to see.',
  405: 'The method is not allowed here.',
  408: 'The request did not arrive in time (a stalled or too slow client).',
  409: 'The request conflicts with what is stored.',
  413: 'The body is larger than the configured limit.',
  415: 'The body is not in a format this operation accepts.',
  422: 'Some input is invalid; `errors` names each field.',
  429: 'Too many requests; retry after the `Retry-After` seconds.',
  431: 'The request headers are larger than the server accepts.',
  500: 'Something failed on our side; quote the `request_id` when asking for help.',
  503: 'A dependency (the database) is unavailable; retry later.',
};

/** The `responses` entries that document the given error statuses of an operation. */
export function problemResponses<const S extends ProblemStatus>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: STANDARD_DESCRIPTIONS[status],
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
      },
    ]),
  ) as {
    [K in S]: {
      description: string;
      content: { 'application/problem+json': { schema: typeof ProblemSchema } };
    };
  };
}
