import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { repoRoot } from './paths.ts';

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote (JSON log lines), for a report or a failure. */
  output: () => string;
  /** JSON log lines at pino's `error` level or above (a 5xx); a crash shows in the exit code. */
  errorLines: () => string[];
  /** SIGTERM, then its exit code once it has finished its in-flight requests. */
  stop: () => Promise<number | null>;
}

/** A port free on the loopback now (the OS picks it), for a child to listen on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * The real API (`api/src/server.ts`) as a child process on the loopback, on the same Node as
 * this script, ready once `/ready` answers 200. With `cpus` (a taskset list such as "0") it
 * runs only on those cores, so that a load generator pinned elsewhere does not steal its time.
 * taskset execs the command, so `child.pid` is Node's own (its /proc status is the API's).
 */
export async function startApiProcess(
  env: Record<string, string>,
  { cpus }: { cpus?: string } = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const script = path.join(repoRoot, 'api/src/server.ts');
  const [command, args] = cpus
    ? ['taskset', ['-c', cpus, process.execPath, script]]
    : [process.execPath, [script]];
  const child = spawn(command, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const api: ApiProcess = {
    url,
    child,
    output: () => output,
    errorLines: () =>
      output.split('\n').filter((line) => {
        if (!line.startsWith('{')) return false;
        try {
          return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
        } catch {
          return false;
        }
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/ready`)).ok) return api;
    } catch {
      // still starting
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await api.stop();
  throw new Error(`the API on port ${port} did not become ready:\n${output}`);
}

/** Signs a new account up over HTTP and answers its session cookie (`name=value`). */
export async function signUpOverHttp(
  apiUrl: string,
  account: { email: string; password: string; display_name: string },
): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(account),
  });
  if (response.status !== 201) throw new Error(`sign-up answered ${response.status}`);
  return response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
}
