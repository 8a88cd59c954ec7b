/**
 * Finds the changes between two OpenAPI 3.1 documents that would break an existing v1 client:
 * an operation or response it calls disappears, a field it reads is gone, or input it sends
 * today is refused tomorrow. No npm tool checks this reliably for 3.1, hence this module.
 */

type Json = Record<string, unknown>;
type Schema = Json;

export interface BreakingChange {
  rule:
    | 'path-removed'
    | 'operation-removed'
    | 'response-status-removed'
    | 'response-content-removed'
    | 'response-field-removed'
    | 'response-field-now-optional'
    | 'response-type-widened'
    | 'request-body-now-required'
    | 'request-content-removed'
    | 'request-field-now-required'
    | 'request-type-narrowed'
    | 'request-enum-narrowed'
    | 'parameter-now-required';
  where: string;
  message: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const MAX_DEPTH = 25;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function resolve(document: Json, value: unknown, seen = 0): Json | undefined {
  if (!isObject(value)) return undefined;
  const ref = value.$ref;
  if (typeof ref !== 'string' || seen > MAX_DEPTH) return value;
  if (!ref.startsWith('#/')) return value;
  let target: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    target = isObject(target) ? target[key] : undefined;
  }
  return resolve(document, target, seen + 1);
}

/** The schema's alternatives: itself, or each member of its anyOf/oneOf. */
function variants(document: Json, schema: Schema): Schema[] {
  const union = [schema.anyOf, schema.oneOf].find(Array.isArray) as unknown[] | undefined;
  if (!union) return [schema];
  return union.flatMap((member) => {
    const resolved = resolve(document, member);
    return resolved ? variants(document, resolved) : [];
  });
}

/** The JSON types a schema admits; `undefined` means "anything". */
function typesOf(document: Json, schema: Schema): Set<string> | undefined {
  const types = new Set<string>();
  for (const variant of variants(document, schema)) {
    const type = variant.type;
    if (type === undefined) {
      if ('const' in variant) types.add(jsonType(variant.const));
      else if (Array.isArray(variant.enum)) for (const v of variant.enum) types.add(jsonType(v));
      else return undefined;
    } else for (const t of Array.isArray(type) ? type : [type]) types.add(String(t));
  }
  // An integer is a number: integer → number widens, number → integer narrows.
  return types;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const admits = (types: Set<string>, type: string) =>
  types.has(type) || (type === 'integer' && types.has('number'));

function enumOf(document: Json, schema: Schema): unknown[] | undefined {
  const values: unknown[] = [];
  for (const variant of variants(document, schema)) {
    if (Array.isArray(variant.enum)) values.push(...variant.enum);
    else if ('const' in variant) values.push(variant.const);
    else if (variant.type === 'null') values.push(null);
    else return undefined;
  }
  return values;
}

/** The schemas whose properties make up this one: its union members and its allOf parts. */
function partsOf(document: Json, schema: Schema): Schema[] {
  const parts = [...variants(document, schema)];
  for (const member of Array.isArray(schema.allOf) ? schema.allOf : []) {
    const resolved = resolve(document, member);
    if (resolved) parts.push(resolved);
  }
  return parts;
}

function propertiesOf(document: Json, schema: Schema): Map<string, Schema> {
  const properties = new Map<string, Schema>();
  for (const part of partsOf(document, schema)) {
    if (!isObject(part.properties)) continue;
    for (const [name, value] of Object.entries(part.properties)) {
      const resolved = resolve(document, value);
      if (resolved) properties.set(name, resolved);
    }
  }
  return properties;
}

function requiredOf(document: Json, schema: Schema): Set<string> {
  const required = new Set<string>();
  for (const part of partsOf(document, schema)) {
    if (Array.isArray(part.required)) for (const name of part.required) required.add(String(name));
  }
  return required;
}

function itemsOf(document: Json, schema: Schema): Schema | undefined {
  for (const variant of variants(document, schema)) {
    const items = resolve(document, variant.items);
    if (items) return items;
  }
  return undefined;
}

type Direction = 'request' | 'response';

function compareSchemas(
  document: { before: Json; after: Json },
  before: Schema,
  after: Schema,
  direction: Direction,
  where: string,
  field: string,
  out: BreakingChange[],
  depth = 0,
): void {
  if (depth > MAX_DEPTH) return;
  const label = field || 'the body';
  const beforeTypes = typesOf(document.before, before);
  const afterTypes = typesOf(document.after, after);
  if (direction === 'request' && afterTypes) {
    const lost = beforeTypes
      ? [...beforeTypes].filter((t) => !admits(afterTypes, t))
      : ['anything else'];
    if (lost.length > 0) {
      out.push({
        rule: 'request-type-narrowed',
        where,
        message: `${where}: ${label} no longer accepts ${lost.join(', ')}`,
      });
    }
  }
  if (direction === 'response' && afterTypes) {
    const added = beforeTypes ? [...afterTypes].filter((t) => !admits(beforeTypes, t)) : [];
    if (added.length > 0) {
      out.push({
        rule: 'response-type-widened',
        where,
        message: `${where}: ${label} may now be ${added.join(', ')}`,
      });
    }
  }
  if (direction === 'request') {
    const beforeEnum = enumOf(document.before, before);
    const afterEnum = enumOf(document.after, after);
    if (afterEnum) {
      const removed = (beforeEnum ?? []).filter(
        (value) => !afterEnum.some((v) => JSON.stringify(v) === JSON.stringify(value)),
      );
      if (!beforeEnum || removed.length > 0) {
        out.push({
          rule: 'request-enum-narrowed',
          where,
          message: `${where}: ${label} no longer accepts ${beforeEnum ? removed.map((v) => JSON.stringify(v)).join(', ') : 'values outside a new enum'}`,
        });
      }
    }
  }

  const beforeProps = propertiesOf(document.before, before);
  const afterProps = propertiesOf(document.after, after);
  const beforeRequired = requiredOf(document.before, before);
  const afterRequired = requiredOf(document.after, after);
  const path = (name: string) => (field ? `${field}.${name}` : name);

  for (const [name, beforeProp] of beforeProps) {
    const afterProp = afterProps.get(name);
    if (direction === 'response') {
      if (!afterProp) {
        out.push({
          rule: 'response-field-removed',
          where,
          message: `${where}: response field \`${path(name)}\` was removed`,
        });
        continue;
      }
      if (beforeRequired.has(name) && !afterRequired.has(name)) {
        out.push({
          rule: 'response-field-now-optional',
          where,
          message: `${where}: response field \`${path(name)}\` is no longer always present`,
        });
      }
    }
    if (afterProp) {
      compareSchemas(document, beforeProp, afterProp, direction, where, path(name), out, depth + 1);
    }
  }
  if (direction === 'request') {
    for (const name of afterRequired) {
      if (!beforeRequired.has(name)) {
        out.push({
          rule: 'request-field-now-required',
          where,
          message: `${where}: request field \`${path(name)}\` is now required`,
        });
      }
    }
  }
  const beforeItems = itemsOf(document.before, before);
  const afterItems = itemsOf(document.after, after);
  if (beforeItems && afterItems) {
    compareSchemas(
      document,
      beforeItems,
      afterItems,
      direction,
      where,
      `${field || 'body'}[]`,
      out,
      depth + 1,
    );
  }
}

function parametersOf(document: Json, pathItem: Json, operation: Json): Map<string, Json> {
  const parameters = new Map<string, Json>();
  for (const list of [pathItem.parameters, operation.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const parameter = resolve(document, raw);
      if (parameter) parameters.set(`${parameter.in}:${parameter.name}`, parameter);
    }
  }
  return parameters;
}

function compareOperation(
  document: { before: Json; after: Json },
  where: string,
  before: { pathItem: Json; operation: Json },
  after: { pathItem: Json; operation: Json },
  out: BreakingChange[],
): void {
  // Parameters: a new required one, or an optional one made required, refuses today's calls.
  const beforeParams = parametersOf(document.before, before.pathItem, before.operation);
  const afterParams = parametersOf(document.after, after.pathItem, after.operation);
  for (const [key, parameter] of afterParams) {
    const old = beforeParams.get(key);
    if (parameter.required === true && old?.required !== true) {
      out.push({
        rule: 'parameter-now-required',
        where,
        message: `${where}: ${parameter.in} parameter \`${parameter.name}\` is now required`,
      });
    }
    const oldSchema = resolve(document.before, old?.schema);
    const newSchema = resolve(document.after, parameter.schema);
    if (oldSchema && newSchema) {
      compareSchemas(
        document,
        oldSchema,
        newSchema,
        'request',
        `${where} ${parameter.in} parameter`,
        String(parameter.name),
        out,
      );
    }
  }

  // Request body.
  const beforeBody = resolve(document.before, before.operation.requestBody);
  const afterBody = resolve(document.after, after.operation.requestBody);
  if (afterBody?.required === true && beforeBody?.required !== true) {
    out.push({
      rule: 'request-body-now-required',
      where,
      message: `${where}: a request body is now required`,
    });
  }
  if (beforeBody && afterBody) {
    const beforeContent = isObject(beforeBody.content) ? beforeBody.content : {};
    const afterContent = isObject(afterBody.content) ? afterBody.content : {};
    for (const [type, media] of Object.entries(beforeContent)) {
      const next = afterContent[type];
      if (!isObject(next)) {
        out.push({
          rule: 'request-content-removed',
          where,
          message: `${where}: request content type ${type} is no longer accepted`,
        });
        continue;
      }
      const a = resolve(document.before, (media as Json).schema);
      const b = resolve(document.after, next.schema);
      if (a && b) compareSchemas(document, a, b, 'request', `${where} request`, '', out);
    }
  }

  // Responses.
  const beforeResponses = isObject(before.operation.responses) ? before.operation.responses : {};
  const afterResponses = isObject(after.operation.responses) ? after.operation.responses : {};
  for (const [status, rawBefore] of Object.entries(beforeResponses)) {
    const responseBefore = resolve(document.before, rawBefore);
    const responseAfter = resolve(document.after, afterResponses[status]);
    if (!responseAfter) {
      out.push({
        rule: 'response-status-removed',
        where,
        message: `${where}: response status ${status} was removed`,
      });
      continue;
    }
    const beforeContent = isObject(responseBefore?.content) ? responseBefore.content : {};
    const afterContent = isObject(responseAfter.content) ? responseAfter.content : {};
    for (const [type, media] of Object.entries(beforeContent)) {
      const next = afterContent[type];
      if (!isObject(next)) {
        out.push({
          rule: 'response-content-removed',
          where,
          message: `${where}: response ${status} is no longer sent as ${type}`,
        });
        continue;
      }
      const a = resolve(document.before, (media as Json).schema);
      const b = resolve(document.after, next.schema);
      if (a && b) {
        compareSchemas(document, a, b, 'response', `${where} response ${status}`, '', out);
      }
    }
  }
}

export function findBreakingChanges(before: Json, after: Json): BreakingChange[] {
  const out: BreakingChange[] = [];
  const document = { before, after };
  const beforePaths = isObject(before.paths) ? before.paths : {};
  const afterPaths = isObject(after.paths) ? after.paths : {};
  for (const [path, rawItem] of Object.entries(beforePaths)) {
    const beforeItem = resolve(before, rawItem) ?? {};
    const afterItem = resolve(after, afterPaths[path]);
    if (!afterItem) {
      out.push({ rule: 'path-removed', where: path, message: `path ${path} was removed` });
      continue;
    }
    for (const method of METHODS) {
      const beforeOp = beforeItem[method];
      if (!isObject(beforeOp)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const afterOp = afterItem[method];
      if (!isObject(afterOp)) {
        out.push({ rule: 'operation-removed', where, message: `${where} was removed` });
        continue;
      }
      compareOperation(
        document,
        where,
        { pathItem: beforeItem, operation: beforeOp },
        { pathItem: afterItem, operation: afterOp },
        out,
      );
    }
  }
  return out;
}
