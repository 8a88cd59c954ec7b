import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chown, mkdtemp, open, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

const TOOLS = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'];

/** PG_BINDIR, or the newest /usr/lib/postgresql/<version>/bin that has every tool we use. */
function findBinDir(): string | undefined {
  const candidates = process.env.PG_BINDIR
    ? [process.env.PG_BINDIR]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : [];
  return candidates.find((dir) => TOOLS.every((tool) => existsSync(path.join(dir, tool))));
}

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` user. */
function postgresUser(): { name: string; uid: number; gid: number } | undefined {
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  const entry = passwd.split('\n').find((line) => line.startsWith('postgres:'));
  if (!entry) return undefined;
  const [, , uid, gid] = entry.split(':');
  return { name: 'postgres', uid: Number(uid), gid: Number(gid) };
}

const binDir = findBinDir();
const asRoot = process.getuid?.() === 0;
const runAs = asRoot ? postgresUser() : undefined;
const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((file) => existsSync(file));

/** Why a replicated pair cannot be started on this machine, or undefined when it can. */
export function replicationUnavailable(): string | undefined {
  if (!binDir) return 'no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) were found';
  if (asRoot && !runAs) return 'running as root, and there is no postgres user to run them as';
  if (asRoot && !runuser) return 'running as root, and runuser is missing';
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function tool(name: string, args: string[], cwd: string): Promise<void> {
  const program = path.join(binDir as string, name);
  const [file, argv] = runAs
    ? [runuser as string, ['-u', runAs.name, '--', program, ...args]]
    : [program, args];
  try {
    await run(file, argv, { cwd, env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 });
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`${name} ${args.join(' ')} failed:\n${stderr || stdout}`);
  }
}

/** What a server logged since `mark()`: with log_statement=all, every statement it ran. */
export interface ServerLog {
  mark(): Promise<() => Promise<string>>;
}

function serverLog(file: string): ServerLog {
  const readFrom = async (offset: number) => {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const buffer = Buffer.alloc(Math.max(0, size - offset));
      await handle.read(buffer, 0, buffer.length, offset);
      return { text: buffer.toString('utf8'), size };
    } finally {
      await handle.close();
    }
  };
  return {
    async mark() {
      const { size } = await readFrom(0);
      return async () => (await readFrom(size)).text;
    },
  };
}

export interface ReplicatedPair {
  primaryUrl: string;
  standbyUrl: string;
  primaryLog: ServerLog;
  standbyLog: ServerLog;
  stopStandby(): Promise<void>;
  startStandby(): Promise<void>;
  /** Stops both servers and removes their folders; safe to call after a failed start. */
  destroy(): Promise<void>;
}

/** The settings both servers share; the standby copies them with the base backup. */
function serverSettings(port: number, socketDir: string): string {
  return `
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${socketDir}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
max_connections = 40
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_statement = 'all'
log_line_prefix = '%a: '
`;
}

/**
 * A PostgreSQL primary (initdb in a temporary folder, on a free port) and a streaming standby
 * made from it with `pg_basebackup -R`, on another port: never the shared server on 5432.
 */
export async function startReplicatedPair(): Promise<ReplicatedPair> {
  const base = await mkdtemp(path.join(tmpdir(), 'chartroom-replica-'));
  if (runAs) await chown(base, runAs.uid, runAs.gid);
  const primaryDir = path.join(base, 'primary');
  const standbyDir = path.join(base, 'standby');
  const primaryLogFile = path.join(base, 'primary.log');
  const standbyLogFile = path.join(base, 'standby.log');
  const started: string[] = [];
  const pgCtl = (dir: string, ...args: string[]) =>
    tool('pg_ctl', ['-D', dir, '-w', '-t', '60', ...args], base);
  const startServer = async (dir: string, log: string) => {
    await pgCtl(dir, '-l', log, 'start');
    if (!started.includes(dir)) started.push(dir);
  };
  const destroy = async () => {
    for (const dir of started.reverse())
      await pgCtl(dir, '-m', 'immediate', 'stop').catch(() => {});
    await rm(base, { recursive: true, force: true });
  };
  try {
    const [primaryPort, standbyPort] = [await freePort(), await freePort()];
    await tool(
      'initdb',
      ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      base,
    );
    await appendFile(path.join(primaryDir, 'postgresql.conf'), serverSettings(primaryPort, base));
    await appendFile(
      path.join(primaryDir, 'pg_hba.conf'),
      '\nhost replication replicator 127.0.0.1/32 trust\n',
    );
    await startServer(primaryDir, primaryLogFile);
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
    const client = new pg.Client({ connectionString: primaryUrl });
    await client.connect();
    try {
      await client.query('create role replicator with replication login');
    } finally {
      await client.end();
    }
    await tool(
      'pg_basebackup',
      [
        ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'replicator'],
        ...['-D', standbyDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
      ],
      base,
    );
    // Later lines win: the standby listens on a port of its own.
    await appendFile(path.join(standbyDir, 'postgresql.conf'), `\nport = ${standbyPort}\n`);
    await startServer(standbyDir, standbyLogFile);
    return {
      primaryUrl,
      standbyUrl: `postgres://postgres@127.0.0.1:${standbyPort}/postgres`,
      primaryLog: serverLog(primaryLogFile),
      standbyLog: serverLog(standbyLogFile),
      stopStandby: () => pgCtl(standbyDir, '-m', 'fast', 'stop'),
      startStandby: () => startServer(standbyDir, standbyLogFile),
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
