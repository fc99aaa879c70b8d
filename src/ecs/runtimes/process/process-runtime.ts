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
// Restarts: a graceful stop with --keep-tasks (`detachAll`) leaves containers running, and the next
// start on the data dir re-adopts them (`recover`): same pid, same ports, same tree. What makes that
// possible (output.ts): output goes through named pipes the container itself keeps open, and a small
// `sh` wrapper reports the command's exit status through a pipe too (spawn.ts), so a re-adopted leader,
// not our child, is followed like one started here, with no polling. After a crash nothing is re-adopted:
// whatever survived is killed (its whole cgroup, where there is one) and reported gone, and the
// scheduler replaces it (what the crashed server had read of its output but not stored is lost, so
// re-adopting it would not be exact).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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
import {
  OutputFollower,
  closeFds,
  forgetDetached,
  OutputDirPool,
  openOutputDir,
  openOutputPipes,
  outputRoot,
  readAllDetached,
  removeOutputDir,
  sweepOutputDirs,
  writeDetached,
  type Detached,
  type Partials,
} from './output.js';
import { freeLoopbackPorts } from './ports.js';
import { NotPlaced, checkExecutable, killGroup, spawnInto, userCanEnter } from './spawn.js';
import { decideRunAs, hostAccounts, serverIdentity, type Accounts, type Identity, type RunAs } from './users.js';
import { makeWorkDir, removeWorkDirAsync, sweepWorkDirs } from './workdir.js';

/** Where a container's processes start: `cwd` (entered by the server) or `userCwd` (by the user, spawn.ts). */
type Where = { cwd: string } | { userCwd: string };

interface ProcessHandle extends ContainerHandle {
  runtime: 'process';
  /** The container's group leader: the recording `sh` its command runs under (spawn.ts). */
  pid: number;
  /** /proc/<pid>/stat start time: tells our process from a later one that reused the pid. */
  startTime: string;
  /** The cgroup holding the container's processes (absent: /proc tracking). */
  cgroup?: string;
  /** The working directory the runtime made for it (removed with the container). */
  workDir?: string;
  /** /proc tracking: `WAYFINDER_TASK_TREE=<random>` in its processes' environment (how a restarted server finds escaped ones). */
  marker?: string;
  /** Its output pipes and exit status (output.ts). Absent in handles of servers that could not re-adopt. */
  outDir?: string;
  /** Who it runs as and where: what health checks of a re-adopted container need. */
  as?: Identity;
  where?: Where;
}

interface Live {
  handle: ProcessHandle;
  taskId: string;
  /** Absent when re-adopted: not our child (its status pipe says when it ends). */
  child?: ChildProcess;
  exited: Promise<ExitStatus>;
  resolveExit: (s: ExitStatus) => void;
  done: boolean;
  /** The stop sent SIGKILL: a wrapper killed so records no status, the exit code is 137. */
  killed?: boolean;
  /** Left running for the next start (detachAll): this server does nothing more with it. */
  detached?: boolean;
  env: Record<string, string>;
  where: Where;
  as?: Identity;
  tree: TaskTree;
  workDir?: string;
  outDir: string;
  output: OutputFollower;
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

/** A process's environment as it was started (the re-adopted leader's: health checks run with it). */
function environOf(pid: number): Record<string, string> | undefined {
  try {
    const env: Record<string, string> = {};
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    return env;
  } catch {
    return undefined;
  }
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process' as const;
  private readonly live = new Map<number, Live>();
  /** Containers a --keep-tasks stop left for this start, by output directory, until recovered or removed. */
  private readonly kept = new Map<string, Detached>();
  private readonly outputDirs = new OutputDirPool(() => this.tasksDir);
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
    // Whatever a previous run on this data dir left is ended and removed before anything new starts,
    // but what a --keep-tasks stop left for re-adoption: its cgroup, working and output directories
    // stay until the task engine recovers it, or removes it as a stray no task record claims (owned()).
    if (opts.tasksDir) for (const [dir, d] of readAllDetached(opts.tasksDir)) if (this.mayKeep(dir, d.handle as ProcessHandle, opts.tasksDir)) this.kept.set(dir, d);
    const kept = [...this.kept.values()].map((d) => d.handle as ProcessHandle);
    if (this.cgroupParent && opts.tasksDir) {
      sweepStaleCgroups(this.cgroupParent, new Set(kept.flatMap((h) => (h.cgroup ? [h.cgroup] : []))));
      removeCgroup(this.cgroupParent); // fails (kept) while a kept container's cgroup is in it
    }
    if (opts.tasksDir) {
      sweepWorkDirs(opts.tasksDir, new Set(kept.flatMap((h) => (h.workDir ? [h.workDir] : []))));
      sweepOutputDirs(opts.tasksDir, new Set(this.kept.keys()));
    }
  }

  /**
   * Whether a kept container's handle names only places of this data dir: its output directory where it
   * was found, its working directory below the tasks dir, its cgroup below ours. (The directory is the
   * server's; this is a backstop should its contents ever be written by someone else.)
   */
  private mayKeep(dir: string, h: ProcessHandle, tasksDir: string): boolean {
    const below = (path: string | undefined, parent: string | undefined) => path === undefined || (parent !== undefined && dirname(dirname(path)) === parent);
    return (
      h.outDir === dir &&
      Number.isInteger(h.pid) &&
      h.pid > 1 &&
      typeof h.startTime === 'string' &&
      below(h.workDir, tasksDir) &&
      (h.cgroup === undefined || (this.cgroupParent !== undefined && dirname(h.cgroup) === this.cgroupParent))
    );
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
    const where: Where = as && spec.workingDirectory ? { userCwd: cwd } : { cwd };
    let held: TaskTree | undefined;
    let spawned: ChildProcess | undefined;
    let out: (ReturnType<typeof openOutputDir> & { dir: string }) | undefined;
    try {
      // Before the gate or the cd wrapper: behind them a missing command would only be exit 127.
      checkExecutable(argv[0]!, env, cwd);
      const outDir = await this.outputDirs.take();
      try {
        out = { dir: outDir, ...openOutputDir(outDir) };
      } catch (e) {
        removeOutputDir(outDir);
        throw e;
      }
      const stdio = { stdio: ['ignore' as const, out.child.stdout, out.child.stderr], status: out.child.status };
      const parent = this.usableCgroupParent();
      const cgroup = parent ? CgroupTree.create(parent, containerCgroupName(spec.taskId, spec.name, Date.now().toString(36))) : undefined;
      if (cgroup) {
        held = cgroup;
        spawned = await spawnInto(cgroup, argv, { ...where, env, ...as, ...stdio }).catch((e: unknown) => {
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
        spawned = await spawnInto(proc, argv, { ...where, env, ...as, ...stdio });
      }
    } catch (e) {
      held?.close();
      if (out) {
        closeFds({ ...out.child, ...out.read });
        removeOutputDir(out.dir);
      }
      if (workDir) await this.removeWorkDir(workDir);
      throw e;
    } finally {
      if (out) closeFds(out.child); // the container holds them now; a copy here would keep its pipes from ending
    }
    const child = spawned;
    const tree = held!;
    const pid = child.pid!;
    const handle: ProcessHandle = {
      runtime: 'process',
      pid,
      startTime: procStartTime(pid) ?? '',
      ...(tree.cgroupDir ? { cgroup: tree.cgroupDir } : {}),
      ...(workDir ? { workDir } : {}),
      ...(tree instanceof ProcTree ? { marker: tree.marker } : {}),
      outDir: out!.dir,
      ...(as ? { as } : {}),
      where,
    };
    const entry = this.track({ handle, taskId: spec.taskId, child, env, where, as, tree, workDir, outDir: out!.dir, output: new OutputFollower(out!.read, spec.onLine) });
    this.watchStatus(entry);
    this.scanWhileTracking();
    return { handle, runtimeId: String(pid), bindings };
  }

  /** Registers a running container (started or re-adopted) and its clean-up once it has exited. */
  private track(parts: Omit<Live, 'exited' | 'resolveExit' | 'done'>): Live {
    let resolveExit!: (s: ExitStatus) => void;
    const exited = new Promise<ExitStatus>((r) => (resolveExit = r));
    const entry: Live = { ...parts, exited, resolveExit, done: false };
    this.live.set(parts.handle.pid, entry);
    // Clean-up when nobody calls remove (a reset dropped the task record).
    void entry.exited.then(() =>
      setTimeout(() => {
        void this.cleanUp(entry);
        this.live.delete(entry.handle.pid);
      }, 60_000).unref(),
    );
    return entry;
  }

  /**
   * The command has ended when the wrapper reports its status, or dies without one (killed: by our
   * stop's SIGKILL, 137, else our child's exit says how; a re-adopted one's cannot be known).
   */
  private watchStatus(entry: Live): void {
    void entry.output.status.then(async (code) => {
      if (code !== undefined) return this.leaderGone(entry, { exitCode: code });
      if (entry.killed) return this.leaderGone(entry, { exitCode: 137 });
      const child = entry.child;
      if (!child) return this.leaderGone(entry, { exitCode: null, reason: 'the container ended without recording its exit status' });
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
      this.leaderGone(entry, { exitCode: exitCodeOf(child.exitCode, child.signalCode) });
    });
  }

  /** The command is gone: so is the container (as when PID 1 of a Docker container exits). */
  private leaderGone(entry: Live, status: ExitStatus): void {
    if (entry.done) return;
    entry.done = true;
    killGroup(entry.handle.pid, 'SIGKILL');
    // Not inside the exit event: the /proc fallback's kill scans /proc up to 21 times. The settling waits
    // for it: checked before the kill, a tree whose tracked processes were all gone (an escaped daemon
    // not tracked yet) looked settled, and the exit was reported while the kill was still to come.
    const killed = new Promise<void>((r) =>
      setImmediate(() => {
        try {
          entry.tree.kill();
        } finally {
          r();
        }
      }),
    );
    // Let the last lines reach the sink, and the tree die, before anyone learns of the exit (bounded).
    void Promise.all([Promise.race([entry.output.ended, new Promise((r) => setTimeout(r, 500).unref())]), killed.then(() => settle(entry.tree))]).then(() => {
      entry.output.end();
      entry.resolveExit(status);
    });
  }

  /** Runs the /proc fallback's periodic scan while any tracked container lives. */
  private scanWhileTracking(): void {
    if (this.scanner) return;
    const tracked = () => [...this.live.values()].filter((l) => !l.done && !l.detached && l.tree instanceof ProcTree).map((l) => l.tree as ProcTree);
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
      removeOutputDir(entry.outDir);
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
    if (this.starting || this.removing || this.kept.size || [...this.live.values()].some((l) => !l.cleaned && !l.detached)) return;
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
    this.outputDirs.drain();
    sweepWorkDirs(this.tasksDirPath);
    sweepOutputDirs(this.tasksDirPath, new Set());
    for (const dir of [outputRoot(this.tasksDirPath), this.tasksDirPath]) {
      try {
        rmdirSync(dir);
      } catch {
        /* kept: see above (or never made) */
      }
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
    if (!live || live.done || live.detached) return;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      live.killed = true;
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
    if (live && !live.detached) {
      if (!live.done) return; // still running: remove is for exited containers
      this.live.delete(h.pid);
      await this.cleanUp(live);
      return;
    }
    // A container of an earlier run of this server: kept by a --keep-tasks stop but claimed by no task (a stray), or gone.
    const kept = h.outDir !== undefined && this.kept.get(h.outDir);
    if (kept) {
      this.kept.delete(h.outDir!);
      this.killEarlier(h);
    }
    if (h.cgroup) {
      killCgroup(h.cgroup);
      removeCgroup(h.cgroup);
      // Its parent, when not this server's (an earlier run under another cgroup); ours goes when idle.
      const parent = dirname(h.cgroup);
      if (parent !== this.cgroupParent && basename(parent).startsWith('wayfinder-')) removeCgroup(parent);
    }
    if (h.workDir) await this.removeWorkDir(h.workDir);
    // Only a directory of ours: the handle is stored data, not a path to trust blindly.
    if (h.outDir && this.tasksDirPath && dirname(h.outDir) === outputRoot(this.tasksDirPath)) removeOutputDir(h.outDir);
    this.releaseIfIdle();
  }

  exec(handle: ContainerHandle, argv: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }> {
    const live = this.live.get((handle as ProcessHandle).pid);
    if (!live || live.done || live.detached || !argv.length) return Promise.resolve({ exitCode: null, output: 'container is not running' });
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

  async recover(handle: ContainerHandle, onLine?: LineSink): Promise<Recovered> {
    const h = handle as ProcessHandle;
    const live = this.live.get(h.pid);
    if (live && !live.detached) return live.done ? { state: 'exited', ...(await live.exited) } : { state: 'running' };
    const kept = h.outDir !== undefined ? this.kept.get(h.outDir) : undefined;
    const keptHandle = kept?.handle as ProcessHandle | undefined;
    if (kept && keptHandle?.pid === h.pid && keptHandle.startTime === h.startTime) {
      this.kept.delete(h.outDir!);
      forgetDetached(h.outDir!); // a crash of this server from now on ends it (output.ts)
      const adopted = this.adopt(h, kept, onLine);
      if (adopted) return adopted.done ? { state: 'exited', ...(await adopted.exited) } : { state: 'running' };
    }
    // A child of a server that crashed (or could not keep it): what it read of the output is lost, so kill it.
    this.killEarlier(h);
    return { state: 'exited', exitCode: null, reason: 'Wayfinder restarted; process-runtime containers survive only a stop with --keep-tasks' };
  }

  /** Re-adopts a container a --keep-tasks stop left: follows its pipes again, watches its leader. undefined: cannot. */
  private adopt(h: ProcessHandle, kept: Detached, onLine: LineSink | undefined): Live | undefined {
    const tree: TaskTree | undefined = h.cgroup ? CgroupTree.adopt(h.cgroup) : h.marker?.startsWith(`${MARKER_VAR}=`) ? new ProcTree(h.marker) : undefined;
    const read = tree && openOutputPipes(h.outDir!);
    if (!tree || !read) return undefined;
    // /proc tracking: its descendants follow by parent links at the next scan, escaped ones by the marker at the kill.
    if (tree instanceof ProcTree) tree.add(h.pid);
    const where = h.where ?? { cwd: h.workDir ?? '/' };
    const entry = this.track({
      handle: h,
      taskId: kept.taskId,
      env: environOf(h.pid) ?? {},
      where,
      ...(h.as ? { as: h.as } : {}),
      tree,
      ...(h.workDir ? { workDir: h.workDir } : {}),
      outDir: h.outDir!,
      output: new OutputFollower(read, onLine, kept.partial),
    });
    // Ended while no server ran: its status and last lines wait in the pipes, read at once.
    this.watchStatus(entry);
    this.scanWhileTracking();
    return entry;
  }

  /** Kills what is left of a container of an earlier run: its cgroup, its leader's group, its marked processes. */
  private killEarlier(h: ProcessHandle): void {
    if (h.cgroup) killCgroup(h.cgroup);
    if (h.startTime && procStartTime(h.pid) === h.startTime) killGroup(h.pid, 'SIGKILL');
    // Without a cgroup: every process still carrying the container's marker, wherever it went, and its descendants.
    if (h.marker?.startsWith(`${MARKER_VAR}=`)) new ProcTree(h.marker).kill();
  }

  /** The containers a --keep-tasks stop left and nothing recovered yet (ECS removes those no task record claims). */
  async owned(): Promise<Array<{ handle: ContainerHandle; taskId: string }>> {
    return [...this.kept.values()].map((d) => ({ handle: d.handle, taskId: d.taskId }));
  }

  /**
   * Kills every child at once (reset and shutdown): with SIGKILL, every process of every container,
   * whose cgroups and working directories then go (nobody will call remove for them).
   */
  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const [pid, live] of this.live) {
      if (live.detached) continue;
      if (signal !== 'SIGKILL') {
        if (!live.done) killGroup(pid, signal);
        continue;
      }
      if (!live.done) {
        live.killed = true;
        killGroup(pid, signal);
        live.tree.kill();
      }
      void live.exited.then(() => this.cleanUp(live));
    }
    if (signal === 'SIGKILL') this.releaseIfIdle();
  }

  /**
   * Graceful stop with --keep-tasks: every running container is left running, untouched, for the next
   * start on this data dir to re-adopt (recover). Its pipes are let go (what is not read yet stays in
   * them) and detached.json says what it was (output.ts). Without a data dir nothing could find them
   * again: they are killed as by killAll.
   */
  detachAll(): void {
    if (this.ownTasksDir) return this.killAll();
    for (const live of this.live.values()) {
      if (live.done || live.detached) continue;
      live.detached = true;
      live.child?.unref(); // the server exits with it still running: the point
      const partial: Partials = live.output.detach();
      try {
        writeDetached(live.outDir, { taskId: live.taskId, handle: live.handle, partial });
      } catch {
        // Not findable again: end it rather than leave a process no server will ever stop.
        killGroup(live.handle.pid, 'SIGKILL');
        live.tree.kill();
      }
    }
    if (this.scanner) clearInterval(this.scanner);
    this.scanner = undefined;
    this.outputDirs.drain();
    this.killAll(); // only what has exited is left to clean up
  }

  async close(): Promise<void> {
    this.killAll();
    if (this.scanner) clearInterval(this.scanner);
    this.scanner = undefined;
    const ending = [...this.live.values()].filter((l) => !l.detached);
    await Promise.all(ending.map((l) => Promise.race([l.exited, new Promise((r) => setTimeout(r, SETTLE_MS).unref())])));
    await Promise.all(ending.map((l) => this.cleanUp(l)));
    this.outputDirs.drain();
    this.releaseCgroupParents();
    this.releaseOwnTasksDir();
  }
}

export type { LineSink };
