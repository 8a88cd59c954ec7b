import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';

type Request = (url: string, init?: RequestInit) => Promise<Response>;

/** The `name=value` part of the session cookie a response sets, for the next request's Cookie. */
export function sessionCookie(response: Response): string {
  const header = response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('chartroom_session='));
  if (!header) throw new Error('no session cookie was set');
  return header.split(';')[0] as string;
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  };
}

export interface Account {
  email: string;
  password: string;
  cookie: string;
  id: string;
}

export async function signUp(request: Request, name = 'Ada'): Promise<Account> {
  const email = `${name.toLowerCase()}-${randomUUID()}@example.com`;
  const password = 'correct horse battery';
  const response = await request('/v1/auth/signup', json({ email, password, display_name: name }));
  expect(response.status, await response.clone().text()).toBe(201);
  const body = (await response.json()) as { id: string };
  return { email, password, cookie: sessionCookie(response), id: body.id };
}

export async function createKey(
  request: Request,
  account: Account,
  scopes: string[],
): Promise<{ id: string; secret: string }> {
  const response = await request(
    '/v1/api-keys',
    json({ name: `key ${scopes.join('+')}`, scopes }, { Cookie: account.cookie }),
  );
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; secret: string };
}

export const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });
