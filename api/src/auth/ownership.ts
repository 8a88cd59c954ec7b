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

const RANK: Record<Visibility, number> = { private: 0, unlisted: 1, public: 2 };

/**
 * A chart draws its dataset's rows, so it may never show them to more people than the dataset
 * does: its visibility is the lesser of its own and its dataset's. On someone else's dataset it
 * also draws only while that dataset lets the chart's owner read it (made private later, it goes
 * dark for everyone, the chart's owner too, who still sees the chart to change or delete it).
 */
export function chartDataAccess(
  auth: Auth | null,
  chart: Owned,
  dataset: Owned,
): { read: boolean; visibility: Visibility } {
  const visibility =
    RANK[dataset.visibility] < RANK[chart.visibility] ? dataset.visibility : chart.visibility;
  const ownerMayRead = dataset.visibility !== 'private' || dataset.owner_id === chart.owner_id;
  return {
    read: ownerMayRead && canRead(auth, { owner_id: chart.owner_id, visibility }),
    visibility,
  };
}

/** The chart itself (its title and spec): its owner always, others as for its data. */
export function canReadChart(auth: Auth | null, chart: Owned, dataset: Owned): boolean {
  return isOwner(auth, chart) || chartDataAccess(auth, chart, dataset).read;
}

/**
 * The charts a list shows: the caller's own, and public charts on public datasets (a public chart
 * on an unlisted dataset is only as visible as the dataset: reached through its link). For a
 * query joining `charts` and `datasets`.
 */
export function chartsListedFor(auth: Auth | null): RawBuilder<boolean> {
  const open = sql<boolean>`(charts.visibility = 'public' and datasets.visibility = 'public')`;
  return auth ? sql<boolean>`(charts.owner_id = ${auth.user.id} or ${open})` : open;
}
