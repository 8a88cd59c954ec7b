import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../lib/app-env.ts';

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

export interface AuthUser {
  id: string;
  email: string;
  display_name: string;
  created_at: Date;
}

/** Who is calling, and how: set by the `authenticate` middleware, `null` when anonymous. */
export interface Auth {
  user: AuthUser;
  via: 'session' | 'api_key';
  scopes: Scope[];
  /** The session's token hash, when authenticated by cookie. */
  sessionTokenHash?: string;
  apiKeyId?: string;
}

/** The caller of an operation that `requireAuth` guards; it cannot be anonymous there. */
export function currentAuth(c: Context<AppEnv>): Auth {
  const auth = c.var.auth;
  if (!auth) throw new HTTPException(401, { message: 'Authentication required.' });
  return auth;
}
