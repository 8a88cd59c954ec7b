import { assertMatchesContract } from '../contract.ts';
import type { FuzzRequest, Operation } from './operations.ts';
import type { FuzzWorld } from './world.ts';

interface RequestableApp {
  request: (input: string, init?: RequestInit) => Response | Promise<Response>;
}

export type Kind = 'valid' | 'invalid';

/** Requests sent and statuses seen, per operation and kind, for the `npm run fuzz` report. */
export class FuzzTally {
  private readonly counts = new Map<string, Map<Kind, Map<number, number>>>();

  add(operationId: string, kind: Kind, status: number): void {
    const byKind = this.counts.get(operationId) ?? new Map<Kind, Map<number, number>>();
    const byStatus = byKind.get(kind) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    byKind.set(kind, byStatus);
    this.counts.set(operationId, byKind);
  }

  report(title: string): string {
    const lines = [title];
    let total = 0;
    for (const [operationId, byKind] of this.counts) {
      for (const [kind, byStatus] of byKind) {
        const sent = [...byStatus.values()].reduce((sum, n) => sum + n, 0);
        total += sent;
        const statuses = [...byStatus]
          .sort(([a], [b]) => a - b)
          .map(([status, n]) => `${status}×${n}`)
          .join(' ');
        lines.push(
          `  ${operationId.padEnd(18)} ${kind.padEnd(7)} ${String(sent).padStart(6)}  ${statuses}`,
        );
      }
    }
    lines.push(`  ${'total'.padEnd(26)} ${String(total).padStart(6)}`);
    return lines.join('\n');
  }
}

// Requests that can end a session or take away data the world needs: after one succeeds, heal.
function mayDamageWorld(operation: Operation): boolean {
  return (
    operation.method === 'DELETE' ||
    operation.template.startsWith('/v1/auth/') ||
    operation.template === '/v1/me'
  );
}

/**
 * Sends one generated request and holds it to the properties: never a 5xx; an answer the
 * contract documents (status, content type, body schema); and for invalid input, a 4xx
 * problem document. Throws with the request and the answer when one fails.
 */
export async function sendAndCheck(
  app: RequestableApp,
  world: FuzzWorld,
  operation: Operation,
  fuzz: FuzzRequest,
  kind: Kind,
  tally: FuzzTally,
): Promise<void> {
  const { url, init } = world.toFetch(operation.template, operation.method, fuzz);
  const response = await app.request(url, init);
  tally.add(operation.operationId, kind, response.status);
  const where = `${operation.method} ${url.slice(0, 300)} (${fuzz.caller}) → ${response.status}`;
  const body = async () => (await response.clone().text()).slice(0, 2000);
  if (response.status >= 500) throw new Error(`${where}: a server error\n${await body()}`);
  await assertMatchesContract(response, operation.method, url);
  if (kind === 'invalid') {
    const contentType = response.headers.get('content-type') ?? '';
    if (response.status < 400 || !contentType.startsWith('application/problem+json')) {
      throw new Error(
        `${where}: invalid input (${fuzz.broken}) was not refused with a 4xx problem\n${await body()}`,
      );
    }
  }
  if (response.ok && mayDamageWorld(operation)) await world.heal();
}
