/**
 * A CSV file's content: text, bytes (a Node `Buffer` too), a `Blob` or `File`, a web
 * `ReadableStream`, or any async iterable of chunks, such as Node's `fs.createReadStream(path)`.
 * Streams are sent as they are read, so a file of any size never sits in memory.
 */
export type CsvBody =
  | string
  | Uint8Array
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>;

/** The `fetch` body for a CSV, and `duplex: 'half'`, which fetch requires to stream a request. */
export function csvRequestInit(csv: CsvBody): {
  body: NonNullable<RequestInit['body']>;
  duplex?: 'half';
} {
  if (typeof csv === 'string' || csv instanceof Blob) return { body: csv };
  if (ArrayBuffer.isView(csv)) return { body: csv as Uint8Array<ArrayBuffer> };
  if (csv instanceof ReadableStream) return { body: csv, duplex: 'half' };
  return { body: streamOf(csv), duplex: 'half' };
}

/** A byte stream that pulls the next chunk only when fetch is ready to send it. */
function streamOf(chunks: AsyncIterable<Uint8Array | string>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}
