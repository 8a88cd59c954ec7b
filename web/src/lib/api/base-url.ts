/** Where the API is when PUBLIC_API_URL is not set at build time: the local dev server. */
export const DEFAULT_API_URL = 'http://localhost:8000';

/** The API's base URL from the build-time setting, without a trailing slash. */
export function apiBaseUrlFrom(setting: string | undefined): string {
  return (setting || DEFAULT_API_URL).replace(/\/+$/, '');
}
