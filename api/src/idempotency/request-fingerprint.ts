import { createHash } from 'node:crypto';
import type { Context } from 'hono';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * What must be equal, besides the body, for a request to be a retry of another: method, path,
 * query (in any order of names) and media type. Known before the body is read.
 */
export function requestHash(c: Context): string {
  const query = [...new URL(c.req.url).searchParams].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  return sha256(JSON.stringify([c.req.method, c.req.path, query, mediaType]));
}

export interface BodyDigest {
  /**
   * SHA-256 of the whole body. Reads whatever the handler left unread (it may stop at a bad
   * line); `undefined` when the body is longer than `maxBytes`. Throws if the body cannot be read.
   */
  finish: (maxBytes: number) => Promise<string | undefined>;
}

/**
 * Hashes the request body as the handler reads it, by putting a pass-through stream in front of
 * it: a CSV upload is fingerprinted chunk by chunk and never held in memory.
 */
export function digestBody(c: Context): BodyDigest {
  const hash = createHash('sha256');
  const source = c.req.raw.body;
  if (!source) return { finish: async () => hash.digest('hex') };

  const reader = source.getReader();
  let bytes = 0;
  let done = false;
  const readChunk = async () => {
    const chunk = await reader.read();
    if (chunk.done) done = true;
    else {
      bytes += chunk.value.byteLength;
      hash.update(chunk.value);
    }
    return chunk;
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await readChunk();
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      } catch (error) {
        controller.error(error);
      }
    },
    // A handler that stops early does not end the upload: finish() reads the rest.
    cancel() {},
  });
  c.req.raw = new Request(c.req.raw, { body, duplex: 'half' } as RequestInit);

  return {
    finish: async (maxBytes) => {
      while (!done && bytes <= maxBytes) await readChunk();
      return bytes > maxBytes ? undefined : hash.digest('hex');
    },
  };
}
