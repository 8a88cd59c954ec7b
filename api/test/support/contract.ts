import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Problem } from '../../src/lib/problem.ts';

const documentPath = path.resolve(import.meta.dirname, '../../../openapi/v1.json');

interface Operation {
  responses?: Record<
    string,
    { content?: Record<string, unknown>; headers?: Record<string, unknown> }
  >;
}

/**
 * Headers with a meaning for a client (where a thing went, when to retry, what to cache): each
 * one sent must be declared on the response. Transport and security headers, the same on every
 * answer (Content-Type, CSP, CORS…), are not the operation's to declare.
 */
const MEANINGFUL_HEADERS = [
  'location',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
  'x-request-id',
  'content-disposition',
  'etag',
  'cache-control',
  'idempotent-replayed',
  'www-authenticate',
  'set-cookie',
  'accept-encoding',
];

function assertHeadersDeclared(
  response: Response,
  declared: Record<string, unknown> | undefined,
  where: string,
): void {
  const names = new Set(Object.keys(declared ?? {}).map((name) => name.toLowerCase()));
  const undeclared = MEANINGFUL_HEADERS.filter(
    (name) => response.headers.has(name) && !names.has(name),
  );
  if (undeclared.length) {
    throw new Error(
      `${where}: sends header(s) the contract does not declare: ${undeclared.join(', ')}`,
    );
  }
}
type Document = { paths: Record<string, Record<string, Operation>> };

const document = JSON.parse(readFileSync(documentPath, 'utf8')) as Document;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
// ajv-formats has no internationalised email; the API accepts them (RFC 6531).
ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
ajv.addSchema(document, 'v1');

const escapePointer = (part: string) => part.replaceAll('~', '~0').replaceAll('/', '~1');

const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  literal: !template.includes('{'),
}));

function findTemplate(pathname: string): string | undefined {
  const matches = templates.filter((entry) => entry.pattern.test(pathname));
  return (matches.find((entry) => entry.literal) ?? matches[0])?.template;
}

/**
 * Fails unless the response is one the committed contract documents: the status is listed for
 * the operation, the content type is declared, and a JSON body matches its schema. Answers to
 * undocumented paths (unknown routes, the docs pages) must still be problem documents on error.
 */
export async function assertMatchesContract(
  response: Response,
  method: string,
  url: string,
): Promise<void> {
  const { pathname } = new URL(url, 'http://localhost');
  const status = response.status;
  const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
  const where = `${method.toUpperCase()} ${pathname} → ${status}`;
  const template = findTemplate(pathname);
  const operation = template ? document.paths[template]?.[method.toLowerCase()] : undefined;

  if (!operation) {
    if (status >= 400 && contentType !== 'application/problem+json') {
      throw new Error(`${where}: an error outside the contract must be application/problem+json`);
    }
    return;
  }
  const responses = operation.responses ?? {};
  const statusKey = String(status) in responses ? String(status) : 'default';
  const documented = responses[statusKey];
  if (!documented) {
    throw new Error(
      `${where}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`,
    );
  }
  assertHeadersDeclared(response, documented.headers, where);
  const body = await response.clone().text();
  const declared = Object.keys(documented.content ?? {});
  if (declared.length === 0) {
    if (body.length > 0) throw new Error(`${where}: documented without a body, but one was sent`);
    return;
  }
  if (!declared.includes(contentType)) {
    throw new Error(`${where}: content type "${contentType}" is not one of ${declared.join(', ')}`);
  }
  if (!/^application\/(?:[\w.-]+\+)?json$/.test(contentType)) return;
  const pointer = [
    'paths',
    template as string,
    method.toLowerCase(),
    'responses',
    statusKey,
    'content',
    contentType,
    'schema',
  ]
    .map(escapePointer)
    .join('/');
  const validate = ajv.getSchema(`v1#/${pointer}`);
  if (!validate) throw new Error(`${where}: no schema at ${pointer}`);
  if (!validate(JSON.parse(body))) {
    throw new Error(
      `${where}: body does not match the contract: ${ajv.errorsText(validate.errors)}\n${body}`,
    );
  }
}

interface RequestableApp {
  request: (input: string, init?: RequestInit) => Response | Promise<Response>;
}

/** `app.request()` that checks every answer against openapi/v1.json before handing it back. */
export function contractClient(app: RequestableApp) {
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await app.request(url, init);
    await assertMatchesContract(response, init.method ?? 'GET', url);
    return response;
  };
}

/** The body of a problem response, typed as the contract's Problem schema. */
export async function readProblem(response: Response): Promise<Problem> {
  return (await response.clone().json()) as Problem;
}
