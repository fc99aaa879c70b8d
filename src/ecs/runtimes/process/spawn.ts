// Spawning a container's processes into its tree (containment.ts). In cgroup mode through a gate:
// `/bin/sh` (already the container's user, in its working directory) waits on fd 3 until the server
// has put it into the container's cgroup, then execs the command; nothing of the task runs before
// it is inside, so nothing can fork out early. With /proc tracking, directly.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { StartError } from '../api.js';
import type { TaskTree } from './containment.js';

const GATE = 'read -r _ <&3; exec 3<&-; exec "$@"';

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function execError(argv0: string, code: string | undefined, message: string): StartError {
  const why = code === 'ENOENT' ? `exec: "${argv0}": executable file not found in $PATH` : code === 'EACCES' ? `exec: "${argv0}": permission denied` : message;
  return new StartError(`CannotStartContainerError: ${why}`);
}

/** The check execvp would make, done before the gate (behind it a failure would only be exit 127). */
export function checkExecutable(argv0: string, env: Record<string, string>, cwd: string): void {
  const candidates = argv0.includes('/')
    ? [resolve(cwd, argv0)]
    : (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).map((d) => (isAbsolute(d) ? join(d, argv0) : resolve(cwd, d, argv0)));
  let denied = false;
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(file, fsConstants.X_OK);
      return;
    } catch {
      denied = true;
    }
  }
  throw execError(argv0, denied ? 'EACCES' : 'ENOENT', '');
}

/** The gated process could not be moved into its cgroup (it was killed at the gate). */
export class NotPlaced extends StartError {
  constructor() {
    super('CannotStartContainerError: could not place the process in its cgroup');
  }
}

/**
 * Spawns argv in the container's tree. Cgroup: through the gate, released once the process is in
 * the cgroup (if it cannot be placed, it is killed before it ran anything: NotPlaced).
 * /proc: directly, the pid becomes a root of the tracked tree.
 */
export function spawnInto(tree: TaskTree, argv: string[], options: SpawnOptions): Promise<ChildProcess> {
  const gated = tree.kind === 'cgroup';
  const stdio = [...(options.stdio as Array<'ignore' | 'pipe'>), ...(gated ? ['pipe' as const] : [])];
  const child = gated
    ? spawn('/bin/sh', ['-c', GATE, 'wayfinder-gate', ...argv], { ...options, stdio, detached: true })
    : spawn(argv[0]!, argv.slice(1), { ...options, stdio, detached: true });
  return new Promise<ChildProcess>((resolveSpawn, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => reject(execError(argv[0]!, e.code, e.message)));
    child.once('spawn', () => {
      if (!tree.add(child.pid!)) {
        killGroup(child.pid!);
        reject(new NotPlaced());
        return;
      }
      if (gated) {
        const gate = child.stdio[3] as NodeJS.WritableStream;
        gate.on('error', () => undefined); // the process may die before it reads: nothing to tell
        gate.end('\n');
      }
      resolveSpawn(child);
    });
  });
}
