import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';

/** scrypt parameters; stored in every hash so they can be raised without breaking old ones. */
export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

/** OWASP's scrypt profile (N=2^15, r=8, p=3), with N taken from config. */
export function scryptParams(logN: number): ScryptParams {
  return { logN, r: 8, p: 3 };
}

/** Runs at most `max` tasks at once; the rest wait their turn, first come first served. */
export function concurrencyLimit(max: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so a newcomer cannot jump the queue.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/**
 * scrypt runs on libuv's thread pool (4 threads), which file reads and writes share: a flood of
 * password checks filled it and stalled uploads for seconds. At most half the cores hash at once,
 * leaving the rest of the pool and the CPU to everyone else; a queue of logins waits instead.
 */
const scryptSlot = concurrencyLimit(Math.max(1, Math.floor(availableParallelism() / 2)));

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return scryptSlot(() => deriveNow(password, salt, params));
}

function deriveNow(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    maxmem: 256 * 2 ** params.logN * params.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** `scrypt$ln=15,r=8,p=3$<salt>$<hash>`, base64url: the parameters travel with the hash. */
export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params);
  return `scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const match = /^scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!match) return undefined;
  const [, logN, r, p, salt, key] = match;
  return {
    params: { logN: Number(logN), r: Number(r), p: Number(p) },
    salt: Buffer.from(salt as string, 'base64url'),
    key: Buffer.from(key as string, 'base64url'),
  };
}

export interface PasswordCheck {
  ok: boolean;
  /** The hash was made with weaker parameters than today's: store a new one. */
  needsRehash: boolean;
}

export async function verifyPassword(
  password: string,
  stored: string,
  current: ScryptParams,
): Promise<PasswordCheck> {
  const parsed = parse(stored);
  if (!parsed) return { ok: false, needsRehash: false };
  const key = await derive(password, parsed.salt, parsed.params);
  const ok = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  const weaker =
    parsed.params.logN < current.logN || parsed.params.r < current.r || parsed.params.p < current.p;
  return { ok, needsRehash: ok && weaker };
}

const dummyHashes = new Map<string, Promise<string>>();

/**
 * A hash of nothing anyone knows, made with today's parameters. Login checks a password against
 * it when the email is unknown, so the answer takes as long as for a real account.
 */
export function dummyHash(params: ScryptParams): Promise<string> {
  const key = `${params.logN},${params.r},${params.p}`;
  let hash = dummyHashes.get(key);
  if (!hash) {
    hash = hashPassword(randomBytes(16).toString('hex'), params);
    dummyHashes.set(key, hash);
  }
  return hash;
}
