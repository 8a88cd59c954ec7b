import type { operations } from '@chartroom/client';
import { api } from './api/client';

export type ImageQuery = NonNullable<operations['getChartImage']['parameters']['query']>;

/**
 * A chart's SVG text from the API, through the client (the id is percent-encoded as a path
 * parameter), or null. Only an `image/svg+xml` answer counts: anything else is not a drawing,
 * whatever its text holds.
 */
export async function chartImage(
  id: string,
  query: ImageQuery,
  credentials: RequestCredentials = 'include',
): Promise<string | null> {
  try {
    const { data, response } = await api.GET('/v1/charts/{id}/image.svg', {
      params: { path: { id }, query },
      parseAs: 'text',
      credentials,
    });
    const type = response.headers.get('content-type') ?? '';
    return response.ok && type.startsWith('image/svg+xml') && typeof data === 'string'
      ? data
      : null;
  } catch {
    return null;
  }
}
