import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'cr_live_';
/** Characters of a key kept in clear: `cr_live_` and 8 more, enough to find it and show it. */
const API_KEY_LOOKUP_LENGTH = API_KEY_PREFIX.length + 8;

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A session cookie's value: 256 random bits. Only its hash is stored. */
export function newSessionToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256(token) };
}

export interface NewApiKey {
  /** Shown to its owner once, never stored. */
  secret: string;
  prefix: string;
  hash: string;
}

export function newApiKey(): NewApiKey {
  const secret = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: apiKeyPrefix(secret), hash: sha256(secret) };
}

export function apiKeyPrefix(secret: string): string {
  return secret.slice(0, API_KEY_LOOKUP_LENGTH);
}

export function looksLikeApiKey(value: string): boolean {
  return /^cr_live_[\w-]{43}$/.test(value);
}

/** Compares two hex digests in constant time. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
