import createClient from 'openapi-fetch';
import type { paths } from './schema';

/** The API's origin, fixed at build time; the web knows the API only through this client. */
export const apiBaseUrl = (import.meta.env.PUBLIC_API_URL || 'http://localhost:8000').replace(
  /\/+$/,
  '',
);

export const api = createClient<paths>({ baseUrl: apiBaseUrl, credentials: 'include' });
