import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** `chartroom-<pid>-<start time>`: which process a folder belongs to, and which life of that pid. */
const SCRATCH_NAME = /^chartroom-(\d+)-(\d+)$/;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ScratchDir {
  path: string;
  /** Folders left by processes that died without cleaning up (a crash, SIGKILL). */
  removed: string[];
}

/**
 * A temporary folder of this process's own, for import spill files and the like, after removing
 * the folders of processes that no longer run. Instances sharing a machine keep apart: a live
 * neighbour's files are never touched, a killed one's do not pile up.
 */
export async function claimScratchDir(base = tmpdir()): Promise<ScratchDir> {
  const own = `chartroom-${process.pid}-${Math.round(performance.timeOrigin)}`;
  const removed: string[] = [];
  for (const entry of await readdir(base).catch(() => [])) {
    const match = SCRATCH_NAME.exec(entry);
    if (!match || entry === own) continue;
    const pid = Number(match[1]);
    // Our own pid with another start time: a previous life of this pid (a container's pid 1).
    if (pid !== process.pid && isRunning(pid)) continue;
    await rm(path.join(base, entry), { recursive: true, force: true });
    removed.push(entry);
  }
  const dir = path.join(base, own);
  await mkdir(dir, { recursive: true });
  return { path: dir, removed };
}
