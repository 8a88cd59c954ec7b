/**
 * Values at the edges of what the database holds, that the fuzzer once let through while they
 * answered 500 (issue 10): names every plain object already has, numbers a double cannot hold,
 * zone offsets PostgreSQL refuses, cursors that decode to the wrong things, deep nesting.
 */

/** Column names and JSON keys that a `{}` lookup finds on Object.prototype. */
export const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__proto__',
] as const;

/** Number text past a double's range, underflowing to zero, or just inside (denormals). */
export const EDGE_NUMBER_TEXTS = [
  '1e-400',
  '4.9e-325',
  '-1e-400',
  '5e-324',
  '-5e-324',
  '1e400',
  '-1e400',
  '1.7976931348623157e308',
  '1.7976931348623159e308',
  `0.${'0'.repeat(330)}1`,
] as const;

/** Timestamps whose offset is past PostgreSQL's ±15:59, or at it, near the ends of the calendar. */
export const EDGE_TIME_TEXTS = [
  '2024-01-01T00:00:00+24:00',
  '2024-01-01T00:00+99:99',
  '2024-01-01T00:00:00-16:00',
  '2024-01-01T00:00:00+05:60',
  '2024-01-01T00:00:00+15:59',
  '0001-01-01T00:00:00+15:59',
  '9999-12-31T23:59:59-15:59',
] as const;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursors shaped like the API's own, holding what no page could have written. */
export const TAMPERED_CURSORS = [
  encode([['abc'], '1']),
  encode([['1e-400'], '1']),
  encode([['2024-01-01T00:00+99:99'], '1']),
  encode([['x\u0000'], '1']),
  encode([[null], '99999999999999999999']),
  encode([[], '-1']),
  encode(['1', '00000000-0000-0000-0000-000000000000']),
  encode(['2024-01-01T00:00:00.000Z', '------------------------------------']),
  encode(['+275760-09-13T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']),
  encode({ constructor: 1 }),
  'not-base64!',
] as const;

/** A JSON body nested `depth` arrays deep inside `rows`: valid JSON, deeper than any schema. */
export const deeplyNested = (depth: number) =>
  `{"name":"deep","rows":[${'['.repeat(depth)}${']'.repeat(depth)}]}`;

/** JSON texts with a lone surrogate where a key or a value is (JSON.stringify would escape it). */
export const LONE_SURROGATE_BODIES = [
  '{"name":"s","rows":[{"\\ud800":1}]}',
  '{"name":"s\\udc00"}',
  '{"rows":[{"a":"\\ud83d"}]}',
] as const;
