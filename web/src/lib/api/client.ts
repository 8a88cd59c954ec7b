import type { paths } from '@chartroom/client';
import createClient from 'openapi-fetch';
import { apiBaseUrlFrom } from './base-url';

/** The API's origin, fixed at build time; the web knows the API only through this client. */
export const apiBaseUrl = apiBaseUrlFrom(
  import.meta.env.PUBLIC_API_URL,
  typeof location === 'undefined' ? undefined : location,
);

export const api = createClient<paths>({ baseUrl: apiBaseUrl, credentials: 'include' });
