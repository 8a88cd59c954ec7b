import { describe, expect, it } from 'vitest';
import { fits, TypeInference, uniqueColumnNames } from './column-types.ts';

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
