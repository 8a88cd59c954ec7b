// `npm start`: builds the web app, adds sample data to an empty database, then runs the API on :8000 (embedded PGlite under .data/
// unless DATABASE_URL is set) and serves the built site on :4321, until Ctrl+C. The site is served by web/src/serve/serve.ts (the
// web workspace's `preview` script) with its `_redirects` and `_headers`, CSP included, as Cloudflare Pages serves it.
import { spawn } from 'node:child_process';

// npm scripts put the repository's pinned Node first on PATH; children use the same binary.
const node = (args) => {
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  child.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ? 0 : (code ?? 1))),
  );
  return child;
};
const npm = (args) => node([process.env.npm_execpath ?? 'npm', ...args]);
const exitCode = (child) => child.exited;

if ((await exitCode(npm(['run', 'build', '--silent']))) !== 0) process.exit(1);
if ((await exitCode(npm(['run', 'seed', '--silent']))) !== 0) process.exit(1);

const children = [node(['api/src/server.ts']), npm(['run', 'preview', '-w', 'web', '--silent'])];
let signalled = false;
const stopAll = (signal) => {
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    signalled = true;
    stopAll(signal);
  });
}
// If either one stops on its own, stop the other: half an app is no app.
const first = await Promise.race(children.map(exitCode));
stopAll('SIGTERM');
await Promise.all(children.map(exitCode));
process.exit(signalled ? 0 : first || 1);
