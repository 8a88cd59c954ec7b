// Starts the baseline servers (baseline-server.ts) pinned to a core, and records what the API
// sends on /health so that the bare server can send the same bytes.
import { spawn } from 'node:child_process';
import { Agent } from 'node:http';
import path from 'node:path';
import { freePort } from './api-process.ts';
import type { RecordedAnswer } from './baseline-server.ts';
import { get } from './bench-measure.ts';

export interface BaselineProcess {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Headers node:http adds by itself on every answer, the API's included. */
const ADDED_BY_NODE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** The API's answer to `GET url`: its status must be 200; header names as sent on the wire. */
export async function recordAnswer(url: string): Promise<RecordedAnswer> {
  const agent = new Agent({ keepAlive: true });
  try {
    const answer = await get(url, agent);
    if (answer.status !== 200) throw new Error(`${url} answered ${answer.status}`);
    const raw = answer.rawHeaders;
    const headers: [string, string][] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      if (!ADDED_BY_NODE.has(name.toLowerCase())) headers.push([name, raw[i + 1] as string]);
    }
    const keepAlive = String(answer.headers['keep-alive'] ?? '');
    const timeout = Number(/timeout=(\d+)/.exec(keepAlive)?.[1] ?? 5);
    return { headers, body: answer.body, keepAliveMs: timeout * 1000 };
  } finally {
    agent.destroy();
  }
}

/** Fails unless both URLs answer the same status, header names and values, and body. */
export async function assertSameAnswer(apiUrl: string, bareUrl: string): Promise<void> {
  const [api, bare] = await Promise.all([recordAnswer(apiUrl), recordAnswer(bareUrl)]);
  const shape = (a: RecordedAnswer) =>
    JSON.stringify({
      headers: a.headers.map(([name, value]) => [
        name,
        name.toLowerCase() === 'x-request-id' ? 'uuid' : value,
      ]),
      body: a.body,
      keepAliveMs: a.keepAliveMs,
    });
  if (shape(api) !== shape(bare)) {
    throw new Error(`the bare server does not answer as the API:\n${shape(api)}\n${shape(bare)}`);
  }
}

/** A baseline server (`http` or `hono`) in its own process, on the given cores. */
export async function startBaseline(
  kind: 'http' | 'hono',
  env: Record<string, string>,
  cpus = '0',
): Promise<BaselineProcess> {
  const port = await freePort();
  const script = path.join(import.meta.dirname, 'baseline-server.ts');
  const child = spawn('taskset', ['-c', cpus, process.execPath, script, kind], {
    env: { ...process.env, ...env, BASELINE_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the ${kind} baseline exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
