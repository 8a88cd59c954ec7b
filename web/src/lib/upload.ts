import type { components } from '@chartroom/client';
import { apiBaseUrl } from './api/client';

type Dataset = components['schemas']['Dataset'];
type Problem = components['schemas']['Problem'];

export interface UploadOptions {
  name: string;
  visibility: 'private' | 'unlisted' | 'public';
  /** `Column name:type` overrides. */
  types?: string[];
  onProgress: (sent: number, total: number) => void;
}

/**
 * POST /v1/datasets with a CSV file as the body. openapi-fetch cannot report upload progress,
 * so this one call uses XMLHttpRequest; sending the File object streams it from disk, never
 * reading it whole into the page's memory. Types still come from the contract.
 */
export function uploadCsv(
  file: File,
  options: UploadOptions,
): Promise<{ dataset?: Dataset; problem?: Problem }> {
  const query = new URLSearchParams({ name: options.name, visibility: options.visibility });
  for (const type of options.types ?? []) query.append('type', type);
  const path: `/v1/datasets` = '/v1/datasets';
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${apiBaseUrl}${path}?${query}`);
    request.withCredentials = true;
    request.setRequestHeader('Content-Type', 'text/csv');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) options.onProgress(event.loaded, event.total);
    });
    request.addEventListener('load', () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status === 201) resolve({ dataset: body as Dataset });
      else resolve({ problem: (body as Problem | undefined) ?? undefined });
    });
    request.addEventListener('error', () => resolve({}));
    request.send(file);
  });
}
