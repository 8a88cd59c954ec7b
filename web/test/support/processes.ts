import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const webRoot = path.join(repoRoot, 'web');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function run(args: string[], options: { cwd: string; env: Record<string, string> }) {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

/** Builds the site into `outDir` with the API base URL baked in, as Cloudflare Pages would. */
export async function buildWeb(outDir: string, apiUrl: string): Promise<void> {
  const require = createRequire(path.join(webRoot, 'package.json'));
  const astro = path.join(path.dirname(require.resolve('astro/package.json')), 'bin/astro.mjs');
  const { child, output } = run([astro, 'build', '--outDir', outDir], {
    cwd: webRoot,
    env: { PUBLIC_API_URL: apiUrl, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`astro build failed (${code}):\n${output()}`);
}

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** The real API server as a separate process, on the embedded database in memory. */
export async function startApi(env: Record<string, string>, port?: number): Promise<ApiProcess> {
  port ??= await freePort();
  const { child, output } = run([path.join(repoRoot, 'api/src/server.ts')], {
    cwd: repoRoot,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      PGLITE_DATA_DIR: 'memory://',
      // Empty means unset: the browser tests' API never touches a shared PostgreSQL database.
      DATABASE_URL: '',
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`the API exited:\n${output()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 300) throw new Error(`the API did not start:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
