import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fits, fitsBytes, TypeInference, uniqueColumnNames } from './column-types.ts';

const infer = (...values: string[]) => {
  const inference = new TypeInference();
  for (const value of values) inference.observe(value);
  return inference.type;
};

describe('type inference over every value', () => {
  it.each([
    [['1', '-2', '+30'], 'integer'],
    [['1', '2.5', '-3e2'], 'number'],
    [['true', 'FALSE', 'True'], 'boolean'],
    [['2024-02-29', '2023-12-31'], 'date'],
    [['2024-01-01T10:00:00Z', '2024-01-01 10:00', '2024-01-01 10:00:00.123+02:00'], 'timestamp'],
    [['2024-01-01', '2024-01-01 10:00:00'], 'text'],
    [['00501', '10001'], 'text'],
    [['1', 'two'], 'text'],
    [['0', '1'], 'integer'],
    [['2023-02-29'], 'text'],
    [['2024-01-01 24:00'], 'text'],
    [['99999999999999999999'], 'number'],
    [['NaN', 'Infinity'], 'text'],
    // PostgreSQL refuses what a double cannot hold: overflow and underflow to zero, not denormals.
    [['1', '1e-400'], 'text'],
    [['1', '4.9e-325'], 'text'],
    [['1', `0.${'0'.repeat(400)}1`], 'text'],
    [['4.9e-324', '0e-999', `0.${'0'.repeat(400)}`], 'number'],
    // Zone offsets beyond ±15:59 are out of PostgreSQL's range.
    [['2024-01-01T00:00+15:59', '2024-01-01 00:00-1559'], 'timestamp'],
    [['2024-01-01T00:00:00+16:00'], 'text'],
    [['2024-01-01T00:00:00+99:99'], 'text'],
    [['2024-01-01T00:00:00+05:60'], 'text'],
    [['.'], 'text'],
    [[], 'text'],
  ])('%j → %s', (values, type) => {
    expect(infer(...values)).toBe(type);
  });

  it('keeps leading zeros, and integers that would overflow bigint, out of integer', () => {
    expect(fits('integer', '007')).toBe(false);
    expect(fits('integer', '123456789012345678')).toBe(true);
    expect(fits('integer', '1234567890123456789')).toBe(false);
  });
});

describe('uniqueColumnNames', () => {
  it('keeps names exactly, numbers blanks and repeats', () => {
    expect(uniqueColumnNames(['Price ($)', 'Café', '', 'Price ($)', ' ', 'Price ($)'])).toEqual([
      'Price ($)',
      'Café',
      'Column 3',
      'Price ($) (2)',
      'Column 5',
      'Price ($) (3)',
    ]);
  });
});

describe('byte-level checks used by the fast import path', () => {
  const asBytes = (value: string) => {
    // Padding on both sides: the checks must stay inside the cell they are given.
    const bytes = Buffer.from(`7:${value}:9`);
    return { bytes, start: 2, end: bytes.length - 2 };
  };
  // Values near every type's edges, then mutated one character at a time.
  const near = fc.oneof(
    fc.constantFrom('0', '-0', '+7', '00', '123456789012345678', '1234567890123456789', '1.', '.5'),
    fc.constantFrom('1e5', '1E-5', '1e999', '-1.5e+3', '9'.repeat(310), 'true', 'FALSE', 'tRuE'),
    fc.constantFrom('2024-02-29', '2023-02-29', '2024-13-01', '2024-01-01T23:59:59.123456789Z'),
    fc.constantFrom(
      '2024-01-01 24:00',
      '2024-01-01t10:00z',
      '2024-01-01T10:00:60',
      '2024-01-01T10:00+0530',
    ),
    fc.constantFrom('2024-01-01T10:00:00+05:', '2024-01-01T10:00:00.', 'é1', '١٢', 'ſalse'),
    fc.constantFrom('1e-400', '4.9e-325', '5e-324', '0e-400', `0.${'0'.repeat(330)}1`),
    fc.constantFrom('2024-01-01T10:00+15:59', '2024-01-01T10:00+16', '2024-01-01T10:00-99:99'),
    fc.integer().map(String),
    fc.double().map(String),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  );
  const mutated = fc
    .tuple(
      near,
      fc.nat(),
      fc.constantFrom('', '0', '9', '-', '+', '.', ':', 'e', 'Z', ' ', 'T', 'x'),
    )
    .map(([value, at, insert]) => {
      const i = at % (value.length + 1);
      return value.slice(0, i) + insert + value.slice(i + (at % 2));
    });

  it.each(['integer', 'number', 'boolean', 'date', 'timestamp', 'text'] as const)(
    '%s: fitsBytes agrees with fits on every value',
    (type) => {
      fc.assert(
        fc.property(
          fc.oneof(near, mutated, fc.string(), fc.string({ unit: 'binary' })),
          (value) => {
            const { bytes, start, end } = asBytes(value);
            expect(fitsBytes(type, bytes, start, end)).toBe(fits(type, value));
          },
        ),
        { numRuns: 3000 },
      );
    },
  );
});
