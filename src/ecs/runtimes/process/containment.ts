// Keeping hold of every process a process-runtime container starts, so a stop ends them all — also
// the ones that left the container's process group or session (`setsid`, daemons that double-fork).
//
// Two ways, best first:
//   cgroup  a cgroup v2 directory per container, below the server's own cgroup. The container's
//           first process joins it before it runs anything of the task's (it waits at a gate, see
//           process-runtime.ts), so everything it forks is born inside; `cgroup.kill` ends them all
//           at once, whatever sessions or groups they made. Needs root (or a delegated cgroup) and a
//           writable cgroup2 mount.
//   /proc   without a usable cgroup: every pid ever seen below the container's processes (parent
//           links in /proc/<pid>/stat, scanned periodically and again at the stop), plus processes
//           whose environment carries the container's marker. The stop freezes them all (SIGSTOP,
//           so nothing forks while it looks), then SIGKILLs them. Limit: a process that double-forks
//           between two scans AND clears its environment escapes.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TaskTree {
  readonly kind: 'cgroup' | 'proc';
  /** The cgroup directory (stored in the handle so a restarted server can still end it). */
  readonly cgroupDir?: string;
  /** Takes in a process the runtime just spawned for this container. false: it could not. */
  add(pid: number): boolean;
  /** SIGKILLs every process of the tree. */
  kill(): void;
  /** Whether anything of the tree still runs. */
  running(): boolean;
  /** Frees what the tree holds (the cgroup directory). Call once nothing runs. */
  close(): void;
}

// ---- cgroup v2 ----

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** This process's own cgroup v2 directory, when a cgroup2 hierarchy is mounted and visible. */
export function ownCgroupDir(): string | undefined {
  try {
    const own = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'))
      ?.slice(3);
    if (!own) return undefined;
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [pre, post] = line.split(' - ');
      if (!pre || !post?.startsWith('cgroup2 ')) continue;
      const fields = pre.split(' ');
      const root = unescapeMountPath(fields[3] ?? '/');
      const point = unescapeMountPath(fields[4] ?? '');
      // A mount of a sub-tree (root ≠ "/") shows only what lies below that root.
      if (root !== '/' && own !== root && !own.startsWith(`${root}/`)) continue;
      const dir = join(point, root === '/' ? own : own.slice(root.length));
      if (existsSync(join(dir, 'cgroup.procs'))) return dir;
    }
  } catch {
    /* no /proc: not Linux */
  }
  return undefined;
}

/**
 * Where the parent cgroup of this server's containers goes: `wayfinder-<hash of the tasks dir>`
 * below the server's own cgroup (one data dir = one server, so it is never shared). undefined when
 * there is no cgroup2 hierarchy to use.
 */
export function containerCgroupParent(tasksDir: string): string | undefined {
  const own = ownCgroupDir();
  return own && join(own, `wayfinder-${createHash('sha256').update(tasksDir).digest('hex').slice(0, 12)}`);
}

/**
 * The cgroup directory name of a container: `<taskId>-<container>-<suffix>`, cut and completed with a
 * hash when longer than a file name may be (ECS allows 255-character container names).
 */
export function containerCgroupName(taskId: string, container: string, suffix: string): string {
  const base = `${taskId}-${container}`;
  const short = base.length > 160 ? `${base.slice(0, 160)}-${createHash('sha256').update(base).digest('hex').slice(0, 16)}` : base;
  return `${short}-${suffix}`;
}

/** Creates the parent cgroup if needed; false when the host does not let us. */
export function ensureCgroup(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  return existsSync(join(dir, 'cgroup.procs'));
}

function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Ends every process in a cgroup directory and removes it (a stale one, or one of ours). */
export function killCgroup(dir: string): void {
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    // No cgroup.kill (kernel < 5.14): freeze, kill each member, thaw so the kills land.
    try {
      writeFileSync(join(dir, 'cgroup.freeze'), '1');
    } catch {
      /* no freezer either: kill in rounds below */
    }
    for (let round = 0; round < 10; round++) {
      const pids = cgroupPids(dir);
      if (!pids.length) break;
      for (const pid of pids) signal(pid, 'SIGKILL');
    }
    try {
      writeFileSync(join(dir, 'cgroup.freeze'), '0');
    } catch {
      /* as above */
    }
  }
}

export function removeCgroup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* gone already, or something still runs in it (removed at the next start) */
  }
}

export class CgroupTree implements TaskTree {
  readonly kind = 'cgroup' as const;
  private constructor(readonly cgroupDir: string) {}

  /** The cgroup of a container an earlier run of this server kept (--keep-tasks): undefined when it is gone. */
  static adopt(dir: string): CgroupTree | undefined {
    return existsSync(join(dir, 'cgroup.procs')) ? new CgroupTree(dir) : undefined;
  }

  static create(parent: string, name: string): CgroupTree | undefined {
    const dir = join(parent, name);
    try {
      mkdirSync(dir);
      return new CgroupTree(dir);
    } catch {
      return undefined;
    }
  }

  add(pid: number): boolean {
    try {
      writeFileSync(join(this.cgroupDir, 'cgroup.procs'), String(pid));
      return true;
    } catch {
      return false;
    }
  }

  kill(): void {
    killCgroup(this.cgroupDir);
  }

  running(): boolean {
    return cgroupPids(this.cgroupDir).length > 0;
  }

  close(): void {
    removeCgroup(this.cgroupDir);
  }
}

/** Kills and removes cgroups a previous run of this server left below `parent` (it crashed), but those in `keep` (kept for re-adoption). */
export function sweepStaleCgroups(parent: string, keep: ReadonlySet<string> = new Set()): void {
  let names: string[];
  try {
    names = readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return;
  }
  for (const name of names) {
    if (keep.has(join(parent, name))) continue;
    killCgroup(join(parent, name));
    removeCgroup(join(parent, name));
  }
}

// ---- /proc tracking ----

interface ProcInfo {
  ppid: number;
  start: string;
  state: string;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

/** The fields of /proc/<pid>/stat from field 3 (state) on; undefined when the process is gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** A process's start time (/proc/<pid>/stat field 22): tells it from a later one that reused the pid. */
export function procStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** Every process on the host: parent, start time (tells a reused pid apart) and state. */
export function procTable(): Map<number, ProcInfo> {
  const table = new Map<number, ProcInfo>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return table;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const f = statFields(e);
    if (f) table.set(Number(e), { state: f[0]!, ppid: Number(f[1]), start: f[19]! }); // else: exited meanwhile
  }
  return table;
}

function hasMarker(pid: number, marker: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`);
    return env.includes(`\0${marker}\0`) || env.subarray(0, marker.length + 1).equals(Buffer.from(`${marker}\0`));
  } catch {
    return false;
  }
}

/** The environment variable the /proc fallback marks a container's processes with. */
export const MARKER_VAR = 'WAYFINDER_TASK_TREE';

export class ProcTree implements TaskTree {
  readonly kind = 'proc' as const;
  /** Every process ever seen in the tree: pid → start time. */
  private readonly known = new Map<number, string>();
  /** `MARKER_VAR=<random>`: put in the container's environment, found again in /proc/<pid>/environ. */
  readonly marker: string;

  /** `marker`: a tree of an earlier run (from its handle), found again by that marker alone. */
  constructor(marker?: string) {
    this.marker = marker ?? `${MARKER_VAR}=${randomBytes(12).toString('hex')}`;
  }

  add(pid: number): boolean {
    const start = procStartTime(pid);
    if (start === undefined) return false;
    this.known.set(pid, start);
    return true;
  }

  /** Takes in the children of known processes (repeatedly: grandchildren too). Returns what it added. */
  scan(table: Map<number, ProcInfo>, withMarker = false): number[] {
    // A process that is gone can have no new children: forget it (a long task spawns many).
    for (const [pid, start] of this.known) if (table.get(pid)?.start !== start) this.known.delete(pid);
    const added: number[] = [];
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, p] of table) {
        if (this.known.has(pid)) continue;
        const parentStart = this.known.get(p.ppid);
        const parent = table.get(p.ppid);
        if ((parentStart !== undefined && parent?.start === parentStart) || (withMarker && hasMarker(pid, this.marker))) {
          this.known.set(pid, p.start);
          added.push(pid);
          grew = true;
        }
      }
      withMarker = false; // the environ pass once is enough: children of marked ones follow by parent
    }
    return added;
  }

  private alive(table: Map<number, ProcInfo>): number[] {
    return [...this.known].filter(([pid, start]) => table.get(pid)?.start === start && table.get(pid)?.state !== 'Z').map(([pid]) => pid);
  }

  kill(): void {
    // Freeze first: a stopped process cannot fork, so the set stops growing while we look.
    const stopped = new Set<number>();
    for (let round = 0; round < 20; round++) {
      const table = procTable();
      this.scan(table, round === 0);
      const fresh = this.alive(table).filter((pid) => !stopped.has(pid));
      if (!fresh.length) break;
      for (const pid of fresh) {
        signal(pid, 'SIGSTOP');
        stopped.add(pid);
      }
    }
    const table = procTable();
    for (const pid of this.alive(table)) {
      signal(pid, 'SIGKILL');
      signal(pid, 'SIGCONT');
    }
  }

  running(): boolean {
    return this.alive(procTable()).length > 0;
  }

  close(): void {
    this.known.clear();
  }
}
