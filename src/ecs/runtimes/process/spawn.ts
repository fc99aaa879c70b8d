// Spawning a container's processes into its tree (containment.ts). In cgroup mode through a gate:
// `/bin/sh` (already the container's user, in its working directory) waits on fd 3 until the server
// has put it into the container's cgroup, then execs the command; nothing of the task runs before
// it is inside, so nothing can fork out early. With /proc tracking, directly.
//
// A definition's `workingDirectory` with a user switch is entered BY THAT USER (`userCwd`): Node
// chdirs before it drops root, so `cwd` would let a task start inside a directory its user could
// never reach (a root-only one). Such a process is spawned in `/` and a small `sh` wrapper, already
// running as the user, does `cd` and then execs the command. (The directory the runtime makes for a
// container is entered with `cwd`: it is the user's own, but the data dir above it may be closed.)
//
// A container's command (not a health check) runs under a recording `sh` (`status`): it runs the
// command as its child, writes `$?` to the status pipe it was given as fd 4 (output.ts), then stops
// itself (SIGSTOP, in a loop) holding the container's pipes open until the server, having read the
// status and the last output, ends it. So a server that re-adopts the container after a --keep-tasks
// restart, and cannot wait for it, still learns its exit code and reads its last lines. The wrapper is
// the group leader (the pid the runtime knows); StopTask's SIGTERM to the group reaches the command as
// before, while the wrapper traps it to outlive the command and record how it ended (a signal's `$?`
// is 128+n, ECS's exit code); SIGKILL ends both (the runtime then knows it sent 137).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { StartError } from '../api.js';
import type { TaskTree } from './containment.js';

const GATE = 'read -r _ <&3; exec 3<&-; ';
const EXEC = 'exec "$@"';
/**
 * `(exec …)`: execvp as `exec "$@"` does (a bare `"$@"` would run sh's builtin for `echo`, `kill`, `test`…).
 * The wrapper's own stderr is /dev/null (the command gets the real one back as fd 2): sh would otherwise
 * add a "Terminated" line of its own to the container's log when the command dies of a signal.
 */
const RECORD = 'exec 5>&2 2>/dev/null; trap : HUP INT TERM; (exec "$@" 2>&5 5>&- 4>&-); echo "$?" >&4; while :; do kill -STOP $$; done';
/** Enters the directory given as $1 (as the user the shell runs as), then what follows. */
const CD = 'cd -- "$1" || exit 1; shift; ';

/** Signals a process group (a container's leader and what stayed in its group). */
export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Whether the user `as` can enter `dir` (checked by that user: a root check proves nothing). */
export function userCanEnter(dir: string, as: { uid: number; gid: number }): Promise<boolean> {
  return new Promise((resolveCheck) => {
    const c = spawn('/bin/sh', ['-c', 'cd -- "$1"', 'wayfinder-cd', dir], { cwd: '/', uid: as.uid, gid: as.gid, env: {}, stdio: 'ignore' });
    c.once('error', () => resolveCheck(false));
    c.once('exit', (code) => resolveCheck(code === 0));
  });
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
 * `userCwd`: the directory to start in, entered by the shell as `uid` (see above), not by Node as root.
 */
export function spawnInto(tree: TaskTree, argv: string[], options: SpawnOptions & { userCwd?: string; status?: number }): Promise<ChildProcess> {
  const gated = tree.kind === 'cgroup';
  const { userCwd, status, ...rest } = options;
  const recording = status !== undefined;
  // fd 3: the gate (else closed); fd 4: where the recording wrapper writes `$?`.
  const stdio = [...(options.stdio as Array<'ignore' | 'pipe' | number>), ...(gated ? ['pipe' as const] : recording ? ['ignore' as const] : []), ...(recording ? [status] : [])];
  const cdAsUser = userCwd !== undefined;
  const cd = cdAsUser ? [userCwd] : [];
  const opts: SpawnOptions = { ...rest, ...(cdAsUser ? { cwd: '/' } : {}), stdio, detached: true };
  const script = (cdAsUser ? CD : '') + (gated ? GATE : '') + (recording ? RECORD : EXEC);
  const child =
    gated || cdAsUser || recording
      ? spawn('/bin/sh', ['-c', script, recording ? 'wayfinder-task' : gated ? 'wayfinder-gate' : 'wayfinder-cd', ...cd, ...argv], opts)
      : spawn(argv[0]!, argv.slice(1), opts);
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
