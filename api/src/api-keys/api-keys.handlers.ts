import type { RouteHandler } from '@hono/zod-openapi';
import { currentAuth, type Scope } from '../auth/auth-context.ts';
import { newApiKey } from '../auth/tokens.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { problem } from '../lib/problem.ts';
import * as repository from './api-keys.repository.ts';
import type { createApiKey, deleteApiKey, listApiKeys } from './api-keys.routes.ts';

type StoredKey = Awaited<ReturnType<typeof repository.listApiKeys>>[number];

function keyBody(key: StoredKey) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes as Scope[],
    created_at: key.created_at.toISOString(),
    last_used_at: key.last_used_at?.toISOString() ?? null,
  };
}

export const listApiKeysHandler: RouteHandler<typeof listApiKeys, AppEnv> = async (c) => {
  const keys = await repository.listApiKeys(c.var.db, currentAuth(c).user.id);
  return c.json({ items: keys.map(keyBody) }, 200);
};

export const createApiKeyHandler: RouteHandler<typeof createApiKey, AppEnv> = async (c) => {
  const { name, scopes } = c.req.valid('json');
  const { secret, prefix, hash } = newApiKey();
  const key = await repository.insertApiKey(c.var.db, {
    user_id: currentAuth(c).user.id,
    name,
    prefix,
    secret_hash: hash,
    scopes: [...scopes].sort(),
  });
  if (!key) {
    return problem(
      c,
      409,
      `An account holds at most ${repository.MAX_API_KEYS} API keys: revoke one you no longer use, then create this one.`,
    );
  }
  return c.json({ ...keyBody(key), secret }, 201);
};

export const deleteApiKeyHandler: RouteHandler<typeof deleteApiKey, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const deleted = await repository.deleteApiKey(c.var.db, id, currentAuth(c).user.id);
  // Someone else's key is answered exactly like a missing one.
  if (!deleted) return problem(c, 404, 'There is no API key with this id among yours.');
  return c.body(null, 204);
};
