import { describe, expect, it } from 'vitest';
import { findBreakingChanges } from './openapi-breaking.ts';

type Json = Record<string, unknown>;

/** A one-operation document: POST /things with the given parts. */
function doc({
  body,
  response = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  parameters = [],
  statuses = ['201', '422'],
  components = {},
}: {
  body?: Json;
  response?: Json;
  parameters?: Json[];
  statuses?: string[];
  components?: Json;
}): Json {
  const responses: Json = {};
  for (const status of statuses) {
    responses[status] = {
      description: status,
      content: { 'application/json': { schema: response } },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things': {
        post: {
          parameters,
          ...(body
            ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } }
            : {}),
          responses,
        },
      },
    },
    components: { schemas: components },
  };
}

const rules = (before: Json, after: Json) => findBreakingChanges(before, after).map((c) => c.rule);

describe('findBreakingChanges', () => {
  it('finds nothing between identical documents, or when things are only added', () => {
    const before = doc({});
    expect(findBreakingChanges(before, doc({}))).toEqual([]);
    const after = doc({
      statuses: ['201', '404', '422'],
      response: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' } },
        required: ['id', 'name'],
      },
      parameters: [{ name: 'q', in: 'query', required: false, schema: { type: 'string' } }],
    });
    expect(findBreakingChanges(before, after)).toEqual([]);
  });

  it('flags a removed path', () => {
    const after = { ...doc({}), paths: {} };
    expect(rules(doc({}), after)).toEqual(['path-removed']);
  });

  it('flags a removed operation', () => {
    const after = doc({});
    (after.paths as Json)['/things'] = { get: { responses: {} } };
    expect(rules(doc({}), after)).toEqual(['operation-removed']);
  });

  it('flags a removed response status code', () => {
    expect(rules(doc({}), doc({ statuses: ['201'] }))).toEqual(['response-status-removed']);
  });

  it('flags a removed response field and names it', () => {
    const before = doc({
      response: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          owner: { type: 'object', properties: { email: { type: 'string' } } },
        },
      },
    });
    const after = doc({
      response: {
        type: 'object',
        properties: { id: { type: 'string' }, owner: { type: 'object', properties: {} } },
      },
    });
    const changes = findBreakingChanges(before, after);
    expect(changes.map((c) => c.rule)).toEqual([
      'response-field-removed',
      'response-field-removed',
    ]);
    expect(changes[0]?.message).toContain('`owner.email`');
  });

  it('follows $ref into components when comparing response fields', () => {
    const before = doc({
      response: { $ref: '#/components/schemas/Thing' },
      components: {
        Thing: {
          type: 'object',
          properties: { id: { type: 'string' }, size: { type: 'integer' } },
        },
      },
    });
    const after = doc({
      response: { $ref: '#/components/schemas/Thing' },
      components: { Thing: { type: 'object', properties: { id: { type: 'string' } } } },
    });
    expect(findBreakingChanges(before, after)[0]?.message).toContain('`size` was removed');
  });

  it('flags a response field that is no longer always present', () => {
    const after = doc({
      statuses: ['201'],
      response: { type: 'object', properties: { id: { type: 'string' } } },
    });
    expect(rules(doc({ statuses: ['201'] }), after)).toEqual(['response-field-now-optional']);
  });

  it('flags a response field that may now be null', () => {
    const after = doc({
      statuses: ['201'],
      response: {
        type: 'object',
        properties: { id: { type: ['string', 'null'] } },
        required: ['id'],
      },
    });
    expect(rules(doc({ statuses: ['201'] }), after)).toEqual(['response-type-widened']);
  });

  it('flags a new required request field', () => {
    const before = doc({ body: { type: 'object', properties: { name: { type: 'string' } } } });
    const after = doc({
      body: {
        type: 'object',
        properties: { name: { type: 'string' }, kind: { type: 'string' } },
        required: ['kind'],
      },
    });
    const changes = findBreakingChanges(before, after);
    expect(changes.map((c) => c.rule)).toEqual(['request-field-now-required']);
    expect(changes[0]?.message).toContain('`kind`');
  });

  it('flags a new required parameter and an optional one made required', () => {
    const optional = { name: 'page', in: 'query', required: false, schema: { type: 'string' } };
    const before = doc({ parameters: [optional] });
    const after = doc({
      parameters: [
        { ...optional, required: true },
        { name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string' } },
      ],
    });
    expect(rules(before, after)).toEqual(['parameter-now-required', 'parameter-now-required']);
  });

  it('flags a narrowed request type, including number to integer', () => {
    const before = doc({ body: { type: 'object', properties: { size: { type: 'number' } } } });
    const after = doc({ body: { type: 'object', properties: { size: { type: 'integer' } } } });
    expect(rules(before, after)).toEqual(['request-type-narrowed']);
    // Widening input is fine.
    expect(rules(after, before)).toEqual([]);
  });

  it('flags a narrowed request enum, naming the value no longer accepted', () => {
    const before = doc({
      body: {
        type: 'object',
        properties: { visibility: { type: 'string', enum: ['private', 'public'] } },
      },
    });
    const after = doc({
      body: { type: 'object', properties: { visibility: { type: 'string', enum: ['private'] } } },
    });
    const changes = findBreakingChanges(before, after);
    expect(changes.map((c) => c.rule)).toEqual(['request-enum-narrowed']);
    expect(changes[0]?.message).toContain('"public"');
  });

  it('flags a request body that becomes required, and a removed request content type', () => {
    const withBody = doc({ body: { type: 'object' } });
    const optionalBody = structuredClone(withBody);
    const op = ((optionalBody.paths as Json)['/things'] as Json).post as Json;
    (op.requestBody as Json).required = false;
    expect(rules(optionalBody, withBody)).toEqual(['request-body-now-required']);
    const csvOnly = structuredClone(withBody);
    const csvOp = ((csvOnly.paths as Json)['/things'] as Json).post as Json;
    (csvOp.requestBody as Json).content = { 'text/csv': { schema: { type: 'string' } } };
    expect(rules(withBody, csvOnly)).toEqual(['request-content-removed']);
  });
});
