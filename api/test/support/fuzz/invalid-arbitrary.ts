import fc from 'fast-check';
import {
  arbitraryFor,
  type JsonSchema,
  mergeAll,
  type SchemaArbitraryOptions,
} from './schema-arbitrary.ts';

/** One value of each JSON type, and the schema types that would accept it. */
const SAMPLES: { value: unknown; acceptedBy: string[] }[] = [
  { value: 'text', acceptedBy: ['string'] },
  { value: 7, acceptedBy: ['integer', 'number'] },
  { value: 1.5, acceptedBy: ['number'] },
  { value: -1e308, acceptedBy: ['number'] },
  { value: true, acceptedBy: ['boolean'] },
  { value: null, acceptedBy: ['null'] },
  { value: { nested: ['object'] }, acceptedBy: ['object'] },
  { value: [1, 'two', null], acceptedBy: ['array'] },
];

const BAD_FORMATS: Record<string, string[]> = {
  uuid: [
    'not-a-uuid',
    '0b5a3f4e-2c1d-4e8f-9a7b-6c5d4e3f2a1',
    '0b5a3f4e2c1d4e8f9a7b6c5d4e3f2a1bff',
    '',
  ],
  'date-time': ['yesterday', '2024-13-45T99:99:99Z', '2024-01-01'],
  date: ['01/02/2024', '2024-02-30x'],
  email: ['no-at-sign', '@', 'a@', 'a b@c d'],
  'idn-email': ['no-at-sign', '@', 'a@', 'a b@c d'],
};

function resolve(schema: JsonSchema, options: SchemaArbitraryOptions): JsonSchema {
  if (schema.$ref) {
    const { $ref, ...siblings } = schema;
    return resolve({ ...options.resolve($ref), ...siblings }, options);
  }
  if (schema.allOf) {
    const { allOf, ...rest } = schema;
    return mergeAll([rest, ...allOf.map((part) => resolve(part, options))]);
  }
  return schema;
}

/** The JSON types a schema admits, or undefined when it does not say (then anything goes). */
function acceptedTypes(schema: JsonSchema, options: SchemaArbitraryOptions): string[] | undefined {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const perBranch = branches.map((branch) => acceptedTypes(resolve(branch, options), options));
    if (perBranch.some((types) => types === undefined)) return undefined;
    return [...new Set(perBranch.flat() as string[])];
  }
  const types =
    schema.type === undefined
      ? undefined
      : Array.isArray(schema.type)
        ? schema.type
        : [schema.type];
  if (!types) {
    if (schema.properties) return ['object'];
    if (schema.items) return ['array'];
    return undefined;
  }
  return schema.nullable ? [...types, 'null'] : types;
}

/**
 * Values that break the schema at one place, anywhere in its depth: a wrong type, a value
 * outside an enum or a bound, a string too long or badly formatted, a missing required field,
 * a bad array item. Most are certainly invalid; where a union might still accept one, the
 * caller checks the whole value against the contract. Undefined when nothing can break it.
 */
export function invalidArbitraryFor(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
): fc.Arbitrary<unknown> | undefined {
  const node = resolve(schema, options);
  const candidates: fc.Arbitrary<unknown>[] = [];
  const types = acceptedTypes(node, options);
  if (types) {
    const wrong = SAMPLES.filter((sample) => !sample.acceptedBy.some((t) => types.includes(t)));
    if (wrong.length) candidates.push(fc.constantFrom(...wrong.map((sample) => sample.value)));
  }
  const branches = node.anyOf ?? node.oneOf;
  if (branches) {
    for (const branch of branches) {
      const broken = invalidArbitraryFor(branch, options);
      if (broken) candidates.push(broken);
    }
  } else if (node.enum) {
    const strings = node.enum.filter((value): value is string => typeof value === 'string');
    candidates.push(
      fc.constantFrom('not-in-enum', ...strings.map((value) => `${value.toUpperCase()}!`)),
    );
  } else if (types?.length === 1) {
    candidates.push(...brokenOfType(node, types[0] as string, options));
  }
  return candidates.length ? fc.oneof(...candidates) : undefined;
}

function brokenOfType(
  node: JsonSchema,
  type: string,
  options: SchemaArbitraryOptions,
): fc.Arbitrary<unknown>[] {
  switch (type) {
    case 'string': {
      const broken: string[] = [];
      if (node.maxLength !== undefined) broken.push('x'.repeat(node.maxLength + 1));
      if (node.minLength) broken.push('x'.repeat(node.minLength - 1));
      if (node.format) broken.push(...(BAD_FORMATS[node.format] ?? []));
      return broken.length ? [fc.constantFrom(...broken)] : [];
    }
    case 'integer':
    case 'number': {
      const broken: number[] = [];
      if (node.minimum !== undefined) broken.push(node.minimum - 1, -1e308);
      if (node.maximum !== undefined) broken.push(node.maximum + 1, 1e308);
      if (node.exclusiveMinimum !== undefined) broken.push(node.exclusiveMinimum);
      if (node.exclusiveMaximum !== undefined) broken.push(node.exclusiveMaximum);
      if (type === 'integer') broken.push((node.minimum ?? 0) + 0.5);
      return broken.length ? [fc.constantFrom(...broken)] : [];
    }
    case 'array':
      return brokenArrays(node, options);
    case 'object':
      return brokenObjects(node, options);
    default:
      return [];
  }
}

function brokenArrays(node: JsonSchema, options: SchemaArbitraryOptions): fc.Arbitrary<unknown>[] {
  const broken: fc.Arbitrary<unknown>[] = [];
  const item = node.items ?? {};
  const badItem = invalidArbitraryFor(item, options);
  const valid = arbitraryFor(node, options) as fc.Arbitrary<unknown[]>;
  if (badItem) {
    broken.push(
      fc
        .tuple(valid, badItem, fc.nat())
        .map(([items, bad, at]) => items.toSpliced(at % (items.length + 1), 0, bad)),
    );
  }
  if (node.minItems) {
    broken.push(
      fc.array(arbitraryFor(item, options), { minLength: 0, maxLength: node.minItems - 1 }),
    );
  }
  // A few more than allowed; past a hundred, the body limit answers first, which says nothing.
  if (node.maxItems !== undefined && node.maxItems <= 100) {
    broken.push(
      fc.array(arbitraryFor(item, options), {
        minLength: node.maxItems + 1,
        maxLength: node.maxItems + 1,
      }),
    );
  }
  return broken;
}

function brokenObjects(node: JsonSchema, options: SchemaArbitraryOptions): fc.Arbitrary<unknown>[] {
  const broken: fc.Arbitrary<unknown>[] = [];
  const valid = arbitraryFor(node, options) as fc.Arbitrary<Record<string, unknown>>;
  const required = node.required ?? [];
  if (required.length) {
    broken.push(
      fc.tuple(valid, fc.constantFrom(...required)).map(([value, missing]) => {
        const { [missing]: _, ...rest } = value;
        return rest;
      }),
    );
  }
  for (const [name, property] of Object.entries(node.properties ?? {})) {
    const bad = invalidArbitraryFor(property, options);
    if (bad)
      broken.push(fc.tuple(valid, bad).map(([value, wrong]) => ({ ...value, [name]: wrong })));
  }
  const extra = node.additionalProperties;
  if (extra === false) {
    broken.push(valid.map((value) => ({ ...value, unexpected_field: 1 })));
  } else if (extra && typeof extra === 'object') {
    const bad = invalidArbitraryFor(extra, options);
    if (bad) {
      broken.push(
        fc.tuple(valid, bad).map(([value, wrong]) => ({ ...value, fuzz_extra_column: wrong })),
      );
    }
  }
  return broken;
}
