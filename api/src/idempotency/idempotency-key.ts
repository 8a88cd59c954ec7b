import { createHmac } from 'node:crypto';

/** Stripe's limit, which the IETF draft leaves to each server. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

// The draft's Structured Field string: printable ASCII in quotes, `\"` and `\\` escaped.
const QUOTED = /^"((?:[\x20\x21\x23-\x5B\x5D-\x7E]|\\["\\])*)"$/;
// What Stripe's clients send, unquoted: visible ASCII, no spaces.
const BARE = /^[\x21\x23-\x7E][\x21-\x7E]*$/;

/**
 * The key an `Idempotency-Key` header names, or `undefined` when the header is malformed.
 * Takes both the IETF draft's quoted form (`"8e03978e"`) and the bare one (`8e03978e`).
 */
export function parseIdempotencyKey(header: string): string | undefined {
  const value = header.trim();
  const quoted = QUOTED.exec(value);
  const key = quoted
    ? quoted[1]?.replace(/\\(["\\])/g, '$1')
    : BARE.test(value)
      ? value
      : undefined;
  if (key === undefined || key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    return undefined;
  }
  return key;
}

export interface KeyDerivations {
  /** Finds the stored row; an HMAC, so the stored value does not reveal the key. */
  lookup: string;
  /** Encrypts the stored answer: whoever can replay it knows the key anyway. */
  secret: Buffer;
}

/** Everything the server keeps about a key comes from the key and its user, never the key itself. */
export function deriveFromKey(userId: string, key: string): KeyDerivations {
  const derive = (purpose: string) =>
    createHmac('sha256', key).update(`chartroom idempotency ${purpose}\0${userId}`).digest();
  return { lookup: derive('lookup').toString('hex'), secret: derive('seal') };
}
