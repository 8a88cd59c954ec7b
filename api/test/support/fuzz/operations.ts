import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { deeplyNested, LONE_SURROGATE_BODIES } from './edge-values.ts';
import { invalidArbitraryFor } from './invalid-arbitrary.ts';
import {
  arbitraryFor,
  HOSTILE_STRINGS,
  type JsonSchema,
  type SchemaArbitraryOptions,
} from './schema-arbitrary.ts';

const documentPath = path.resolve(import.meta.dirname, '../../../../openapi/v1.json');

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

interface RawOperation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

interface Document {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, JsonSchema> };
}

export const contract = JSON.parse(readFileSync(documentPath, 'utf8')) as Document;

const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats.default(ajv);
// As in contract.ts: ajv-formats has no internationalised email.
ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
ajv.addSchema(contract, 'v1');

export function resolveRef(ref: string): JsonSchema {
  const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
  const schema = match ? contract.components.schemas[match[1] as string] : undefined;
  if (!schema) throw new Error(`the fuzzer cannot resolve ${ref}`);
  return schema;
}

/** Whether a value satisfies a schema of the contract, named by its JSON pointer. */
export function satisfies(pointer: string, value: unknown): boolean {
  const validate = ajv.getSchema(`v1#${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer}`);
  return validate(value) as boolean;
}

export const escapePointer = (part: string) => part.replaceAll('~', '~0').replaceAll('/', '~1');

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  parameters: Parameter[];
  body?: {
    required: boolean;
    content: Record<string, { schema: JsonSchema; pointer: string }>;
  };
  /** Credentials are optional (an empty requirement) or not asked for at all. */
  anonymousAllowed: boolean;
  acceptsBearer: boolean;
  /** The content types a successful answer may have, to send as `Accept`. */
  produces: string[];
}

/** Every operation of the committed contract, in document order. */
export const operations: Operation[] = Object.entries(contract.paths).flatMap(([template, item]) =>
  Object.entries(item).map(([method, raw]) => {
    const security = raw.security ?? [];
    const body = raw.requestBody;
    return {
      operationId: raw.operationId,
      method: method.toUpperCase(),
      template,
      parameters: raw.parameters ?? [],
      body: body && {
        required: body.required ?? false,
        content: Object.fromEntries(
          Object.entries(body.content).map(([type, { schema }]) => [
            type,
            {
              schema,
              pointer: `/${['paths', template, method, 'requestBody', 'content', type, 'schema'].map(escapePointer).join('/')}`,
            },
          ]),
        ),
      },
      anonymousAllowed:
        security.length === 0 || security.some((req) => Object.keys(req).length === 0),
      acceptsBearer: security.some((req) => 'bearerAuth' in req),
      produces: [
        ...new Set(
          Object.entries(raw.responses)
            .filter(([status]) => status.startsWith('2'))
            .flatMap(([, response]) => Object.keys(response.content ?? {})),
        ),
      ],
    };
  }),
);

export const CALLERS = [
  'anonymous',
  'owner-session',
  'owner-key',
  'owner-read-key',
  'stranger-session',
  'revoked-key',
  'malformed-key',
] as const;
export type Caller = (typeof CALLERS)[number];

/** One generated request, in terms the world turns into a real one (see world.ts). */
export interface FuzzRequest {
  caller: Caller;
  /** `Origin` as a browser would send it: none, the web app's, or another site's. */
  origin?: string;
  accept?: string;
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  /** The body as sent; bytes without a Content-Type when `contentType` is absent. */
  body?: { contentType?: string; text: string };
  /** For invalid requests: what the contract says is wrong with it. */
  broken?: string;
}

export interface GeneratorOptions extends Omit<SchemaArbitraryOptions, 'resolve'> {
  /** The largest JSON body the app under test accepts (its BODY_LIMIT_BYTES). */
  bodyLimit: number;
  allowedOrigin: string;
}

const MALFORMED_JSON = [
  '',
  '{',
  '{"name":',
  '{"a":1}}',
  "{'name':'x'}",
  '{"name":"x",}',
  '[1,2',
  'nul',
  'undefined',
  '\u0000',
  '{"name":"\\ud800"',
  '\ufeff{}x',
];
const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/octet-stream',
  'image/png',
];

/** Text sent in a query string or path: integers, booleans and arrays as the URL spells them. */
function serialise(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(serialise);
  if (value === null || value === undefined) return [];
  return [typeof value === 'string' ? value : JSON.stringify(value)];
}

/** Text a header can carry unchanged: visible ASCII, inner spaces (fetch trims the ends). */
const isHeaderValue = (text: string) => /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/.test(text);

/** Strings a parameter's schema refuses, as they travel in a URL or a header. */
export function invalidParameterTexts(schema: JsonSchema): string[] {
  const node = schema.$ref ? resolveRef(schema.$ref) : schema;
  if (node.enum) return ['not-in-enum', `${String(node.enum[0]).toUpperCase()}!`];
  switch (node.type) {
    case 'integer':
    case 'number': {
      const texts = ['abc', '12abc', '1e999', '--1'];
      if (node.type === 'integer') texts.push(`${node.minimum ?? 0}.5`);
      if (node.minimum !== undefined) texts.push(String(node.minimum - 1));
      if (node.maximum !== undefined) texts.push(String(node.maximum + 1));
      return texts;
    }
    case 'boolean':
      return ['maybe', '2'];
    case 'string': {
      const texts: string[] = [];
      if (node.maxLength !== undefined) texts.push('x'.repeat(node.maxLength + 1));
      if (node.minLength) texts.push('x'.repeat(node.minLength - 1));
      if (node.format === 'uuid') texts.push('not-a-uuid', '12345', `${'0'.repeat(32)}zz`);
      return texts;
    }
    case 'array':
      return node.items ? invalidParameterTexts(node.items) : [];
    default:
      return [];
  }
}

function csvArbitrary(options: GeneratorOptions): fc.Arbitrary<string> {
  const words = options.hints?.({ type: 'string' }, 'csv') ?? [];
  const cell = fc.oneof(
    fc.constantFrom(...words, '', '1', '2.5', 'true', '2024-02-29', '"quoted, with comma"'),
    fc.string({ maxLength: 12 }),
    fc.constantFrom(...HOSTILE_STRINGS),
  );
  const table = fc
    .tuple(
      fc.uniqueArray(
        fc.oneof(
          fc.constantFrom(...words),
          fc.string({ maxLength: 8 }),
          fc.constantFrom(...HOSTILE_STRINGS),
        ),
        {
          minLength: 1,
          maxLength: 5,
        },
      ),
      fc.nat({ max: 5 }),
      fc.constantFrom(',', ';', '\t'),
      fc.constantFrom('\n', '\r\n'),
    )
    .chain(([header, rows, separator, newline]) =>
      fc
        .array(fc.array(cell, { minLength: header.length, maxLength: header.length }), {
          minLength: rows,
          maxLength: rows,
        })
        .map((body) =>
          [header, ...body]
            .map((line) => line.join(separator))
            .join(newline)
            .concat(newline),
        ),
    );
  return fc.oneof({ arbitrary: table, weight: 4 }, { arbitrary: fc.string(), weight: 1 });
}

function parametersArbitrary(
  operation: Operation,
  options: SchemaArbitraryOptions,
): fc.Arbitrary<Pick<FuzzRequest, 'path' | 'query' | 'headers'>> {
  const entries = operation.parameters.map((parameter) => {
    const where = `${operation.template} ${parameter.name}`;
    let value = arbitraryFor(parameter.schema, { ...options, where }).map(serialise);
    if (parameter.in === 'header') value = value.filter((texts) => texts.every(isHeaderValue));
    return parameter.required || parameter.in === 'path'
      ? value
      : fc.option(value, { nil: undefined, freq: 2 });
  });
  return fc.tuple(...entries).map((values) => {
    const request = { path: {}, query: [], headers: {} } as Pick<
      FuzzRequest,
      'path' | 'query' | 'headers'
    >;
    operation.parameters.forEach((parameter, index) => {
      const texts = values[index];
      if (texts === undefined) return;
      if (parameter.in === 'path') request.path[parameter.name] = texts.join(',');
      if (parameter.in === 'query')
        for (const text of texts) request.query.push([parameter.name, text]);
      if (parameter.in === 'header' && texts.length)
        request.headers[parameter.name] = texts.join(',');
    });
    return request;
  });
}

function bodyArbitrary(
  operation: Operation,
  options: GeneratorOptions,
): fc.Arbitrary<FuzzRequest['body']> {
  const body = operation.body;
  if (!body) return fc.constant(undefined);
  const schemaOptions = { ...options, resolve: resolveRef, where: operation.template };
  const variants = Object.entries(body.content).map(([type, { schema }]) => {
    if (type === 'application/json') {
      return fc
        .tuple(
          arbitraryFor(schema, schemaOptions),
          fc.constantFrom('application/json', 'application/json; charset=utf-8'),
        )
        .map(([value, contentType]) => ({ contentType, text: JSON.stringify(value) }));
    }
    const text = type === 'text/csv' ? csvArbitrary(options) : fc.string();
    return text.map((value) => ({ contentType: type, text: value }));
  });
  const some = fc.oneof(...variants);
  return body.required ? some : fc.option(some, { nil: undefined, freq: 6 });
}

function callerArbitrary(operation: Operation): fc.Arbitrary<Caller> {
  return fc.oneof(
    { arbitrary: fc.constantFrom<Caller>('owner-session', 'owner-key'), weight: 6 },
    { arbitrary: fc.constantFrom<Caller>(...CALLERS), weight: operation.anonymousAllowed ? 4 : 2 },
  );
}

/** Requests the contract allows: every parameter and body within its schema. */
export function validRequests(
  operation: Operation,
  options: GeneratorOptions,
): fc.Arbitrary<FuzzRequest> {
  const schemaOptions = { ...options, resolve: resolveRef, where: operation.template };
  return fc
    .record({
      caller: callerArbitrary(operation),
      origin: fc.constantFrom(undefined, undefined, options.allowedOrigin, 'https://evil.example'),
      accept: fc.constantFrom(undefined, '*/*', ...operation.produces),
      parameters: parametersArbitrary(operation, schemaOptions),
      body: bodyArbitrary(operation, options),
    })
    .map(({ parameters, ...rest }) => ({ ...rest, ...parameters }));
}

/**
 * Requests the contract refuses, each broken in one way: a parameter out of its schema, a body
 * that does not match (checked against the contract), malformed JSON, a content type the
 * operation does not take, a missing or too large body, or credentials that are no API key.
 */
export function invalidRequests(
  operation: Operation,
  options: GeneratorOptions,
): fc.Arbitrary<FuzzRequest> | undefined {
  const schemaOptions = { ...options, resolve: resolveRef, where: operation.template };
  const base = validRequests(operation, options);
  const mutations: fc.Arbitrary<FuzzRequest>[] = [];

  for (const parameter of operation.parameters) {
    const texts = invalidParameterTexts(parameter.schema);
    if (!texts.length) continue;
    mutations.push(
      fc.tuple(base, fc.constantFrom(...texts)).map(([request, text]) => {
        const broken = `${parameter.in} parameter ${parameter.name}`;
        if (parameter.in === 'path')
          return { ...request, path: { ...request.path, [parameter.name]: text }, broken };
        if (parameter.in === 'header')
          return { ...request, headers: { ...request.headers, [parameter.name]: text }, broken };
        const query = request.query.filter(([name]) => name !== parameter.name);
        return {
          ...request,
          query: [...query, [parameter.name, text] as [string, string]],
          broken,
        };
      }),
    );
  }

  const json = operation.body?.content['application/json'];
  if (json) {
    const bad = invalidArbitraryFor(json.schema, schemaOptions);
    if (bad) {
      mutations.push(
        fc
          .tuple(base, bad)
          .filter(([, value]) => !satisfies(json.pointer, value))
          .map(([request, value]) => ({
            ...request,
            body: { contentType: 'application/json', text: JSON.stringify(value) },
            broken: 'body does not match its schema',
          })),
      );
    }
    mutations.push(
      fc.tuple(base, fc.constantFrom(...MALFORMED_JSON)).map(([request, text]) => ({
        ...request,
        body: { contentType: 'application/json', text },
        broken: 'malformed JSON',
      })),
      fc
        .tuple(
          base,
          fc.constantFrom(deeplyNested(65), deeplyNested(20_000), ...LONE_SURROGATE_BODIES),
        )
        .map(([request, text]) => ({
          ...request,
          body: { contentType: 'application/json', text },
          broken: 'JSON nested too deep, or with a lone surrogate',
        })),
      fc.tuple(base, arbitraryFor(json.schema, schemaOptions)).map(([request, value]) => ({
        ...request,
        body: {
          contentType: 'application/json',
          text: JSON.stringify({ ...(value as object), padding: 'x'.repeat(options.bodyLimit) }),
        },
        broken: 'body over the size limit',
      })),
    );
  }
  const body = operation.body;
  if (body) {
    const accepted = Object.keys(body.content);
    const wrongTypes = WRONG_CONTENT_TYPES.filter((type) => !accepted.includes(type));
    mutations.push(
      fc
        .tuple(base, fc.constantFrom<string | undefined>(...wrongTypes, undefined))
        .map(([request, contentType]) => ({
          ...request,
          body: { contentType, text: request.body?.text ?? '{}' },
          broken: `content type ${contentType ?? '(none)'}`,
        })),
    );
    if (body.required) {
      mutations.push(base.map((request) => ({ ...request, body: undefined, broken: 'no body' })));
    }
  }
  if (operation.acceptsBearer) {
    mutations.push(
      fc
        .tuple(base, fc.constantFrom<Caller>('revoked-key', 'malformed-key'))
        .map(([request, caller]) => ({ ...request, caller, broken: `credentials: ${caller}` })),
    );
  }
  return mutations.length ? fc.oneof(...mutations) : undefined;
}
