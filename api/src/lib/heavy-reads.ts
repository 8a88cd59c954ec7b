import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { clientIp } from './client-ip.ts';

/**
 * Requests whose cost grows with the data (chart answers and images, row pages, aggregate
 * queries) share a few slots, so that however many arrive at once the database keeps
 * connections, and the API its memory, for everything else: sign-in, uploads, /health. One caller
 * holds at most a few of them, so one address cannot take every slot from the others.
 */
export class ServerBusyError extends Error {
  readonly scope: 'server' | 'caller';

  constructor(scope: 'server' | 'caller') {
    super(scope === 'server' ? 'every heavy-read slot is taken' : 'this caller holds its share');
    this.name = 'ServerBusyError';
    this.scope = scope;
  }
}

/** The operations whose work grows with the data; each holds a slot while its handler runs. */
export const HEAVY_READ_PATHS = [
  '/v1/charts/preview',
  '/v1/charts/:id/data',
  '/v1/charts/:id/image.svg',
  '/v1/datasets/:id/rows',
  '/v1/datasets/:id/query',
];

/** Of those, the ones served from the answer cache: they take a slot only to compute. */
export const CACHED_VIEW_PATHS = ['/v1/charts/:id/data', '/v1/charts/:id/image.svg'];

interface Waiter {
  grant: () => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface HeavyReadLimits {
  /** Heavy reads running at once on this instance. */
  concurrency: number;
  /** Of those, held by one caller (a user, or an address when anonymous). */
  perCaller: number;
  /** How long a request waits for a slot before a 503; 0: not at all. */
  waitMs: number;
}

export function heavyReadLimiter(limits: HeavyReadLimits) {
  let running = 0;
  const waiting: Waiter[] = [];
  const held = new Map<string, number>();

  const releaseHeld = (caller: string) => {
    const count = (held.get(caller) ?? 1) - 1;
    if (count > 0) held.set(caller, count);
    else held.delete(caller);
  };

  const release = (caller: string) => {
    releaseHeld(caller);
    const next = waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.grant();
    } else running--;
  };

  const acquire = (caller: string): Promise<() => void> => {
    if ((held.get(caller) ?? 0) >= limits.perCaller) {
      return Promise.reject(new ServerBusyError('caller'));
    }
    // Counted at once, waiting or not: a caller's queued requests count against its share too.
    held.set(caller, (held.get(caller) ?? 0) + 1);
    let released = false;
    const releaser = () => {
      if (released) return;
      released = true;
      release(caller);
    };
    if (running < limits.concurrency) {
      running++;
      return Promise.resolve(releaser);
    }
    if (limits.waitMs === 0) {
      releaseHeld(caller);
      return Promise.reject(new ServerBusyError('server'));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => resolve(releaser),
        timer: setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          releaseHeld(caller);
          reject(new ServerBusyError('server'));
        }, limits.waitMs),
      };
      waiting.push(waiter);
    });
  };

  return { acquire, stats: () => ({ running, waiting: waiting.length }) };
}

/**
 * Holds a heavy-read slot for the handler's whole run; writes on the same paths pass by. With
 * `onDemand`, the slot is taken only when the handler asks (`takeHeavyRead`): chart views
 * served from the answer cache cost the database nothing and need none.
 */
export function heavyReads(
  limiter: ReturnType<typeof heavyReadLimiter>,
  { onDemand = false }: { onDemand?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // POST …/query and /v1/charts/preview read; the other writes (append, create) have their own limits.
    const reading =
      c.req.method === 'GET' || c.req.path.endsWith('/query') || c.req.path.endsWith('/preview');
    if (!reading) return next();
    const auth = c.get('auth');
    const caller = auth ? `user:${auth.user.id}` : `ip:${clientIp(c, c.var.config.TRUST_PROXY)}`;
    let slot: Promise<() => void> | undefined;
    const take = () => {
      slot ??= limiter.acquire(caller);
      return slot;
    };
    let held = false;
    c.set('takeHeavyRead', async () => {
      await take();
    });
    c.set('holdHeavyRead', () => {
      held = true;
      return () =>
        void slot?.then(
          (release) => release(),
          () => undefined,
        );
    });
    if (!onDemand) await take();
    try {
      await next();
    } finally {
      if (slot && !held) (await slot.catch(() => undefined))?.();
    }
  };
}
