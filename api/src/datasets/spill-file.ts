import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CopyFile, CopyFormat } from '../db/bulk.ts';

/** PGlite copies from a Blob; slices of a few MB keep its memory flat. */
const BOUNDARY_BYTES = 4 * 1024 * 1024;
const QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * Rows already checked and typed, in COPY's text format, on local disk while the upload goes on:
 * types are known only after the last row, and the request body can be read only once. Kept
 * for one import, then removed.
 */
export class SpillFile implements CopyFile {
  readonly path = path.join(tmpdir(), `chartroom-import-${randomBytes(8).toString('hex')}.tsv`);
  // Writes queue up to a few MB, so reading the upload goes on while the disk catches up.
  readonly #out: WriteStream = createWriteStream(this.path, { highWaterMark: QUEUE_BYTES });
  #bytes = 0;
  #error: Error | undefined;

  readonly format: CopyFormat;

  constructor(format: CopyFormat) {
    this.format = format;
    // A failed disk write is reported by the next write or close, not as a stray event.
    this.#out.on('error', (error) => {
      this.#error ??= error;
    });
  }
  /** Byte offsets at which the file may be cut into whole lines, from 0 to its size. */
  readonly boundaries: number[] = [0];

  async write(buffer: Buffer): Promise<void> {
    if (this.#error) throw this.#error;
    if (buffer.length === 0) return;
    this.#bytes += buffer.length;
    if (!this.#out.write(buffer)) await new Promise((resolve) => this.#out.once('drain', resolve));
    if (this.#bytes - (this.boundaries.at(-1) ?? 0) >= BOUNDARY_BYTES)
      this.boundaries.push(this.#bytes);
  }

  async close(): Promise<void> {
    if (this.#error) throw this.#error;
    await new Promise<void>((resolve, reject) =>
      this.#out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    if (this.boundaries.at(-1) !== this.#bytes) this.boundaries.push(this.#bytes);
  }

  async remove(): Promise<void> {
    this.#out.destroy();
    await rm(this.path, { force: true });
  }
}
