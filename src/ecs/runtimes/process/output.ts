// A process-runtime container's output and exit status, kept where a restarted server finds them again
// (`wayfinder up --keep-tasks`): `<tasksDir>/.output/<random>/`, the server's own directory (0700: the
// task's user cannot enter it, so it cannot swap a file for a symlink; every open is O_NOFOLLOW too).
// All three are named pipes (FIFOs), opened read-write for the container so that the container itself
// keeps each pipe alive: when the server goes, a write does not fail (no SIGPIPE), it waits in the
// pipe's buffer for the next server to read it. A pipe read consumes, so each line is delivered once
// (no offsets, no duplicates), and nothing grows on disk. Bound: a container that writes more than the
// pipe buffer (64 KiB by default; 4 KiB once an unprivileged user holds 1,024 pipes) while no server
// runs blocks in write until one does, as any writer to a full pipe does.
//
//   stdout, stderr  the container's fd 1 and 2.
//   status          the command's exit status `$?`, written by the `sh` wrapper it runs under (spawn.ts),
//                   which then stays (stopped, holding every pipe open) until the server has read it all
//                   and ends it: a re-adopted process is not our child and cannot be waited for, and its
//                   last lines must outlive it. End of file without a status: the wrapper was killed.
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
const PIPES = [...STREAMS, 'status'] as const;
type Pipe = (typeof PIPES)[number];
const DETACHED = 'detached.json';
/** The longest status text the wrapper writes (`255`): anything longer is not a status. */
const MAX_STATUS = 3;

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

/** The fds of a container's pipes (the child's read-write ends, or the server's read ends). */
export type PipeFds = Record<Pipe, number>;

/** Output directories made ahead per `mkfifo` run: one process spawn costs about as much as the rest of a container start. */
const BATCH = 16;

/**
 * Ready output directories (their three FIFOs made), made BATCH at a time by one `mkfifo` run. Unused
 * ones are removed by `drain`, or by the next start's sweep (no detached.json: not kept).
 */
export class OutputDirPool {
  private readonly ready: string[] = [];
  private refilling?: Promise<void>;

  constructor(private readonly tasksDir: () => string) {}

  async take(): Promise<string> {
    while (!this.ready.length) {
      this.refilling ??= this.refill().finally(() => (this.refilling = undefined));
      await this.refilling;
    }
    return this.ready.pop()!;
  }

  private async refill(): Promise<void> {
    const root = outputRoot(this.tasksDir());
    mkdirSync(root, { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
    const dirs = Array.from({ length: BATCH }, () => join(root, randomBytes(12).toString('hex')));
    for (const d of dirs) mkdirSync(d, { mode: 0o700 });
    try {
      await mkfifo(dirs.flatMap((d) => PIPES.map((p) => join(d, p))));
    } catch (e) {
      for (const d of dirs) removeOutputDir(d);
      throw e;
    }
    this.ready.push(...dirs);
  }

  drain(): void {
    for (const d of this.ready.splice(0)) removeOutputDir(d);
  }
}

/** Opens a ready output directory's pipes: the child's read-write ends and the server's read ends. */
export function openOutputDir(dir: string): { child: PipeFds; read: PipeFds } {
  // The read ends first, non-blocking (a FIFO's read open does not wait for a writer then), then the child's.
  const read = openPipes(dir, O_RDONLY | O_NONBLOCK);
  try {
    return { child: openPipes(dir, O_RDWR), read };
  } catch (e) {
    closeFds(read);
    throw e;
  }
}

function openPipes(dir: string, flags: number): PipeFds {
  const fds: Partial<PipeFds> = {};
  try {
    for (const p of PIPES) fds[p] = openSync(join(dir, p), flags | O_NOFOLLOW);
    return fds as PipeFds;
  } catch (e) {
    closeFds(fds as Record<string, number>);
    throw e;
  }
}

/** The read ends of a kept container's pipes (re-adoption); undefined when they are not there. */
export function openOutputPipes(dir: string): PipeFds | undefined {
  try {
    return openPipes(dir, O_RDONLY | O_NONBLOCK);
  } catch {
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
 * Follows a container's pipes: output into its line sink, and the exit status. `status` resolves with
 * the recorded `$?`, or undefined at end of file without one (the wrapper was killed); `ended` once both
 * output pipes reach end of file (every process holding a write end is gone). `detach` stops following
 * without losing anything: what was not read stays in the pipes, the unfinished lines are returned,
 * and `status` never resolves.
 */
export class OutputFollower {
  private readonly sockets: Socket[] = [];
  private readonly splitters: LineSplitter[] = [];
  private detached = false;
  readonly ended: Promise<void>;
  readonly status: Promise<number | undefined>;

  constructor(read: PipeFds, onLine?: LineSink, carried?: Partial<Partials>) {
    const closed: Promise<unknown>[] = [];
    for (const stream of STREAMS) {
      const splitter = new LineSplitter((l) => onLine?.(stream, l), carried?.[stream] ?? '');
      const socket = this.follow(read[stream]);
      socket.on('data', (c: Buffer) => splitter.write(c));
      closed.push(new Promise((r) => socket.once('close', r)));
      this.splitters.push(splitter);
    }
    this.ended = Promise.all(closed).then(() => undefined);
    const status = this.follow(read.status);
    let text = '';
    this.status = new Promise((resolveStatus) => {
      const settle = (code: number | undefined) => {
        if (!this.detached) resolveStatus(code);
        status.destroy();
      };
      status.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        const line = text.split('\n', 2);
        // The wrapper writes `$?` and a newline in one write, so waiting for more is rare; more than a status
        // without its newline is not the wrapper's (a process of the task's user can reopen the pipe through
        // /proc): an unknown status, not a string that grows for as long as it writes.
        if (line.length < 2) return text.length > MAX_STATUS ? settle(undefined) : undefined;
        settle(/^\d{1,3}$/.test(line[0]!) && Number(line[0]) <= 255 ? Number(line[0]) : undefined);
      });
      status.once('close', () => settle(undefined));
    });
  }

  private follow(fd: number): Socket {
    const socket = new Socket({ fd, readable: true, writable: false });
    socket.on('error', () => undefined); // a read error ends the stream like end of file
    this.sockets.push(socket);
    return socket;
  }

  /** Emits the unfinished lines (the container is gone) and closes what is still open. */
  end(): void {
    for (const s of this.sockets) s.destroy();
    for (const s of this.splitters) s.end();
  }

  detach(): Partials {
    this.detached = true;
    for (const s of this.sockets) s.destroy();
    return { stdout: this.splitters[0]!.takePartial(), stderr: this.splitters[1]!.takePartial() };
  }
}
