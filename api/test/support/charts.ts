import { expect } from 'vitest';
import { type Account, json } from './accounts.ts';

type Request = (url: string, init?: RequestInit) => Promise<Response>;

/** Makes a chart on a dataset as `account` (public unless told) and answers its id. */
export async function createChart(
  request: Request,
  account: Account,
  datasetId: string,
  spec: object,
  extra: { title?: string; visibility?: string } = {},
): Promise<string> {
  const response = await request(
    '/v1/charts',
    json(
      { dataset_id: datasetId, title: 'Chart', visibility: 'public', ...extra, spec },
      { Cookie: account.cookie },
    ),
  );
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}
