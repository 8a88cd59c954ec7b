import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidArbitraryFor } from './support/fuzz/invalid-arbitrary.ts';
import { escapePointer, operations, resolveRef, satisfies } from './support/fuzz/operations.ts';
import { arbitraryFor } from './support/fuzz/schema-arbitrary.ts';
import { fuzzHints } from './support/fuzz/world.ts';

// The fuzzer is only as good as its generators: what it calls valid must satisfy the contract,
// and what it calls invalid must not, or its findings mean nothing.
const options = { resolve: resolveRef, hints: fuzzHints, maxArrayLength: 4 };

const schemas = operations.flatMap((operation) => {
  const base = `/paths/${escapePointer(operation.template)}/${operation.method.toLowerCase()}`;
  return [
    ...operation.parameters.map((parameter, index) => ({
      name: `${operation.operationId} ${parameter.in} ${parameter.name}`,
      schema: parameter.schema,
      pointer: `${base}/parameters/${index}/schema`,
    })),
    ...Object.entries(operation.body?.content ?? {})
      .filter(([type]) => type === 'application/json')
      .map(([, { schema, pointer }]) => ({
        name: `${operation.operationId} body`,
        schema,
        pointer,
      })),
  ];
});

describe('the fuzzer’s schema generators', () => {
  it('cover the parameters and JSON bodies of the contract', () => {
    expect(schemas.length).toBeGreaterThan(20);
  });

  it.each(schemas)('$name: generated values satisfy the contract', ({ schema, pointer }) => {
    fc.assert(
      fc.property(arbitraryFor(schema, options), (value) => {
        expect(satisfies(pointer, value), JSON.stringify(value)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it.each(schemas.filter(({ schema }) => invalidArbitraryFor(schema, options)))(
    '$name: broken values mostly break the contract',
    ({ schema, pointer }) => {
      const broken = invalidArbitraryFor(schema, options) as fc.Arbitrary<unknown>;
      const samples = fc.sample(broken, { numRuns: 200, seed: 1 });
      const refused = samples.filter((value) => !satisfies(pointer, value));
      // A union can accept a value broken for one of its members; the fuzzer filters those
      // out, but they must stay rare or the invalid-input checks would starve.
      expect(refused.length).toBeGreaterThan(samples.length * 0.8);
    },
  );
});
