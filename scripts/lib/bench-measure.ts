// Small timing and process helpers shared by the benchmark's sections.
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const millis = (ms: number) => `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A field of /proc/<pid>/status in MB: VmRSS (resident now) or VmHWM (its peak so far). */
export function procMemoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** Names as sent on the wire (Content-Length), which `headers` lowercases; name, value, … */
  rawHeaders: string[];
}

/** One GET over node:http (not fetch): the lightest client, whose own cost stays out of figures. */
export function get(url: string, agent: Agent, headers: Record<string, string> = {}) {
  return new Promise<Answer>((resolve, reject) => {
    httpRequest(url, { agent, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          headers: response.headers,
          rawHeaders: response.rawHeaders,
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/** Sequential keep-alive GETs after a warm-up: each one's latency in ms, all of them 200. */
export async function latencies(url: string, count: number, warmup = 200): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < warmup; i++) await get(url, agent);
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const [ms, answer] = await time(() => get(url, agent));
      if (answer.status !== 200) throw new Error(`${url} answered ${answer.status}`);
      times.push(ms);
    }
    return times;
  } finally {
    agent.destroy();
  }
}

/** Mean latency of sequential keep-alive GETs: what one request costs when nothing queues. */
export async function hammer(url: string, count: number): Promise<number> {
  const times = await latencies(url, count);
  return times.reduce((sum, ms) => sum + ms, 0) / times.length;
}

/** A JSON request through fetch that must answer `expected`; its body parsed. */
export async function json<T>(
  url: string,
  init: RequestInit & { expected?: number } = {},
): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (response.status !== (init.expected ?? 200)) {
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as T;
}
