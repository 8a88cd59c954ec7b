import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { type CsvBody, csvRequestInit } from './csv.ts';
import { unwrap } from './errors.ts';
import type { components, operations, paths } from './schema.ts';

export interface ChartroomClientOptions {
  /** The API's origin, e.g. `https://api.example.com` or `http://localhost:8000`. */
  baseUrl: string;
  /** An API key (`cr_live_…`), sent as `Authorization: Bearer`; without one, only public resources. */
  apiKey?: string | undefined;
  /** A fetch to call instead of the global one (a proxy, retries, a test double). */
  fetch?: (request: Request) => Promise<Response>;
}

type Dataset = components['schemas']['Dataset'];
type Appended = components['schemas']['Appended'];

/** `POST /v1/datasets`'s query (the dataset's name and options), plus an `Idempotency-Key`. */
export type CsvUploadOptions = NonNullable<operations['createDataset']['parameters']['query']> & {
  name: string;
  /** Makes retrying the upload safe: send the same key again and no second dataset is made. */
  idempotencyKey?: string;
};

export interface CsvAppendOptions {
  /** Makes retrying safe: the same key again and the rows are not appended twice. */
  idempotencyKey?: string;
}

/** The openapi-fetch client typed by the contract, plus the CSV calls its JSON bodies do not fit. */
export type ChartroomClient = Client<paths> & {
  /** Creates a dataset from a CSV file (`POST /v1/datasets`, `text/csv`); throws a ChartroomError. */
  uploadCsv(csv: CsvBody, options: CsvUploadOptions): Promise<Dataset>;
  /** Appends a CSV file's rows (`POST /v1/datasets/{id}/rows`, `text/csv`); throws a ChartroomError. */
  appendCsv(datasetId: string, csv: CsvBody, options?: CsvAppendOptions): Promise<Appended>;
};

function bearer(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      // A call that names its own credentials keeps them.
      if (!request.headers.has('Authorization')) {
        request.headers.set('Authorization', `Bearer ${apiKey}`);
      }
      return request;
    },
  };
}

/** The fetch options that send a CSV as it is, with its content type and idempotency key. */
function csvCall(csv: CsvBody, idempotencyKey: string | undefined) {
  const { body, ...init } = csvRequestInit(csv);
  return {
    ...init,
    // The typed body is the contract's `text/csv` string; any CsvBody is sent through unchanged.
    body: '',
    bodySerializer: () => body,
    headers: {
      'Content-Type': 'text/csv',
      ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
    },
  };
}

/** A client for the Chartroom API v1: `chartroom.GET('/v1/datasets/{id}', …)` and the rest. */
export function createChartroomClient(options: ChartroomClientOptions): ChartroomClient {
  const { baseUrl, apiKey, fetch } = options;
  const client = createClient<paths>({ baseUrl, ...(fetch ? { fetch } : {}) });
  if (apiKey) client.use(bearer(apiKey));
  return Object.assign(client, {
    uploadCsv(csv: CsvBody, { idempotencyKey, ...query }: CsvUploadOptions) {
      return unwrap(
        client.POST('/v1/datasets', { params: { query }, ...csvCall(csv, idempotencyKey) }),
      );
    },
    appendCsv(datasetId: string, csv: CsvBody, { idempotencyKey }: CsvAppendOptions = {}) {
      return unwrap(
        client.POST('/v1/datasets/{id}/rows', {
          params: { path: { id: datasetId } },
          ...csvCall(csv, idempotencyKey),
        }),
      );
    },
  });
}
