import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../lib/app-env.ts';

export const SESSION_COOKIE = 'chartroom_session';

function secure(c: Context<AppEnv>): boolean {
  const { COOKIE_SECURE, NODE_ENV } = c.var.config;
  return COOKIE_SECURE ?? NODE_ENV === 'production';
}

export function readSessionCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

// Lax: sent on same-site fetches (app.example.com → api.example.com, localhost:4321 → :8000)
// and top-level navigation, never on cross-site subrequests.
export function writeSessionCookie(c: Context<AppEnv>, token: string, expires: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    path: '/',
    expires,
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, {
    path: '/',
    secure: secure(c),
    httpOnly: true,
    sameSite: 'Lax',
  });
}
