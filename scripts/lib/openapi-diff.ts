/**
 * What a pull request changes in the contract, for its reviewers: operations added, operations
 * changed (and how), and the changes that would break a client of the base branch's contract.
 */
import { type BreakingChange, findBreakingChanges } from './openapi-breaking.ts';

type Json = Record<string, unknown>;

export interface Operation {
  /** `GET /v1/datasets` */
  where: string;
  operationId?: string;
  summary?: string;
}

export interface ChangedOperation extends Operation {
  changes: string[];
}

export interface ContractDiff {
  added: Operation[];
  removed: Operation[];
  changed: ChangedOperation[];
  breaking: BreakingChange[];
}

/** Marks the pull-request comment, so the next run updates it instead of adding another. */
export const COMMENT_MARKER = '<!-- chartroom:openapi-diff -->';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value with every local `$ref` replaced by what it points to (a cycle keeps its `$ref`). */
function inline(document: Json, value: unknown, open: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => inline(document, item, open));
  if (!isObject(value)) return value;
  const ref = value.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    if (open.includes(ref)) return { $ref: ref };
    let target: unknown = document;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      target = isObject(target) ? target[key] : undefined;
    }
    return inline(document, target, [...open, ref]);
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, inline(document, item, open)]),
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function operationsOf(document: Json): Map<string, { operation: Json; parameters: unknown[] }> {
  const operations = new Map<string, { operation: Json; parameters: unknown[] }>();
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = inline(document, rawItem);
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const own = Array.isArray(operation.parameters) ? operation.parameters : [];
      operations.set(`${method.toUpperCase()} ${path}`, {
        operation,
        parameters: [...shared, ...own],
      });
    }
  }
  return operations;
}

function describe(where: string, operation: Json): Operation {
  return {
    where,
    ...(typeof operation.operationId === 'string' ? { operationId: operation.operationId } : {}),
    ...(typeof operation.summary === 'string' ? { summary: operation.summary } : {}),
  };
}

function keyed(parameters: unknown[]): Map<string, Json> {
  const byKey = new Map<string, Json>();
  for (const parameter of parameters) {
    if (isObject(parameter))
      byKey.set(`${parameter.in} parameter \`${parameter.name}\``, parameter);
  }
  return byKey;
}

/** Which of two objects' own keys hold different values: where to look in a change. */
function differingKeys(a: unknown, b: unknown): string[] {
  if (!isObject(a) || !isObject(b)) return [];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => !same(a[key], b[key])).sort();
}

/** Added, removed and changed entries of two maps, as "<label> added" and so on. */
function compareEntries(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const changes: string[] = [];
  for (const [label, value] of after) {
    if (!before.has(label)) changes.push(`${label} added`);
    else if (!same(before.get(label), value)) {
      const parts = differingKeys(before.get(label), value);
      changes.push(`${label} changed${parts.length ? ` (${parts.join(', ')})` : ''}`);
    }
  }
  for (const label of before.keys()) if (!after.has(label)) changes.push(`${label} removed`);
  return changes;
}

function responsesOf(operation: Json): Map<string, unknown> {
  const responses = isObject(operation.responses) ? operation.responses : {};
  return new Map(Object.entries(responses).map(([status, value]) => [`response ${status}`, value]));
}

function operationChanges(
  before: { operation: Json; parameters: unknown[] },
  after: { operation: Json; parameters: unknown[] },
): string[] {
  const changes = [
    ...compareEntries(keyed(before.parameters), keyed(after.parameters)),
    ...compareEntries(
      new Map(before.operation.requestBody ? [['request body', before.operation.requestBody]] : []),
      new Map(after.operation.requestBody ? [['request body', after.operation.requestBody]] : []),
    ),
    ...compareEntries(responsesOf(before.operation), responsesOf(after.operation)),
  ];
  const described = new Set(['parameters', 'requestBody', 'responses']);
  const keys = new Set([...Object.keys(before.operation), ...Object.keys(after.operation)]);
  for (const key of [...keys].filter((k) => !described.has(k)).sort()) {
    if (!same(before.operation[key], after.operation[key])) changes.push(`\`${key}\` changed`);
  }
  return changes;
}

export function diffContracts(before: Json, after: Json): ContractDiff {
  const beforeOps = operationsOf(before);
  const afterOps = operationsOf(after);
  const diff: ContractDiff = {
    added: [],
    removed: [],
    changed: [],
    breaking: findBreakingChanges(before, after),
  };
  for (const [where, next] of afterOps) {
    const previous = beforeOps.get(where);
    if (!previous) {
      diff.added.push(describe(where, next.operation));
      continue;
    }
    const changes = operationChanges(previous, next);
    if (changes.length > 0) diff.changed.push({ ...describe(where, next.operation), changes });
  }
  for (const [where, previous] of beforeOps) {
    if (!afterOps.has(where)) diff.removed.push(describe(where, previous.operation));
  }
  return diff;
}

function operationLine({ where, operationId, summary }: Operation): string {
  const id = operationId ? ` \`${operationId}\`` : '';
  return `- \`${where}\`${id}${summary ? `: ${summary}` : ''}`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The pull-request comment: a summary line, then one section per kind of change. */
export function diffMarkdown(diff: ContractDiff, file = 'openapi/v1.json'): string {
  const lines = [COMMENT_MARKER, `### API contract changes (\`${file}\`)`, ''];
  const { added, removed, changed, breaking } = diff;
  if (added.length + removed.length + changed.length + breaking.length === 0) {
    lines.push('No changes to the API contract.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    [
      `${count(added.length, 'operation')} added`,
      `${changed.length} changed`,
      `${removed.length} removed`,
      count(breaking.length, 'breaking change'),
    ].join(' · '),
  );
  if (breaking.length > 0) {
    lines.push('', `#### Breaking changes (${breaking.length})`, '');
    lines.push('Clients written against the base branch would fail on these:', '');
    for (const change of breaking) lines.push(`- ${change.message} (\`${change.rule}\`)`);
  }
  if (added.length > 0) {
    lines.push('', `#### Added operations (${added.length})`, '');
    for (const operation of added) lines.push(operationLine(operation));
  }
  if (changed.length > 0) {
    lines.push('', `#### Changed operations (${changed.length})`, '');
    for (const operation of changed) {
      lines.push(operationLine(operation));
      for (const change of operation.changes) lines.push(`  - ${change}`);
    }
  }
  if (removed.length > 0) {
    lines.push('', `#### Removed operations (${removed.length})`, '');
    for (const operation of removed) lines.push(operationLine(operation));
  }
  return `${lines.join('\n')}\n`;
}
