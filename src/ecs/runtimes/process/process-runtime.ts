// The process runtime: each container is `entryPoint + command` run as a child process (the image is
// not used: without Docker there is nothing to unpack it into). Each portMappings entry gets a free
// loopback port; env PORT = the first mapping's port and PORT_<containerPort> for each, so programs
// listen where Cloud Map will send traffic (127.0.0.1:<port>).
//
// Children run in their own process group so a stop reaches everything they spawned (sh -c …). They
// cannot outlive the server in a useful way (their output pipes die with it), so `recover` never
// re-adopts: a survivor found after a crash is killed and reported gone, and the scheduler replaces it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { LineSplitter } from '../lines.js';
import { StartError, type ContainerHandle, type ContainerRuntime, type ContainerSpec, type ExitStatus, type LineSink, type PortBinding, type Recovered, type StartedContainer } from '../api.js';
import { freeLoopbackPorts } from './ports.js';

interface ProcessHandle extends ContainerHandle {
  runtime: 'process';
  pid: number;
  /** /proc/<pid>/stat start time: tells our process from a later one that reused the pid. */
  startTime: string;
}

interface Live {
  child: ChildProcess;
  exited: Promise<ExitStatus>;
  done: boolean;
  env: Record<string, string>;
  cwd?: string;
}

/** What children inherit from the server's environment (nothing secret, just enough to run). */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ', 'USER', 'SHELL'];

function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (code !== null) return code;
  if (signal) return 128 + (osConstants.signals[signal] ?? 0);
  return null;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process' as const;
  private readonly live = new Map<number, Live>();

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    const argv = [...(spec.entryPoint ?? []), ...(spec.command ?? [])];
    if (!argv.length) {
      throw new StartError(
        `CannotStartContainerError: container '${spec.name}' has neither entryPoint nor command; the process runtime runs entryPoint + command (it cannot use an image's default command without Docker)`,
      );
    }
    if (spec.workingDirectory && !(existsSync(spec.workingDirectory) && statSync(spec.workingDirectory).isDirectory())) {
      throw new StartError(`CannotStartContainerError: working directory '${spec.workingDirectory}' does not exist`);
    }
    const ports = await freeLoopbackPorts(spec.ports.length);
    const bindings: PortBinding[] = spec.ports.map((p, i) => ({ containerPort: p.containerPort, hostPort: ports[i]!, protocol: p.protocol }));
    const env: Record<string, string> = {};
    for (const k of INHERITED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k]!;
    Object.assign(env, spec.environment);
    if (bindings.length) env.PORT = String(bindings[0]!.hostPort);
    for (const b of bindings) env[`PORT_${b.containerPort}`] = String(b.hostPort);

    const child = spawn(argv[0]!, argv.slice(1), { cwd: spec.workingDirectory, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'ENOENT' ? `exec: "${argv[0]}": executable file not found in $PATH` : e.code === 'EACCES' ? `exec: "${argv[0]}": permission denied` : e.message;
        reject(new StartError(`CannotStartContainerError: ${why}`));
      });
    });
    const pid = child.pid!;
    const out = new LineSplitter((l) => spec.onLine?.('stdout', l));
    const err = new LineSplitter((l) => spec.onLine?.('stderr', l));
    child.stdout!.on('data', (c: Buffer) => out.write(c));
    child.stderr!.on('data', (c: Buffer) => err.write(c));
    const streamsEnded = Promise.all([new Promise((r) => child.stdout!.once('close', r)), new Promise((r) => child.stderr!.once('close', r))]);
    const entry: Live = { child, done: false, env, cwd: spec.workingDirectory, exited: undefined as unknown as Promise<ExitStatus> };
    entry.exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        entry.done = true;
        // The leader is gone; take down anything it left in its group.
        killGroup(pid, 'SIGKILL');
        const status: ExitStatus = { exitCode: exitCodeOf(code, signal) };
        // Let the last lines reach the sink before anyone learns of the exit (bounded wait).
        void Promise.race([streamsEnded, new Promise((r) => setTimeout(r, 500).unref())]).then(() => {
          out.end();
          err.end();
          resolve(status);
        });
      });
    });
    this.live.set(pid, entry);
    void entry.exited.then(() => setTimeout(() => this.live.delete(pid), 60_000).unref());
    const handle: ProcessHandle = { runtime: 'process', pid, startTime: procStartTime(pid) ?? '' };
    return { handle, runtimeId: String(pid), bindings };
  }

  async wait(handle: ContainerHandle): Promise<ExitStatus> {
    const live = this.live.get((handle as ProcessHandle).pid);
    if (!live) return { exitCode: null, reason: 'process is not a child of this Wayfinder' };
    return live.exited;
  }

  async stop(handle: ContainerHandle, timeoutSec: number): Promise<void> {
    const { pid } = handle as ProcessHandle;
    const live = this.live.get(pid);
    if (!live || live.done) return;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), Math.max(0, timeoutSec) * 1000);
    try {
      await live.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async remove(handle: ContainerHandle): Promise<void> {
    this.live.delete((handle as ProcessHandle).pid);
  }

  exec(handle: ContainerHandle, argv: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }> {
    const live = this.live.get((handle as ProcessHandle).pid);
    if (!live || live.done || !argv.length) return Promise.resolve({ exitCode: null, output: 'container is not running' });
    return new Promise((resolve) => {
      let output = '';
      let settled = false;
      const finish = (exitCode: number | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ exitCode, output: output.slice(0, 4096) });
      };
      const child = spawn(argv[0]!, argv.slice(1), { cwd: live.cwd, env: live.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const collect = (c: Buffer) => {
        if (output.length < 4096) output += c.toString('utf8');
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      child.once('error', (e) => {
        output += e.message;
        finish(null);
      });
      child.once('exit', (code, signal) => finish(exitCodeOf(code, signal)));
      const timer = setTimeout(() => {
        if (child.pid) killGroup(child.pid, 'SIGKILL');
        finish(null);
      }, timeoutMs);
      timer.unref();
    });
  }

  async recover(handle: ContainerHandle): Promise<Recovered> {
    const { pid, startTime } = handle as ProcessHandle;
    const live = this.live.get(pid);
    if (live && !live.done) return { state: 'running' };
    if (live?.done) return { state: 'exited', ...(await live.exited) };
    // A child of an earlier server. Its pipes died with that server: kill it if it survived.
    if (startTime && procStartTime(pid) === startTime) killGroup(pid, 'SIGKILL');
    return { state: 'exited', exitCode: null, reason: 'Wayfinder restarted; process-runtime containers do not survive a restart' };
  }

  async owned(): Promise<Array<{ handle: ContainerHandle; taskId: string }>> {
    return [];
  }

  /** Kills every child at once (reset and shutdown). */
  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const [pid, live] of this.live) if (!live.done) killGroup(pid, signal);
  }

  async close(): Promise<void> {
    this.killAll();
  }
}

export type { LineSink };
