import fc from 'fast-check';
import { EDGE_NUMBER_TEXTS, EDGE_TIME_TEXTS, PROTOTYPE_NAMES } from './edge-values.ts';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it), loosely typed: it is read, never built. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  example?: unknown;
}

export interface SchemaArbitraryOptions {
  /** The schema a `$ref` such as `#/components/schemas/Filter` points to. */
  resolve: (ref: string) => JsonSchema;
  /**
   * Strings worth trying for a string schema (names the data really has, ids that exist): a
   * fuzzer that only sends random text never gets past the first lookup.
   */
  hints?: (schema: JsonSchema, where: string) => readonly string[];
  /** Where the schema sits (a parameter, say), passed on to `hints` with property names. */
  where?: string;
  /** The longest array generated, whatever `maxItems` allows: requests stay small and quick. */
  maxArrayLength?: number;
}

/**
 * Text that has broken servers before: SQL and template injection, path tricks, NUL and other
 * control characters, lone surrogates, right-to-left overrides, combining marks, emoji,
 * LIKE wildcards, numbers and keywords as text, and one long line.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '"; drop table users; --',
  "' OR '1'='1",
  'Robert\'); DROP TABLE "datasets";--',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template injection is the point.
  '${7*7}{{7*7}}',
  '../../../etc/passwd',
  '%00%2e%2e%2f',
  '\u0000',
  'a\u0000b',
  '\u0001\u0007\u001b[31m',
  '\t\r\n',
  '\ud800',
  'x\udfffy',
  '\u202egnp.exe',
  'e\u0301\u0301\u0301',
  '\u200b\ufeff',
  '👩‍👩‍👧‍👦🇫🇷',
  '𝕳𝖊𝖑𝖑𝖔',
  'Ελληνικά العربية 日本語',
  '%',
  '_',
  '\\',
  "'",
  '"',
  ':',
  ' ',
  '   ',
  'null',
  'true',
  'NaN',
  'Infinity',
  '-1',
  '1e308',
  '-0',
  '9223372036854775808',
  '2024-13-45',
  '0000-00-00T00:00:00Z',
  'x'.repeat(10_000),
  ...PROTOTYPE_NAMES,
  ...EDGE_NUMBER_TEXTS,
  ...EDGE_TIME_TEXTS,
];

const codePoints = (text: string) => [...text].length;

function typesOf(schema: JsonSchema): string[] | undefined {
  if (schema.type === undefined) return undefined;
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function fitsLength(schema: JsonSchema, text: string): boolean {
  const length = codePoints(text);
  return length >= (schema.minLength ?? 0) && length <= (schema.maxLength ?? Infinity);
}

/** Folds `allOf` into one schema: enough for the object compositions OpenAPI generators emit. */
export function mergeAll(schemas: JsonSchema[]): JsonSchema {
  const merged: JsonSchema = { properties: {}, required: [] };
  for (const { properties, required, ...rest } of schemas) {
    Object.assign(merged, rest);
    Object.assign(merged.properties as object, properties);
    merged.required?.push(...(required ?? []));
  }
  return merged;
}

/**
 * Values that satisfy the schema: generated from its type, enum, const, format, bounds,
 * pattern, composition and `$ref`s, mixed with the schema's own example, the caller's hints,
 * boundary values and hostile text.
 */
export function arbitraryFor(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
): fc.Arbitrary<unknown> {
  const build = (
    node: JsonSchema,
    refs: readonly string[],
    where: string,
  ): fc.Arbitrary<unknown> => {
    if (node.$ref) {
      if (refs.includes(node.$ref)) throw new Error(`recursive schema at ${node.$ref}`);
      const { $ref, ...siblings } = node;
      return build({ ...options.resolve($ref), ...siblings }, [...refs, $ref], where);
    }
    if (node.allOf) {
      const { allOf, ...rest } = node;
      return build(
        mergeAll([rest, ...allOf.map((part) => resolveDeep(part, options))]),
        refs,
        where,
      );
    }
    const branches = node.anyOf ?? node.oneOf;
    if (branches) {
      const { anyOf: _any, oneOf: _one, ...rest } = node;
      return fc.oneof(...branches.map((branch) => build({ ...rest, ...branch }, refs, where)));
    }
    if (node.nullable) {
      const { nullable: _, ...rest } = node;
      return fc.oneof(fc.constant(null), build(rest, refs, where));
    }
    if ('const' in node) return fc.constant(node.const);
    if (node.enum) return fc.constantFrom(...node.enum);
    const types = typesOf(node) ?? inferType(node);
    if (types.length > 1) {
      return fc.oneof(...types.map((type) => build({ ...node, type }, refs, where)));
    }
    const base = buildType(node, types[0] as string, where, (child, name) =>
      build(child, refs, name ?? where),
    );
    return node.example !== undefined ? fc.oneof(base, fc.constant(node.example)) : base;
  };

  const buildType = (
    node: JsonSchema,
    type: string,
    where: string,
    child: (schema: JsonSchema, name?: string) => fc.Arbitrary<unknown>,
  ): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'string':
        return stringArbitrary(node, options, where);
      case 'integer':
        return integerArbitrary(node);
      case 'number':
        return numberArbitrary(node);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const items = child(node.items ?? {});
        const minLength = node.minItems ?? 0;
        const maxLength = Math.max(
          minLength,
          Math.min(node.maxItems ?? Infinity, options.maxArrayLength ?? 4),
        );
        return node.uniqueItems
          ? fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
          : fc.array(items, { minLength, maxLength });
      }
      case 'object':
        return objectArbitrary(node, options, where, child);
      default:
        return fc.jsonValue();
    }
  };

  return build(schema, [], options.where ?? '');
}

function inferType(schema: JsonSchema): string[] {
  if (schema.properties || schema.additionalProperties) return ['object'];
  if (schema.items) return ['array'];
  // No type at all: any JSON value satisfies it.
  return ['any'];
}

/** Replaces a top-level `$ref` by its target, for merging; deeper ones resolve when built. */
function resolveDeep(schema: JsonSchema, options: SchemaArbitraryOptions): JsonSchema {
  if (!schema.$ref) return schema;
  const { $ref, ...siblings } = schema;
  return resolveDeep({ ...options.resolve($ref), ...siblings }, options);
}

const ISO_DATES = { min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z') };

function formatArbitrary(format: string | undefined): fc.Arbitrary<string> | undefined {
  switch (format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc
        .date({ ...ISO_DATES, noInvalidDate: true })
        .map((date) => date.toISOString())
        .chain((iso) =>
          fc.constantFrom(iso, iso.replace('.000Z', 'Z'), iso.replace('Z', '+02:00')),
        );
    case 'date':
      return fc
        .date({ ...ISO_DATES, noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10));
    case 'email':
    case 'idn-email':
      return fc.emailAddress();
    case 'uri':
    case 'url':
      return fc.webUrl();
    default:
      return undefined;
  }
}

function stringArbitrary(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  where: string,
): fc.Arbitrary<string> {
  const fits = (text: string) => fitsLength(schema, text);
  const formatted = formatArbitrary(schema.format);
  const hints = (options.hints?.(schema, where) ?? []).filter(fits);
  if (formatted) {
    // A format constrains too much for random text; hints (ids that exist) keep their value.
    return hints.length
      ? fc.oneof(
          { arbitrary: formatted, weight: 1 },
          { arbitrary: fc.constantFrom(...hints), weight: 3 },
        )
      : formatted;
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? Math.max(minLength, 40);
  const pattern = schema.pattern ? new RegExp(schema.pattern, 'u') : undefined;
  const matches = (text: string) => fits(text) && (!pattern || pattern.test(text));
  const candidates: fc.WeightedArbitrary<string>[] = [];
  if (pattern) {
    candidates.push({ arbitrary: fc.stringMatching(pattern).filter(fits), weight: 4 });
  } else {
    const bounded = { minLength, maxLength: Math.min(maxLength, minLength + 40) };
    candidates.push(
      { arbitrary: fc.string(bounded), weight: 3 },
      { arbitrary: fc.string({ ...bounded, unit: 'binary' }), weight: 1 },
    );
    if (schema.maxLength !== undefined) {
      candidates.push({ arbitrary: fc.constant('x'.repeat(schema.maxLength)), weight: 1 });
    }
  }
  const hostile = HOSTILE_STRINGS.filter(matches);
  if (hostile.length) candidates.push({ arbitrary: fc.constantFrom(...hostile), weight: 2 });
  const usableHints = hints.filter(matches);
  if (usableHints.length)
    candidates.push({ arbitrary: fc.constantFrom(...usableHints), weight: 8 });
  return fc.oneof(...candidates);
}

function bounds(schema: JsonSchema, step: number): { min: number; max: number } {
  const min =
    schema.exclusiveMinimum !== undefined
      ? schema.exclusiveMinimum + step
      : (schema.minimum ?? Number.MIN_SAFE_INTEGER);
  const max =
    schema.exclusiveMaximum !== undefined
      ? schema.exclusiveMaximum - step
      : (schema.maximum ?? Number.MAX_SAFE_INTEGER);
  return { min, max };
}

function integerArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const { min, max } = bounds(schema, 1);
  const low = Math.ceil(Math.max(min, Number.MIN_SAFE_INTEGER));
  const high = Math.floor(Math.min(max, Number.MAX_SAFE_INTEGER));
  const edges = [low, high, 0, 1, -1].filter((n) => n >= low && n <= high);
  return fc.oneof(
    { arbitrary: fc.integer({ min: low, max: high }), weight: 3 },
    { arbitrary: fc.constantFrom(...edges), weight: 1 },
  );
}

function numberArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const { min, max } = bounds(schema, Number.EPSILON);
  const finite = { noNaN: true, noDefaultInfinity: true };
  const low = Number.isFinite(min) ? Math.max(min, -Number.MAX_VALUE) : -Number.MAX_VALUE;
  const high = Number.isFinite(max) ? Math.min(max, Number.MAX_VALUE) : Number.MAX_VALUE;
  // The smallest denormals and the largest doubles: what PostgreSQL's float8 holds at its ends.
  const edges = [low, high, 0, 0.5, -1.5, 1e-300, Number.MIN_VALUE, -Number.MIN_VALUE].filter(
    (n) => n >= low && n <= high,
  );
  return fc.oneof(
    { arbitrary: fc.double({ ...finite, min: low, max: high }), weight: 3 },
    { arbitrary: fc.constantFrom(...edges), weight: 1 },
  );
}

function objectArbitrary(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  where: string,
  child: (schema: JsonSchema, name?: string) => fc.Arbitrary<unknown>,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const declared = fc.record(
    Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [name, child(property, name)]),
    ),
    { requiredKeys: (schema.required ?? []).filter((name) => name in properties) },
  ) as fc.Arbitrary<Record<string, unknown>>;
  const extra = schema.additionalProperties;
  if (!extra || typeof extra !== 'object') return declared;
  const keyHints = (options.hints?.({ type: 'string' }, where) ?? []).filter(
    (key) => !(key in properties),
  );
  const key = fc.oneof(
    ...(keyHints.length ? [fc.constantFrom(...keyHints)] : []),
    fc.constantFrom(...PROTOTYPE_NAMES),
    fc.string({ maxLength: 12 }),
  );
  const additional = fc
    .uniqueArray(
      fc.tuple(
        key.filter((name) => !Object.hasOwn(properties, name)),
        child(extra),
      ),
      {
        maxLength: options.maxArrayLength ?? 4,
        selector: ([name]) => name,
      },
    )
    .map((entries) => {
      // Defined, not assigned: `__proto__` must become a key of the JSON, not the prototype.
      const more: Record<string, unknown> = {};
      for (const [name, value] of entries) {
        Object.defineProperty(more, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return more;
    });
  return fc.tuple(declared, additional).map(([known, more]) => ({ ...more, ...known }));
}
