// The figures `npm run load` reports: latency percentiles per request kind, and the write ledger
// that proves no acknowledged write was lost.

/** Nearest-rank percentile (p in 0..100) of values sorted ascending; NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface KindFigures {
  kind: string;
  requests: number;
  /** Answers that were neither 2xx nor 3xx. */
  failures: number;
  p50: number;
  p99: number;
  /** A few failing answers (status and body), to show what went wrong. */
  samples: string[];
}

/** Latencies and statuses of answers, by kind of request. */
export class LatencyRecorder {
  private readonly kinds = new Map<string, { ms: number[]; failures: number; samples: string[] }>();

  record(kind: string, status: number, ms: number, body = ''): void {
    let entry = this.kinds.get(kind);
    if (!entry) {
      entry = { ms: [], failures: 0, samples: [] };
      this.kinds.set(kind, entry);
    }
    entry.ms.push(ms);
    if (status < 200 || status >= 400) {
      entry.failures++;
      if (entry.samples.length < 3) entry.samples.push(`${status} ${body.slice(0, 300)}`);
    }
  }

  /** Adds the answers others recorded (one recorder per instance) to this one's. */
  merge(...others: LatencyRecorder[]): void {
    for (const other of others) {
      for (const [kind, entry] of other.kinds) {
        const mine = this.kinds.get(kind);
        if (!mine) {
          this.kinds.set(kind, {
            ms: [...entry.ms],
            failures: entry.failures,
            samples: [...entry.samples],
          });
          continue;
        }
        for (const value of entry.ms) mine.ms.push(value);
        mine.failures += entry.failures;
        mine.samples.push(...entry.samples.slice(0, Math.max(0, 3 - mine.samples.length)));
      }
    }
  }

  /** Every kind, in the order first seen, then all of them together as `overall`. */
  figures(): { kinds: KindFigures[]; overall: KindFigures } {
    const summarize = (kind: string, ms: number[], failures: number, samples: string[]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return {
        kind,
        requests: ms.length,
        failures,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        samples,
      };
    };
    const kinds = [...this.kinds].map(([kind, entry]) =>
      summarize(kind, entry.ms, entry.failures, entry.samples),
    );
    const all = [...this.kinds.values()];
    const overall = summarize(
      'overall',
      all.flatMap((entry) => entry.ms),
      all.reduce((sum, entry) => sum + entry.failures, 0),
      all.flatMap((entry) => entry.samples),
    );
    return { kinds, overall };
  }
}

/**
 * Each write carries a tag of its own (rows: a `tag` column; charts: the title). `sent` holds
 * every tag put on the wire, `acknowledged` those answered 2xx. A write still in flight when the
 * load stopped may or may not be stored; an acknowledged one must be, exactly once.
 */
export class WriteLedger {
  readonly sent = new Set<string>();
  readonly acknowledged = new Set<string>();
  private readonly prefix: string;
  private next = 0;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  newTag(): string {
    const tag = `${this.prefix}${++this.next}`;
    this.sent.add(tag);
    return tag;
  }

  acknowledge(tag: string): void {
    this.acknowledged.add(tag);
  }
}

export interface WriteCheck {
  acknowledged: number;
  /** Acknowledged, absent from the database. */
  lost: string[];
  /** Stored a number of times other than `perWrite` (half a write, or a write applied twice). */
  miscounted: string[];
  /** Stored with a tag never sent: something wrote what it should not have. */
  unknown: string[];
  /** Sent, not answered before the load stopped, and stored anyway (allowed). */
  storedInFlight: number;
  /** Records (rows, charts) stored by the load's writes. */
  storedRecords: number;
  ok: boolean;
}

/** Compares a ledger with what the database holds: tag → how many records carry it. */
export function checkWrites(
  ledger: Pick<WriteLedger, 'sent' | 'acknowledged'>,
  stored: Map<string, number>,
  perWrite: number,
): WriteCheck {
  const lost = [...ledger.acknowledged].filter((tag) => !stored.has(tag));
  const miscounted = [...stored].filter(([, n]) => n !== perWrite).map(([tag]) => tag);
  const unknown = [...stored.keys()].filter((tag) => !ledger.sent.has(tag));
  const storedInFlight = [...stored.keys()].filter(
    (tag) => ledger.sent.has(tag) && !ledger.acknowledged.has(tag),
  ).length;
  const storedRecords = [...stored.values()].reduce((sum, n) => sum + n, 0);
  return {
    acknowledged: ledger.acknowledged.size,
    lost,
    miscounted,
    unknown,
    storedInFlight,
    storedRecords,
    ok: lost.length === 0 && miscounted.length === 0 && unknown.length === 0,
  };
}
