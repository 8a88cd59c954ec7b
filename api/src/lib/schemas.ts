import { z } from '@hono/zod-openapi';

/**
 * Text from outside: trimmed, well-formed Unicode, no NUL (PostgreSQL text cannot hold it),
 * and no other control characters, so what is stored is exactly what was meant.
 */
export function cleanText(options: { min?: number; max: number }) {
  return z
    .string()
    .trim()
    .min(options.min ?? 1)
    .max(options.max)
    .refine((value) => value.isWellFormed(), 'must be well-formed Unicode')
    .refine(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point.
      (value) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value),
      'must not contain control characters',
    );
}

export const IdSchema = z.uuid().openapi({ example: '0b5a3f4e-2c1d-4e8f-9a7b-6c5d4e3f2a1b' });

export const TimestampSchema = z.iso.datetime({ offset: true }).openapi({
  example: '2026-11-27T10:54:00.000Z',
});
