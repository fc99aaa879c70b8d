// A process-runtime container's output and exit status, kept where a restarted server finds them again
// (`wayfinder up --keep-tasks`): `<tasksDir>/.output/<random>/`, the server's own directory (0700: the
// task's user cannot enter it, so it cannot swap a file for a symlink; every open is O_NOFOLLOW too).
//
//   stdout, stderr  named pipes (FIFOs). The container's fd 1 and 2 are opened read-write on them, so the
//                   container itself keeps each pipe alive: when the server goes, a write does not fail
//                   (no SIGPIPE); it waits in the pipe's buffer (64 KiB by default) for the next server to
//                   read it. A pipe read consumes, so a line is delivered once: no offsets, no duplicates,
//                   and nothing on disk grows (a container that writes more than the buffer while no
//                   server runs blocks in write until one does, as a full pipe blocks any writer).
//   status          the exit status `$?` of the command, written by the `sh` wrapper the container runs in
//                   (spawn.ts) through an fd: a re-adopted process is not our child, its exit cannot be waited for.
//   detached.json   written by a graceful --keep-tasks stop: what the next start may re-adopt (the handle,
//                   and the unfinished line of each stream). Consumed by that start: after a crash of a
//                   server that re-adopted it, there is none, and the survivor is killed as before.
import { execFile } from 'node:child_process';
import { closeSync, constants as fsConstants, chmodSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { ContainerHandle, LineSink, OutputStream } from '../api.js';
import { LineSplitter } from '../lines.js';

const { O_RDONLY, O_RDWR, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = fsConstants;
const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];
const DETACHED = 'detached.json';
const STATUS = 'status';

export type Partials = Record<OutputStream, string>;

/** What a graceful --keep-tasks stop leaves for the next start. */
export interface Detached {
  taskId: string;
  handle: ContainerHandle;
  partial: Partials;
}

/** `<tasksDir>/.output`: no task id starts with a dot, so the working-directory sweep tells it apart. */
export function outputRoot(tasksDir: string): string {
  return join(tasksDir, '.output');
}

function mkfifo(paths: string[]): Promise<void> {
  return new Promise((resolveMade, reject) => {
    execFile('mkfifo', ['-m', '600', '--', ...paths], (e) => (e ? reject(e) : resolveMade()));
  });
}

/** The fds a new container gets (the server closes its copies once it is spawned). */
export type ChildFds = Record<OutputStream | 'status', number>;

/** Makes a container's output directory; returns it, the fds for the child and the read ends for the server. */
export async function makeOutputDir(tasksDir: string): Promise<{ dir: string; child: ChildFds; read: Record<OutputStream, number> }> {
  const root = outputRoot(tasksDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  const dir = join(root, randomBytes(12).toString('hex'));
  mkdirSync(dir, { mode: 0o700 });
  const opened: number[] = [];
  const open = (path: string, flags: number, mode?: number) => {
    const fd = openSync(path, flags | O_NOFOLLOW, mode);
    opened.push(fd);
    return fd;
  };
  try {
    await mkfifo(STREAMS.map((s) => join(dir, s)));
    // The read end first, non-blocking (a FIFO's read open does not wait for a writer then), then the child's ends.
    const read = { stdout: open(join(dir, 'stdout'), O_RDONLY | O_NONBLOCK), stderr: open(join(dir, 'stderr'), O_RDONLY | O_NONBLOCK) };
    const child = {
      stdout: open(join(dir, 'stdout'), O_RDWR),
      stderr: open(join(dir, 'stderr'), O_RDWR),
      status: open(join(dir, STATUS), O_WRONLY | O_CREAT | O_EXCL, 0o600),
    };
    return { dir, child, read };
  } catch (e) {
    for (const fd of opened) closeSync(fd);
    removeOutputDir(dir);
    throw e;
  }
}

/** The read ends of a kept container's pipes (re-adoption); undefined when they are not there. */
export function openOutputPipes(dir: string): Record<OutputStream, number> | undefined {
  let stdout: number | undefined;
  try {
    stdout = openSync(join(dir, 'stdout'), O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
    return { stdout, stderr: openSync(join(dir, 'stderr'), O_RDONLY | O_NONBLOCK | O_NOFOLLOW) };
  } catch {
    if (stdout !== undefined) closeSync(stdout);
    return undefined;
  }
}

export function closeFds(fds: Readonly<Record<string, number>>): void {
  for (const fd of Object.values(fds)) {
    try {
      closeSync(fd);
    } catch {
      /* closed already */
    }
  }
}

/** The command's exit status as the wrapper wrote it; undefined when it never did (the wrapper was killed). */
export function readExitStatus(dir: string): number | undefined {
  try {
    const fd = openSync(join(dir, STATUS), O_RDONLY | O_NOFOLLOW);
    try {
      const text = readFileSync(fd, 'utf8').trim();
      return /^\d{1,3}$/.test(text) && Number(text) <= 255 ? Number(text) : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

export function writeDetached(dir: string, d: Detached): void {
  const fd = openSync(join(dir, DETACHED), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    writeFileSync(fd, JSON.stringify(d));
  } finally {
    closeSync(fd);
  }
}

/** Every kept container a graceful --keep-tasks stop left below the output root, by directory. */
export function readAllDetached(tasksDir: string): Map<string, Detached> {
  const found = new Map<string, Detached>();
  const root = outputRoot(tasksDir);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return found;
  }
  for (const name of names) {
    const dir = join(root, name);
    try {
      const fd = openSync(join(dir, DETACHED), O_RDONLY | O_NOFOLLOW);
      try {
        const d = JSON.parse(readFileSync(fd, 'utf8')) as Detached;
        if (d.handle?.runtime === 'process' && typeof d.taskId === 'string') found.set(dir, d);
      } finally {
        closeFds({ fd });
      }
    } catch {
      /* not kept: swept */
    }
  }
  return found;
}

/** A re-adopted container is no longer kept: a crash of this server from now on ends it (see the header). */
export function forgetDetached(dir: string): void {
  try {
    unlinkSync(join(dir, DETACHED));
  } catch {
    /* gone already */
  }
}

/** Removes output directories no kept container claims (a previous run's; its containers were ended). */
export function sweepOutputDirs(tasksDir: string, keep: ReadonlySet<string>): void {
  const root = outputRoot(tasksDir);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) if (!keep.has(join(root, name))) removeOutputDir(join(root, name));
}

export function removeOutputDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Follows a container's two pipes into its line sink. `ended` resolves once both reach end of file
 * (every process holding a write end is gone); `detach` stops following without losing anything
 * (what was not read stays in the pipe; the unfinished lines are returned).
 */
export class OutputFollower {
  private readonly sockets: Socket[] = [];
  private readonly splitters: LineSplitter[] = [];
  readonly ended: Promise<void>;

  constructor(read: Record<OutputStream, number>, onLine?: LineSink, carried?: Partial<Partials>) {
    const closed: Promise<unknown>[] = [];
    for (const stream of STREAMS) {
      const splitter = new LineSplitter((l) => onLine?.(stream, l), carried?.[stream] ?? '');
      const socket = new Socket({ fd: read[stream], readable: true, writable: false });
      socket.on('data', (c: Buffer) => splitter.write(c));
      socket.on('error', () => undefined); // a read error ends the stream like EOF
      closed.push(new Promise((r) => socket.once('close', r)));
      this.sockets.push(socket);
      this.splitters.push(splitter);
    }
    this.ended = Promise.all(closed).then(() => undefined);
  }

  /** Emits the unfinished lines (the container is gone) and closes what is still open. */
  end(): void {
    for (const s of this.sockets) s.destroy();
    for (const s of this.splitters) s.end();
  }

  detach(): Partials {
    for (const s of this.sockets) s.destroy();
    return { stdout: this.splitters[0]!.takePartial(), stderr: this.splitters[1]!.takePartial() };
  }
}
