import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What a replay repeats of the first answer. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Sealable = Omit<Answer, 'status'>;

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts headers and body (base64 of iv, tag, ciphertext): a new API key's secret among them. */
export function sealAnswer(secret: Buffer, answer: Sealable): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, secret, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
}

/** The sealed headers and body; throws if they were sealed under another secret or altered. */
export function openAnswer(secret: Buffer, sealed: string): Sealable {
  const bytes = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv(ALGORITHM, secret, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const plain = Buffer.concat([
    decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
  return JSON.parse(plain) as Sealable;
}
