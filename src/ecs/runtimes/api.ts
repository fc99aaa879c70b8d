// The narrow interface every task runtime implements (docs/architecture.md §12 habit 8, after Nomad's drivers).
// A runtime runs single containers; the task engine (tasks/engine.ts) composes them into ECS tasks.
// Handles are plain JSON and stored in the task record, so a restarted Wayfinder can hand them back
// to `recover` and re-adopt what still runs (docker; process after a --keep-tasks stop) or learn that it is gone.
// The same conformance suite (conformance.ts) runs against every real runtime.

export type RuntimeName = 'process' | 'docker' | 'fake';

export interface PortRequest {
  containerPort: number;
  /** A fixed host port; undefined or 0 = any free loopback port. Process runtime: always a free port. */
  hostPort?: number;
  protocol: 'tcp' | 'udp';
}

export interface PortBinding {
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

export type OutputStream = 'stdout' | 'stderr';
export type LineSink = (stream: OutputStream, line: string) => void;

export interface ContainerSpec {
  taskId: string;
  cluster: string;
  service?: string;
  /** Container name within the task. */
  name: string;
  image: string;
  /** The task's account and region: whose ECR repository a `localhost:<port>/<name>` image is. */
  accountId?: string;
  region?: string;
  entryPoint?: string[];
  command?: string[];
  environment: Record<string, string>;
  workingDirectory?: string;
  user?: string;
  ports: PortRequest[];
  dockerLabels?: Record<string, string>;
  /** Receives every line the container writes to stdout/stderr. */
  onLine?: LineSink;
}

/**
 * Pull credentials for an image in Wayfinder's own registry (ECR's pullAuth), else undefined; `owner`
 * is the task's account and region.
 */
export type RegistryAuth = (image: string, owner?: { account: string; region: string }) => { username: string; password: string; serveraddress: string } | undefined;

/** Plain JSON; opaque outside the runtime that made it. */
export type ContainerHandle = { runtime: RuntimeName } & Record<string, unknown>;

export interface StartedContainer {
  handle: ContainerHandle;
  /** What DescribeTasks shows as the container's runtimeId (docker: container id; process: pid). */
  runtimeId: string;
  bindings: PortBinding[];
}

export interface ExitStatus {
  /** null when the runtime could not learn it (e.g. a process lost across a restart). */
  exitCode: number | null;
  /** Why it ended, when the runtime knows better than the exit code (≤255 chars). */
  reason?: string;
}

export type Recovered = { state: 'running' } | ({ state: 'exited' } & ExitStatus);

/** A container that could not be started; `reason` becomes the task's stoppedReason (AWS wording). */
export class StartError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface ContainerRuntime {
  readonly name: RuntimeName;
  /** Creates and starts a container. Throws StartError (`CannotPullContainerError: …`, …) on failure. */
  start(spec: ContainerSpec): Promise<StartedContainer>;
  /** Resolves once the container has exited, whatever the cause. */
  wait(handle: ContainerHandle): Promise<ExitStatus>;
  /** SIGTERM, then SIGKILL after timeoutSec; resolves once it has exited. Idempotent. */
  stop(handle: ContainerHandle, timeoutSec: number): Promise<void>;
  /** Frees what is left of an exited container (docker: removes it). Idempotent. */
  remove(handle: ContainerHandle): Promise<void>;
  /**
   * Runs argv inside the container's environment (health checks). exitCode null = timed out or
   * could not run.
   */
  exec(handle: ContainerHandle, argv: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }>;
  /**
   * After a restart: re-adopts a container from its stored handle. 'running' means wait/stop/exec
   * work again and new output goes to onLine (docker replays lines since `logsSince`, epoch ms).
   */
  recover(handle: ContainerHandle, onLine?: LineSink, logsSince?: number): Promise<Recovered>;
  /** Containers this Wayfinder instance owns that the runtime can see (stray clean-up after restart). */
  owned(): Promise<Array<{ handle: ContainerHandle; taskId: string }>>;
  /** Releases the runtime's own resources (connections, timers). Does not stop containers. */
  close(): Promise<void>;
}

/** CMD / CMD-SHELL health-check commands as argv. */
export function healthCheckArgv(command: string[]): string[] | undefined {
  const [kind, ...rest] = command;
  if (kind === 'CMD-SHELL') return rest.length ? ['/bin/sh', '-c', rest.join(' ')] : undefined;
  if (kind === 'CMD') return rest.length ? rest : undefined;
  return undefined;
}
