import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const serverEntry = path.resolve(import.meta.dirname, '../../src/server.ts');

export interface ServerProcess {
  child: ChildProcess;
  /** The base URL, once the server logs that it listens. */
  url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output: () => string;
  /** `fetch` against this server. */
  request: (path: string, init?: RequestInit) => Promise<Response>;
}

/** Starts the real API as its own process (`node api/src/server.ts`), as a deploy runs it. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [serverEntry], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: '',
      PASSWORD_SCRYPT_LOG_N: '10',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let line: string | undefined;
  for (let i = 0; i < 600 && !line && child.exitCode === null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    line = output.split('\n').find((l) => l.includes('"listening"'));
  }
  if (!line) {
    child.kill('SIGKILL');
    throw new Error(`the server did not start:\n${output}`);
  }
  const url = JSON.parse(line).url as string;
  return {
    child,
    url,
    exited,
    output: () => output,
    request: (route, init) => fetch(`${url}${route}`, init),
  };
}
