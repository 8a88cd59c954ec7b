import type { components } from './schema.ts';

/** An error answer of the API: an `application/problem+json` document (RFC 9457). */
export type Problem = components['schemas']['Problem'];
/** One wrong field of a 422 answer: `loc` says where (`body`, `query`, `path` or `header`, then the field path). */
export type ValidationErrorItem = components['schemas']['ValidationErrorItem'];

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const { type, title, status } = body as Record<string, unknown>;
  return typeof type === 'string' && typeof title === 'string' && typeof status === 'number';
}

/** One line, then each wrong field that the detail does not already spell out. */
function describe(problem: Problem): string {
  const fields = (problem.errors ?? [])
    .map((item) => `${item.loc.join('.')}: ${item.msg}`)
    .filter((field) => !problem.detail.includes(field));
  return [`${problem.status} ${problem.title}: ${problem.detail}`, ...fields].join('\n  ');
}

/** A request the API refused or failed: the problem document it answered with, as fields. */
export class ChartroomError extends Error {
  override readonly name = 'ChartroomError';
  readonly status: number;
  /** A URI naming the kind of problem, stable enough to branch on. */
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** For invalid input (422): one item per wrong field; empty otherwise. */
  readonly errors: ValidationErrorItem[];
  /** The request's `X-Request-Id`, to quote when asking for help. */
  readonly requestId: string | undefined;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(describe(problem));
    this.problem = problem;
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.requestId = problem.request_id;
  }

  /**
   * From a failed response and its body as openapi-fetch read it: the API's problem document,
   * or whatever something in between (a proxy, a load balancer) answered instead.
   */
  static fromResponse(response: Response, body: unknown): ChartroomError {
    if (isProblem(body)) return new ChartroomError(body);
    const title = response.statusText || `HTTP ${response.status}`;
    const text = typeof body === 'string' ? body.trim().slice(0, 500) : '';
    return new ChartroomError({
      type: 'about:blank',
      title,
      status: response.status,
      detail: text || title,
    });
  }
}

/** What every openapi-fetch call resolves to: data on success, the parsed error body otherwise. */
interface FetchOutcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful call, or a thrown {@link ChartroomError}:
 * `const chart = await unwrap(chartroom.GET('/v1/charts/{id}', { params: { path: { id } } }))`.
 */
export async function unwrap<T>(call: Promise<FetchOutcome<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw ChartroomError.fromResponse(response, error);
  return data as T;
}
