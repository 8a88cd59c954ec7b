import { z } from '@hono/zod-openapi';
import { type RawBuilder, sql } from 'kysely';
import type { Auth } from './auth-context.ts';

/**
 * Who may see and change a resource. Every resource route asks here, so the rules hold the same
 * everywhere: someone else's private resource does not exist for you (404, not 403, so its
 * existence does not leak), and only the owner changes anything.
 */
export const VISIBILITIES = ['private', 'unlisted', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const VisibilitySchema = z
  .enum(VISIBILITIES)
  .describe(
    '`private`: only the owner. `unlisted`: anyone with the link, not listed. `public`: anyone, and listed.',
  )
  .openapi('Visibility');

export interface Owned {
  owner_id: string;
  visibility: Visibility;
}

export function isOwner(auth: Auth | null, resource: Owned): boolean {
  return auth !== null && auth.user.id === resource.owner_id;
}

/** Fetching one resource by id: the owner always, anyone else unless it is private. */
export function canRead(auth: Auth | null, resource: Owned): boolean {
  return resource.visibility !== 'private' || isOwner(auth, resource);
}

/** Changing or deleting: the owner only. Others get the same 404 as for a missing resource. */
export function canChange(auth: Auth | null, resource: Owned): boolean {
  return isOwner(auth, resource);
}

/**
 * The rows a list shows this caller: their own, and everyone's public ones. Unlisted resources
 * are reached only through their link. For tables with `owner_id` and `visibility` columns.
 */
export function listedFor(auth: Auth | null): RawBuilder<boolean> {
  return auth
    ? sql<boolean>`(owner_id = ${auth.user.id} or visibility = 'public')`
    : sql<boolean>`visibility = 'public'`;
}
