// Throughput with autocannon, run as a child pinned to its own core (the servers have the
// other), so the load generator never competes with what it measures. Contenders of a group run
// back to back, their order swapped every round, and each one's median over the rounds counts:
// this machine is noisy, and a slow second straddling one run should not decide a ratio.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { median } from './bench-measure.ts';

export interface Contender {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

export interface CannonRun {
  /** 2xx answers per second: anything else is not throughput. */
  rps: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  /** Why requests failed (socket errors, timeouts), by message. */
  reasons: Record<string, number>;
}

export interface LoadShape {
  connections: number;
  durationSeconds: number;
  /** Cores of the load generator, as taskset lists them. */
  cpus: string;
}

const RUNNER = path.join(import.meta.dirname, 'cannon-runner.ts');

export async function cannon(contender: Contender, shape: LoadShape): Promise<CannonRun> {
  const options = {
    url: contender.url,
    connections: shape.connections,
    duration: shape.durationSeconds,
    headers: contender.headers ?? {},
  };
  const child = spawn(
    'taskset',
    ['-c', shape.cpus, process.execPath, RUNNER, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`autocannon ${contender.url} exited ${code}: ${err}`);
  const run = JSON.parse(out) as Omit<CannonRun, 'rps'> & { duration: number; ok: number };
  return {
    rps: run.ok / run.duration,
    non2xx: run.non2xx,
    errors: run.errors,
    statuses: run.statuses,
    reasons: run.reasons,
  };
}

export interface Throughput {
  /** Median of the rounds' 2xx per second. */
  rps: number;
  runs: CannonRun[];
  /** Whether every run answered only 2xx, without socket errors or timeouts. */
  clean: boolean;
}

/**
 * Each group (an API route and its baseline, or one route alone) in `rounds` rounds; within a
 * round the groups follow each other, a group's contenders back to back, reversed every other
 * round. A short unrecorded run of each first lets both sides warm their JIT and pools.
 */
export async function throughputRounds(
  groups: Contender[][],
  shape: LoadShape,
  rounds = 3,
): Promise<Map<string, Throughput>> {
  for (const contender of groups.flat()) await cannon(contender, { ...shape, durationSeconds: 1 });
  const runs = new Map<string, CannonRun[]>();
  for (let round = 0; round < rounds; round++) {
    for (const group of groups) {
      const ordered = round % 2 === 0 ? group : [...group].reverse();
      for (const contender of ordered) {
        const run = await cannon(contender, shape);
        runs.set(contender.name, [...(runs.get(contender.name) ?? []), run]);
      }
    }
  }
  return new Map(
    [...runs].map(([name, list]) => [
      name,
      {
        rps: median(list.map((run) => run.rps)),
        runs: list,
        clean: list.every((run) => run.non2xx === 0 && run.errors === 0),
      },
    ]),
  );
}

/** "12,345 req/s", and what went wrong if anything did (statuses other than 2xx, errors). */
export function describeThroughput(t: Throughput): string {
  const rate = `${Math.round(t.rps).toLocaleString('en')} req/s`;
  if (t.clean) return rate;
  const statuses: Record<string, number> = {};
  let errors = 0;
  for (const run of t.runs) {
    errors += run.errors;
    for (const [status, count] of Object.entries(run.statuses)) {
      if (!status.startsWith('2')) statuses[status] = (statuses[status] ?? 0) + count;
    }
  }
  const parts = Object.entries(statuses).map(([status, count]) => `${count}× ${status}`);
  if (errors) {
    const reasons: Record<string, number> = {};
    for (const run of t.runs) {
      for (const [reason, count] of Object.entries(run.reasons)) {
        reasons[reason] = (reasons[reason] ?? 0) + count;
      }
    }
    const [top] = Object.entries(reasons).sort((a, b) => b[1] - a[1]);
    parts.push(`${errors} errors${top ? `, mostly ${top[0].slice(0, 40)}` : ''}`);
  }
  return `${rate} (${parts.join(', ')})`;
}
