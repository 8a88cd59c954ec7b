import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../test/support/app.ts';
import { createApp } from './app.ts';
import { startServer } from './server.ts';

const serverEntry = path.join(import.meta.dirname, 'server.ts');

describe('graceful shutdown', () => {
  it('lets a slow in-flight request finish, refuses new connections, then closes', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => {};
    const requestStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1' }), (deps) => {
      const app = createApp(deps);
      app.get('/test/slow', async (c) => {
        started();
        await released;
        return c.text('finished');
      });
      return app;
    });

    const slow = fetch(`${server.url}/test/slow`).then(async (r) => [r.status, await r.text()]);
    await requestStarted;
    const stopped = server.shutdown();
    // New connections are refused while the slow one is still running.
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    release();
    expect(await slow).toEqual([200, 'finished']);
    await stopped;
  });
});

function runServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [serverEntry], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const listening = async (): Promise<string> => {
    for (let i = 0; i < 300 && !output.includes('"listening"'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const line = output.split('\n').find((l) => l.includes('"listening"'));
    if (!line) throw new Error(`server did not start:\n${output}`);
    return JSON.parse(line).url;
  };
  return { child, exited, listening, output: () => output };
}

describe('the server process', () => {
  it('exits 0 on SIGTERM after logging that it stopped', async () => {
    const server = runServer({ PORT: '0', HOST: '127.0.0.1', PGLITE_DATA_DIR: 'memory://' });
    const url = await server.listening();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"stopped"');
  });

  it('refuses to start with a bad setting, naming each bad variable', async () => {
    const server = runServer({ PORT: 'eighty', DATABASE_URL: 'mysql://db' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('Invalid configuration');
    expect(server.output()).toContain('PORT');
    expect(server.output()).toContain('DATABASE_URL');
  });
});
