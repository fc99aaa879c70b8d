// An in-memory runtime for planner and controller unit tests only (never used by a server): it
// "runs" containers instantly and lets a test make them exit, fail to start, or fail health checks.
import { StartError, type ContainerHandle, type ContainerRuntime, type ContainerSpec, type ExitStatus, type Recovered, type StartedContainer } from '../../src/ecs/runtimes/api.js';

interface FakeContainer {
  id: string;
  spec: ContainerSpec;
  running: boolean;
  exit: ExitStatus | undefined;
  waiters: Array<(s: ExitStatus) => void>;
}

export class FakeRuntime implements ContainerRuntime {
  readonly name = 'fake' as const;
  readonly containers = new Map<string, FakeContainer>();
  /** image → stoppedReason for containers that must fail to start. */
  readonly failingImages = new Map<string, string>();
  /** Exit code health checks get (per task id; default 0). */
  readonly healthExit = new Map<string, number>();
  /** Exit code for containers whose command is exactly ['crash']. */
  crashCode = 1;
  private next = 0;
  private nextPort = 40000;

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    const fail = this.failingImages.get(spec.image);
    if (fail) throw new StartError(fail);
    const id = `fake-${++this.next}`;
    const c: FakeContainer = { id, spec, running: true, exit: undefined, waiters: [] };
    this.containers.set(id, c);
    if (spec.command?.[0] === 'crash') queueMicrotask(() => this.exit(id, this.crashCode));
    return {
      handle: { runtime: 'fake', id },
      runtimeId: id,
      bindings: spec.ports.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort || this.nextPort++, protocol: p.protocol })),
    };
  }

  /** Makes a container exit (as if its process ended). */
  exit(id: string, exitCode: number): void {
    const c = this.containers.get(id);
    if (!c?.running) return;
    c.running = false;
    c.exit = { exitCode };
    for (const w of c.waiters.splice(0)) w(c.exit);
  }

  /** Running containers of a task. */
  ofTask(taskId: string): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.spec.taskId === taskId && c.running);
  }

  running(): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.running);
  }

  wait(handle: ContainerHandle): Promise<ExitStatus> {
    const c = this.containers.get(handle.id as string);
    if (!c) return Promise.resolve({ exitCode: null, reason: 'unknown container' });
    if (c.exit) return Promise.resolve(c.exit);
    return new Promise((resolve) => c.waiters.push(resolve));
  }

  async stop(handle: ContainerHandle): Promise<void> {
    this.exit(handle.id as string, 143);
  }

  async remove(handle: ContainerHandle): Promise<void> {
    this.containers.delete(handle.id as string);
  }

  async exec(handle: ContainerHandle): Promise<{ exitCode: number | null; output: string }> {
    const c = this.containers.get(handle.id as string);
    if (!c?.running) return { exitCode: null, output: 'not running' };
    return { exitCode: this.healthExit.get(c.spec.taskId) ?? 0, output: '' };
  }

  async recover(handle: ContainerHandle): Promise<Recovered> {
    const c = this.containers.get(handle.id as string);
    if (!c) return { state: 'exited', exitCode: null, reason: 'unknown container' };
    return c.running ? { state: 'running' } : { state: 'exited', ...c.exit! };
  }

  async owned(): Promise<Array<{ handle: ContainerHandle; taskId: string }>> {
    return [...this.containers.values()].map((c) => ({ handle: { runtime: 'fake', id: c.id }, taskId: c.spec.taskId }));
  }

  async close(): Promise<void> {}
}
