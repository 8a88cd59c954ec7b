/** The local API's port when PUBLIC_API_URL is not set at build time (`npm start`, `npm run dev`). */
export const LOCAL_API_PORT = 8000;
export const DEFAULT_API_URL = `http://localhost:${LOCAL_API_PORT}`;

/**
 * Names a local machine answers to: a page opened on either reaches the API on the same one.
 * Not [::1]: a CSP source cannot name an IPv6 address, and Chromium reports it as an error.
 */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1'];

/**
 * The API's base URL, without a trailing slash: the build-time setting, or else the local API on
 * the host the page was opened on. A page on 127.0.0.1 calling the API on localhost is another
 * site to the browser, which then withholds the SameSite session cookie: signing in would not
 * last past the next request.
 */
export function apiBaseUrlFrom(
  setting: string | undefined,
  page?: { protocol: string; hostname: string },
): string {
  if (setting) return setting.replace(/\/+$/, '');
  const host = page && LOOPBACK_HOSTS.find((name) => name === page.hostname);
  return host ? `http://${host}:${LOCAL_API_PORT}` : DEFAULT_API_URL;
}
