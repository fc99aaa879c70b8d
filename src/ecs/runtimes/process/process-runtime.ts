// The process runtime: each container is `entryPoint + command` run as a child process (the image is
// not used: without Docker there is nothing to unpack it into). Each portMappings entry gets a free
// loopback port; env PORT = the first mapping's port and PORT_<containerPort> for each, so programs
// listen where Cloud Map will send traffic (127.0.0.1:<port>).
//
// Containment (what a task cannot escape; docs/ecs.md says what it can):
//   user     the container's `user` is honoured (users.ts): the server, as root, switches to it;
//            not as root, a different user is refused rather than silently run as the server.
//   cwd      its own empty directory below the data dir, owned by that user (workdir.ts), unless
//            the definition sets `workingDirectory`: that one is entered as the user (spawn.ts).
//   tree     every process it starts, whatever session or group it moves to, ends with it: a
//            cgroup per container where the host allows, else /proc tracking (containment.ts),
//            entered before the command runs (spawn.ts).
//
// Children cannot outlive the server in a useful way (their output pipes die with it), so `recover`
// never re-adopts: a survivor found after a crash is killed (its whole cgroup, where there is one)
// and reported gone, and the scheduler replaces it.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LineSplitter } from '../lines.js';
import {
  StartError,
  type ContainerHandle,
  type ContainerRuntime,
  type ContainerSpec,
  type ExitStatus,
  type LineSink,
  type PortBinding,
  type Recovered,
  type StartedContainer,
} from '../api.js';
import {
  CgroupTree,
  MARKER_VAR,
  ProcTree,
  containerCgroupName,
  containerCgroupParent,
  ensureCgroup,
  killCgroup,
  procStartTime,
  procTable,
  removeCgroup,
  sweepStaleCgroups,
  type TaskTree,
} from './containment.js';
import { freeLoopbackPorts } from './ports.js';
import { NotPlaced, checkExecutable, killGroup, spawnInto, userCanEnter } from './spawn.js';
import { decideRunAs, hostAccounts, serverIdentity, type Accounts, type Identity, type RunAs } from './users.js';
import { makeWorkDir, removeWorkDirAsync, sweepWorkDirs } from './workdir.js';

interface ProcessHandle extends ContainerHandle {
  runtime: 'process';
  pid: number;
  /** /proc/<pid>/stat start time: tells our process from a later one that reused the pid. */
  startTime: string;
  /** The cgroup holding the container's processes (absent: /proc tracking). */
  cgroup?: string;
  /** The working directory the runtime made for it (removed with the container). */
  workDir?: string;
  /** /proc tracking: `WAYFINDER_TASK_TREE=<random>` in its processes' environment (how a restarted server finds escaped ones). */
  marker?: string;
}

interface Live {
  child: ChildProcess;
  exited: Promise<ExitStatus>;
  done: boolean;
  env: Record<string, string>;
  /** Where processes start: `cwd` (entered by the server) or `userCwd` (by the user, spawn.ts). */
  where: { cwd: string } | { userCwd: string };
  as?: Identity;
  tree: TaskTree;
  workDir?: string;
  /** Set once clean-up began (the working directory may still be going). */
  cleaned?: Promise<void>;
}

export interface ProcessRuntimeOptions {
  /** Where containers' own working directories go (`<dataDir>/tasks`); default: a temp dir of this runtime. */
  tasksDir?: string;
  /** false: never use cgroups, track processes through /proc (tests of that fallback). */
  cgroups?: boolean;
  /** Tests: the identity and accounts user decisions are made against. */
  server?: Identity;
  accounts?: () => Accounts;
}

/** What children inherit from the server's environment (nothing secret, just enough to run). */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ', 'USER', 'SHELL'];

/** How often the /proc fallback looks for new descendants. */
const SCAN_MS = 250;
/** How long the end of a container waits for its tree to be gone. */
const SETTLE_MS = 5_000;

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (code !== null) return code;
  if (signal) return 128 + (osConstants.signals[signal] ?? 0);
  return null;
}

async function settle(tree: TaskTree): Promise<void> {
  for (let waited = 0; waited < SETTLE_MS && tree.running(); waited += 20) await new Promise((r) => setTimeout(r, 20));
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process' as const;
  private readonly live = new Map<number, Live>();
  /** Made on first use when not given, removed when no container needs it. */
  private tasksDirPath?: string;
  private readonly ownTasksDir: boolean;
  /** undefined: /proc tracking (no cgroup2 here, or the host refused us one). */
  private cgroupParent?: string;
  /** A parent given up on (the host refused to place a process): removed once its containers are. */
  private retiredCgroupParent?: string;
  private readonly server: Identity;
  private readonly accounts: () => Accounts;
  private scanner?: NodeJS.Timeout;
  private starting = 0;
  /** Working directories being removed (in the background). */
  private removing = 0;

  constructor(opts: ProcessRuntimeOptions = {}) {
    this.ownTasksDir = !opts.tasksDir;
    this.tasksDirPath = opts.tasksDir;
    this.server = opts.server ?? serverIdentity();
    this.accounts = opts.accounts ?? (() => hostAccounts());
    if (opts.cgroups !== false) this.cgroupParent = containerCgroupParent(opts.tasksDir ?? `wayfinder-pid-${process.pid}-${Math.random()}`);
    // Process-runtime containers never outlive the server that started them: whatever a previous
    // run on this data dir left (it crashed) is ended and removed before anything new starts.
    if (this.cgroupParent && opts.tasksDir) {
      sweepStaleCgroups(this.cgroupParent);
      removeCgroup(this.cgroupParent);
    }
    if (opts.tasksDir) sweepWorkDirs(opts.tasksDir);
  }

  private get tasksDir(): string {
    this.tasksDirPath ??= mkdtempSync(join(tmpdir(), 'wayfinder-tasks-'));
    return this.tasksDirPath;
  }

  /** The parent cgroup, made if needed; undefined (from now on) when the host does not let us. */
  private usableCgroupParent(): string | undefined {
    if (this.cgroupParent && !ensureCgroup(this.cgroupParent)) this.cgroupParent = undefined;
    return this.cgroupParent;
  }

  /** How containers' processes are held together here: a cgroup each, or /proc tracking. */
  get containment(): 'cgroup' | 'proc' {
    return this.usableCgroupParent() ? 'cgroup' : 'proc';
  }

  /** Why a container's `user` cannot be honoured by this server whatever the host's accounts (RegisterTaskDefinition refuses those). */
  userProblem(container: string, user: string | undefined): string | undefined {
    const d = decideRunAs(container, user, this.server, this.accounts());
    return !d.ok && d.serverCannotSwitch ? d.reason.replace(/^CannotStartContainerError: /, '') : undefined;
  }

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    this.starting++; // keeps releaseIfIdle from removing the parents this start is using
    try {
      return await this.startContainer(spec);
    } finally {
      this.starting--;
      this.releaseIfIdle(); // a start that failed leaves nothing behind
    }
  }

  private async startContainer(spec: ContainerSpec): Promise<StartedContainer> {
    const argv = [...(spec.entryPoint ?? []), ...(spec.command ?? [])];
    if (!argv.length) {
      throw new StartError(
        `CannotStartContainerError: container '${spec.name}' has neither entryPoint nor command; the process runtime runs entryPoint + command (it cannot use an image's default command without Docker)`,
      );
    }
    const runAs: RunAs = decideRunAs(spec.name, spec.user, this.server, this.accounts());
    if (!runAs.ok) throw new StartError(runAs.reason);
    const as = runAs.as ? { uid: runAs.as.uid, gid: runAs.as.gid } : undefined;
    if (spec.workingDirectory) {
      // Checked as the user who will run there (the process then enters it as that user too, spawn.ts).
      const wd = spec.workingDirectory;
      if (as ? !(await userCanEnter(wd, as)) : !(existsSync(wd) && statSync(wd).isDirectory())) {
        throw new StartError(`CannotStartContainerError: working directory '${wd}' does not exist${as ? ` or user ${as.uid}:${as.gid} cannot enter it` : ''}`);
      }
    }
    const ports = await freeLoopbackPorts(spec.ports.length);
    const bindings: PortBinding[] = spec.ports.map((p, i) => ({ containerPort: p.containerPort, hostPort: ports[i]!, protocol: p.protocol }));
    const env: Record<string, string> = {};
    for (const k of INHERITED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
    if (runAs.as) {
      // The server's HOME and USER are not the container user's.
      env.HOME = runAs.as.home || '/';
      if (runAs.as.name) env.USER = runAs.as.name;
      else delete env.USER;
    }
    Object.assign(env, spec.environment);
    if (bindings.length) env.PORT = String(bindings[0]!.hostPort);
    for (const b of bindings) env[`PORT_${b.containerPort}`] = String(b.hostPort);

    const workDir = spec.workingDirectory ? undefined : makeWorkDir(this.tasksDir, spec.taskId, spec.name, as);
    const cwd = spec.workingDirectory ?? workDir!;
    // A definition's directory is entered by the container's user, never by root for it (spawn.ts).
    const where = as && spec.workingDirectory ? { userCwd: cwd } : { cwd };
    let held: TaskTree | undefined;
    let spawned: ChildProcess | undefined;
    try {
      // Before the gate or the cd wrapper: behind them a missing command would only be exit 127.
      checkExecutable(argv[0]!, env, cwd);
      const parent = this.usableCgroupParent();
      const cgroup = parent ? CgroupTree.create(parent, containerCgroupName(spec.taskId, spec.name, Date.now().toString(36))) : undefined;
      if (cgroup) {
        held = cgroup;
        spawned = await spawnInto(cgroup, argv, { ...where, env, ...as, stdio: ['ignore', 'pipe', 'pipe'] }).catch((e: unknown) => {
          if (!(e instanceof NotPlaced)) throw e;
          cgroup.close();
          // The host let us make the cgroup but not move into it: use /proc tracking from now on
          // (the parent goes once idle; other containers may still be in it).
          this.retiredCgroupParent = this.cgroupParent;
          this.cgroupParent = undefined;
          return undefined;
        });
      }
      if (!spawned) {
        const proc = new ProcTree();
        held = proc;
        env[MARKER_VAR] = proc.marker.slice(MARKER_VAR.length + 1); // health checks carry it too
        spawned = await spawnInto(proc, argv, { ...where, env, ...as, stdio: ['ignore', 'pipe', 'pipe'] });
      }
    } catch (e) {
      held?.close();
      if (workDir) await this.removeWorkDir(workDir);
      throw e;
    }
    const child = spawned;
    const tree = held!;
    const pid = child.pid!;
    const out = new LineSplitter((l) => spec.onLine?.('stdout', l));
    const err = new LineSplitter((l) => spec.onLine?.('stderr', l));
    child.stdout!.on('data', (c: Buffer) => out.write(c));
    child.stderr!.on('data', (c: Buffer) => err.write(c));
    const streamsEnded = Promise.all([new Promise((r) => child.stdout!.once('close', r)), new Promise((r) => child.stderr!.once('close', r))]);
    const entry: Live = {
      child,
      done: false,
      env,
      where,
      ...(as ? { as } : {}),
      tree,
      ...(workDir ? { workDir } : {}),
      exited: undefined as unknown as Promise<ExitStatus>,
    };
    entry.exited = new Promise<ExitStatus>((resolveExit) => {
      child.once('exit', (code, signal) => {
        entry.done = true;
        // The leader is gone: so is the container (as when PID 1 of a Docker container exits).
        killGroup(pid, 'SIGKILL');
        // Not inside the exit event: the /proc fallback's kill scans /proc up to 21 times. The settling waits
        // for it: checked before the kill, a tree whose tracked processes were all gone (an escaped daemon
        // not tracked yet) looked settled, and the exit was reported while the kill was still to come.
        const killed = new Promise<void>((r) =>
          setImmediate(() => {
            try {
              tree.kill();
            } finally {
              r();
            }
          }),
        );
        const status: ExitStatus = { exitCode: exitCodeOf(code, signal) };
        // Let the last lines reach the sink, and the tree die, before anyone learns of the exit (bounded).
        void Promise.all([Promise.race([streamsEnded, new Promise((r) => setTimeout(r, 500).unref())]), killed.then(() => settle(tree))]).then(() => {
          out.end();
          err.end();
          resolveExit(status);
        });
      });
    });
    this.live.set(pid, entry);
    this.scanWhileTracking();
    // Clean-up when nobody calls remove (a reset dropped the task record).
    void entry.exited.then(() =>
      setTimeout(() => {
        void this.cleanUp(entry);
        this.live.delete(pid);
      }, 60_000).unref(),
    );
    const handle: ProcessHandle = {
      runtime: 'process',
      pid,
      startTime: procStartTime(pid) ?? '',
      ...(tree.cgroupDir ? { cgroup: tree.cgroupDir } : {}),
      ...(workDir ? { workDir } : {}),
      ...(tree instanceof ProcTree ? { marker: tree.marker } : {}),
    };
    return { handle, runtimeId: String(pid), bindings };
  }

  /** Runs the /proc fallback's periodic scan while any tracked container lives. */
  private scanWhileTracking(): void {
    if (this.scanner) return;
    const tracked = () => [...this.live.values()].filter((l) => !l.done && l.tree instanceof ProcTree).map((l) => l.tree as ProcTree);
    if (!tracked().length) return;
    this.scanner = setInterval(() => {
      const trees = tracked();
      if (!trees.length) {
        clearInterval(this.scanner);
        this.scanner = undefined;
        return;
      }
      const table = procTable();
      for (const t of trees) t.scan(table);
    }, SCAN_MS);
    this.scanner.unref();
  }

  private cleanUp(entry: Live): Promise<void> {
    entry.cleaned ??= (async () => {
      entry.tree.close();
      if (entry.workDir) await this.removeWorkDir(entry.workDir);
      this.releaseIfIdle();
    })();
    return entry.cleaned;
  }

  /** Removes a working directory without blocking the server; the parents stay until it is gone. */
  private async removeWorkDir(dir: string): Promise<void> {
    this.removing++;
    try {
      await removeWorkDirAsync(dir);
    } finally {
      this.removing--;
    }
  }

  /** With no container left, leaves no empty parents behind (made again by the next start). */
  private releaseIfIdle(): void {
    if (this.starting || this.removing || [...this.live.values()].some((l) => !l.cleaned)) return;
    this.releaseCgroupParents();
    this.releaseOwnTasksDir();
  }

  private releaseCgroupParents(): void {
    if (this.cgroupParent) removeCgroup(this.cgroupParent);
    if (this.retiredCgroupParent) removeCgroup(this.retiredCgroupParent);
  }

  /**
   * Removes the temp tasks dir this runtime made (`--data-dir :memory:`). Not recursively as root:
   * what is left in it is what removeWorkDir refused to delete; that stays.
   */
  private releaseOwnTasksDir(): void {
    if (!this.ownTasksDir || !this.tasksDirPath) return;
    sweepWorkDirs(this.tasksDirPath);
    try {
      rmdirSync(this.tasksDirPath);
    } catch {
      /* kept: see above */
    }
    this.tasksDirPath = undefined;
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
    const timer = setTimeout(() => {
      killGroup(pid, 'SIGKILL');
      live.tree.kill();
    }, Math.max(0, timeoutSec) * 1000);
    try {
      await live.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async remove(handle: ContainerHandle): Promise<void> {
    const h = handle as ProcessHandle;
    const live = this.live.get(h.pid);
    if (live) {
      if (!live.done) return; // still running: remove is for exited containers
      this.live.delete(h.pid);
      await this.cleanUp(live);
      return;
    }
    // A container of an earlier run of this server.
    if (h.cgroup) {
      killCgroup(h.cgroup);
      removeCgroup(h.cgroup);
      // Its parent, when not this server's (an earlier run under another cgroup); ours goes when idle.
      const parent = dirname(h.cgroup);
      if (parent !== this.cgroupParent && basename(parent).startsWith('wayfinder-')) removeCgroup(parent);
    }
    if (h.workDir) await this.removeWorkDir(h.workDir);
    this.releaseIfIdle();
  }

  exec(handle: ContainerHandle, argv: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }> {
    const live = this.live.get((handle as ProcessHandle).pid);
    if (!live || live.done || !argv.length) return Promise.resolve({ exitCode: null, output: 'container is not running' });
    return new Promise((resolveExec) => {
      let output = '';
      let settled = false;
      let child: ChildProcess | undefined;
      const finish = (exitCode: number | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolveExec({ exitCode, output: output.slice(0, 4096) });
      };
      const timer = setTimeout(() => {
        if (child?.pid) killGroup(child.pid, 'SIGKILL');
        finish(null);
      }, timeoutMs);
      timer.unref();
      // Health checks run as the container's user, in its directory and its tree (they die with it).
      spawnInto(live.tree, argv, { ...live.where, env: live.env, ...live.as, stdio: ['ignore', 'pipe', 'pipe'] }).then(
        (c) => {
          child = c;
          const collect = (b: Buffer) => {
            if (output.length < 4096) output += b.toString('utf8');
          };
          c.stdout!.on('data', collect);
          c.stderr!.on('data', collect);
          c.once('exit', (code, signal) => finish(exitCodeOf(code, signal)));
        },
        (e: Error) => {
          output += e instanceof StartError ? e.reason : e.message;
          finish(null);
        },
      );
    });
  }

  async recover(handle: ContainerHandle): Promise<Recovered> {
    const { pid, startTime, cgroup, marker } = handle as ProcessHandle;
    const live = this.live.get(pid);
    if (live && !live.done) return { state: 'running' };
    if (live?.done) return { state: 'exited', ...(await live.exited) };
    // A child of an earlier server. Its pipes died with that server: kill it (and all it started) if it survived.
    if (cgroup) killCgroup(cgroup);
    if (startTime && procStartTime(pid) === startTime) killGroup(pid, 'SIGKILL');
    // Without a cgroup: every process still carrying the container's marker, wherever it went, and its descendants.
    if (marker?.startsWith(`${MARKER_VAR}=`)) new ProcTree(marker).kill();
    return { state: 'exited', exitCode: null, reason: 'Wayfinder restarted; process-runtime containers do not survive a restart' };
  }

  async owned(): Promise<Array<{ handle: ContainerHandle; taskId: string }>> {
    return [];
  }

  /**
   * Kills every child at once (reset and shutdown): with SIGKILL, every process of every container,
   * whose cgroups and working directories then go (nobody will call remove for them).
   */
  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const [pid, live] of this.live) {
      if (signal !== 'SIGKILL') {
        if (!live.done) killGroup(pid, signal);
        continue;
      }
      if (!live.done) {
        killGroup(pid, signal);
        live.tree.kill();
      }
      void live.exited.then(() => this.cleanUp(live));
    }
    if (signal === 'SIGKILL') this.releaseIfIdle();
  }

  async close(): Promise<void> {
    this.killAll();
    if (this.scanner) clearInterval(this.scanner);
    this.scanner = undefined;
    await Promise.all([...this.live.values()].map((l) => Promise.race([l.exited, new Promise((r) => setTimeout(r, SETTLE_MS).unref())])));
    await Promise.all([...this.live.values()].map((l) => this.cleanUp(l)));
    this.releaseCgroupParents();
    this.releaseOwnTasksDir();
  }
}

export type { LineSink };
