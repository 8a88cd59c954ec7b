// The Dockerfile cannot be built here (no Docker daemon, no registry for images), so these checks
// keep it and railway.toml consistent with the repository they ship.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../api/src/config.ts';
import { contractPath, repoRoot } from './lib/paths.ts';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

/** Dockerfile instructions, with `\` continuations joined and comments dropped. */
function instructions(dockerfile: string): { op: string; args: string }[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** The subset of TOML railway.toml uses: [sections], key = string | number | [strings]. */
function readToml(text: string): Record<string, Record<string, unknown>> {
  const tables: Record<string, Record<string, unknown>> = {};
  let table: Record<string, unknown> = {};
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    const section = pending === '' ? line.match(/^\[(\w+)\]$/) : null;
    if (section?.[1]) {
      table = {};
      tables[section[1]] = table;
      continue;
    }
    pending += line.startsWith('#') ? '' : line;
    if ((pending.match(/\[/g) ?? []).length > (pending.match(/\]/g) ?? []).length) continue;
    const [, key = '', value = ''] = pending.match(/^(\w+)\s*=\s*(.+)$/) ?? [];
    table[key] = JSON.parse(value.replace(/,\s*\]$/, ']'));
    pending = '';
  }
  return tables;
}

/** `.dockerignore` as Docker reads it: globs in order, `!` re-includes, the last match wins. */
function dockerIgnored(patterns: string[], file: string): boolean {
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    // `**/` is any number of folders, none included; `*` stays within one folder.
    const source = glob
      .split('**/')
      .map((part) =>
        part
          .split('**')
          .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('.*'),
      )
      .join('(?:.*/)?');
    if (new RegExp(`^${source}(/.*)?$`).test(file)) ignored = !negated;
  }
  return ignored;
}

const nvmrc = read('.nvmrc').trim();
const dockerfile = instructions(read('Dockerfile'));
const railway = readToml(read('railway.toml'));
const build = railway.build ?? {};
const deploy = railway.deploy ?? {};

describe('Dockerfile', () => {
  it('runs the Node.js version the repository pins (.nvmrc and the node dev dependency)', () => {
    const arg = dockerfile.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_VERSION='));
    expect(arg?.args).toBe(`NODE_VERSION=${nvmrc}`);
    const stages = dockerfile.filter((i) => i.op === 'FROM');
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.args).toMatch(/^node:\$\{NODE_VERSION\}-\S+ AS \w+$/);
    const pinned = JSON.parse(read('package.json')).devDependencies.node as string;
    expect(pinned.replace(/^[\^~]/, '')).toBe(nvmrc);
  });

  it('starts the API as railway.toml does, as a user other than root', () => {
    const runtime = dockerfile.slice(dockerfile.findLastIndex((i) => i.op === 'FROM'));
    const cmd = runtime.findLast((i) => i.op === 'CMD');
    expect(JSON.parse(cmd?.args ?? 'null')).toEqual(String(deploy.startCommand).split(' '));
    const user = runtime.findLast((i) => i.op === 'USER');
    expect(user?.args).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user?.args);
    expect(runtime.indexOf(user as (typeof runtime)[number])).toBeLessThan(
      runtime.indexOf(cmd as (typeof runtime)[number]),
    );
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const sources = dockerfile
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toContain('api/src');
    for (const source of sources) {
      expect(existsSync(path.join(repoRoot, source)), source).toBe(true);
      expect(dockerIgnored(ignore, source), source).toBe(false);
    }
    const keptOut = ['node_modules', 'api/node_modules', '.git', '.data', '.env', 'web/src'];
    for (const kept of [...keptOut, 'api/test', 'api/src/config.test.ts', 'charts/test']) {
      expect(dockerIgnored(ignore, kept), kept).toBe(true);
    }
  });
});

describe('railway.toml', () => {
  it('builds the Dockerfile and health-checks the readiness route of the contract', () => {
    expect(build.builder).toBe('DOCKERFILE');
    expect(existsSync(path.join(repoRoot, String(build.dockerfilePath)))).toBe(true);
    expect(deploy.healthcheckPath).toBe('/ready');
    const contract = JSON.parse(readFileSync(contractPath, 'utf8'));
    expect(contract.paths['/ready']?.get).toBeDefined();
  });

  it('restarts a crashed API, and waits out its shutdown grace before killing it', () => {
    expect(deploy.restartPolicyType).toBe('ON_FAILURE');
    expect(Number(deploy.drainingSeconds) * 1000).toBeGreaterThan(loadConfig({}).SHUTDOWN_GRACE_MS);
  });

  it('redeploys when the API or its build inputs change', () => {
    expect(build.watchPatterns).toEqual(
      expect.arrayContaining(['api/**', 'package-lock.json', 'Dockerfile', 'railway.toml']),
    );
  });
});

describe('README "Deploying"', () => {
  const readme = read('README.md');
  const section = readme.slice(
    readme.indexOf('## Deploying'),
    readme.indexOf('## Where things live'),
  );
  /** Settings that are not the API's: the web build's, Cloudflare's build image's, and CI's. */
  const elsewhere = {
    PUBLIC_API_URL: 'web/src/lib/api/base-url.ts',
    NODE_VERSION: 'README.md',
    CLOUDFLARE_API_TOKEN: '.github/workflows/deploy-web.yml',
    CLOUDFLARE_ACCOUNT_ID: '.github/workflows/deploy-web.yml',
    CLOUDFLARE_PAGES_PROJECT: '.github/workflows/deploy-web.yml',
  } as const;

  it('names only variables that api/src/config.ts reads, or that the web build and CI use', () => {
    const apiVariables = new Set(
      [...read('api/src/config.ts').matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]),
    );
    const named = new Set(
      [...section.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((m) => m[0]),
    );
    expect(named.size).toBeGreaterThan(5);
    for (const name of named) {
      const where = elsewhere[name as keyof typeof elsewhere];
      if (where) expect(read(where), name).toContain(name);
      else expect(apiVariables, name).toContain(name);
    }
  });
});
