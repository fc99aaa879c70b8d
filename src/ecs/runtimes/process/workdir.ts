// Each process-runtime container without a `workingDirectory` gets its own empty working directory,
// `<tasksDir>/<taskId>/<container>/` (tasksDir = `<dataDir>/tasks`), owned by the container's user
// and closed to everyone else (0700); the directories above it are root's and only traversable
// (0711), so tasks cannot list or enter each other's. It is removed with the container: its output
// went to the log sink, and a directory per task ever run would fill the disk.
//
// Removal runs `rm` AS THE DIRECTORY'S OWNER when that is not the server: a task's files are its
// own, and a root `rm -r` over a tree another user can still change (a survivor swapping a
// directory for a symlink to /etc) could delete what that user never could.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { lstat, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Identity } from './users.js';

/** A path segment from a task id or container name (both are restricted already; this is a backstop). */
function segment(s: string): string {
  const safe = s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return safe === '.' || safe === '..' || !safe ? '_' : safe;
}

function traversableDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  chmodSync(dir, 0o711);
}

/** Creates the container's working directory (empty, 0700, owned by `owner` when given). */
export function makeWorkDir(tasksDir: string, taskId: string, container: string, owner?: Identity): string {
  traversableDir(tasksDir);
  const taskDir = join(tasksDir, segment(taskId));
  const dir = join(taskDir, segment(container));
  removeWorkDir(dir); // a leftover of an earlier run (a new task id makes this rare)
  traversableDir(taskDir);
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

/** Run as the owner, from inside: make everything removable (the task may have chmod'ed things shut), then remove it all. */
const EMPTY_AS_OWNER = ['-c', 'chmod -R u+rwX . 2>/dev/null; rm -rf -- * .[!.]* ..?* 2>/dev/null'];
const EMPTY_TIMEOUT_MS = 30_000;

/** Removes a container's working directory and, when it was the last, its task's directory (blocks: start-up only). */
export function removeWorkDir(dir: string): void {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return;
  }
  const serverUid = process.getuid?.();
  if (st.isDirectory() && serverUid === 0 && st.uid !== 0) {
    // As the owner, from inside (the owner may not be able to reach it through the data dir).
    spawnSync('/bin/sh', EMPTY_AS_OWNER, { cwd: dir, uid: st.uid, gid: st.gid, stdio: 'ignore', timeout: EMPTY_TIMEOUT_MS });
    try {
      rmdirSync(dir); // empty now; its parent is root's, so only root can take the directory itself
    } catch {
      /* something was left: keep it rather than remove another user's tree as root */
    }
  } else {
    rmSync(dir, { recursive: true, force: true });
  }
  try {
    rmdirSync(join(dir, '..'));
  } catch {
    /* another container of the task still has its directory */
  }
}

/** removeWorkDir without blocking the server (a task may leave a million files): for running servers. */
export async function removeWorkDirAsync(dir: string): Promise<void> {
  let st;
  try {
    st = await lstat(dir);
  } catch {
    return;
  }
  if (st.isDirectory() && process.getuid?.() === 0 && st.uid !== 0) {
    await new Promise<void>((done) => {
      const c = spawn('/bin/sh', EMPTY_AS_OWNER, { cwd: dir, uid: st.uid, gid: st.gid, stdio: 'ignore', timeout: EMPTY_TIMEOUT_MS, killSignal: 'SIGKILL' });
      c.once('error', () => done());
      c.once('exit', () => done());
    });
    try {
      await rmdir(dir);
    } catch {
      /* something was left: keep it rather than remove another user's tree as root */
    }
  } else {
    await rm(dir, { recursive: true, force: true });
  }
  try {
    await rmdir(join(dir, '..'));
  } catch {
    /* another container of the task still has its directory */
  }
}

/**
 * Removes every container directory a previous run left, but those in `keep` (containers kept running
 * by a --keep-tasks stop, re-adopted next). Entries starting with a dot are not task directories (output.ts).
 */
export function sweepWorkDirs(tasksDir: string, keep: ReadonlySet<string> = new Set()): void {
  let tasks: string[];
  try {
    tasks = readdirSync(tasksDir);
  } catch {
    return;
  }
  for (const t of tasks) {
    if (t.startsWith('.')) continue;
    let containers: string[] = [];
    try {
      containers = readdirSync(join(tasksDir, t));
    } catch {
      /* not a directory */
    }
    for (const c of containers) if (!keep.has(join(tasksDir, t, c))) removeWorkDir(join(tasksDir, t, c));
    try {
      rmdirSync(join(tasksDir, t));
    } catch {
      /* kept above */
    }
  }
}
