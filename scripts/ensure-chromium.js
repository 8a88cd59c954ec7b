// Finds the Chromium the browser tests drive. On Debian as root it installs Debian's package
// itself; anywhere else it stops with a message, so the browser tests are never skipped silently.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const wanted = process.env.CHROME_PATH || '/usr/bin/chromium';
if (existsSync(wanted)) process.exit(0);

if (process.env.CHROME_PATH) {
  console.error(`CHROME_PATH is ${wanted}, but there is no file there.`);
  process.exit(1);
}
const isDebian = existsSync('/etc/debian_version');
const isRoot = process.getuid?.() === 0;
if (!isDebian || !isRoot) {
  console.error(
    'The browser tests need Chromium and none was found at /usr/bin/chromium.\n' +
      '  Debian/Ubuntu: sudo apt-get install -y chromium   (then run the tests again)\n' +
      '  elsewhere: install Chromium or Chrome and set CHROME_PATH to its executable.',
  );
  process.exit(1);
}
console.log('Installing Debian’s chromium for the browser tests (once)…');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
if (!existsSync(wanted)) {
  console.error(`apt-get installed chromium, but ${wanted} is still missing.`);
  process.exit(1);
}
