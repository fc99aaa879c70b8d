// The docker runtime: real containers through the Docker Engine API. Ports are published on
// 127.0.0.1 (dynamic host ports unless the task definition fixes one), so Cloud Map registers
// 127.0.0.1:<hostPort>. Every container carries labels naming its cluster, service, task and the
// Wayfinder instance (one per data dir): a restarted Wayfinder adopts its own containers and removes
// its own strays, and never touches another Wayfinder's (parallel test servers share one engine).
import type { IncomingMessage } from 'node:http';
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
  type RegistryAuth,
  type StartedContainer,
} from '../api.js';
import { type DockerEngine, EngineError, FrameDemuxer, describeTarget, readAll } from './engine-client.js';
import { LogCursor, sinceQuery, splitStamp } from './log-cursor.js';
import { TASK_NETWORK, ensureTaskNetwork } from './task-network.js';

export const LABEL_INSTANCE = 'wayfinder.instance';
export const LABEL_CLUSTER = 'wayfinder.cluster';
export const LABEL_SERVICE = 'wayfinder.service';
export const LABEL_TASK = 'wayfinder.task';
export const LABEL_CONTAINER = 'wayfinder.container';

interface DockerHandle extends ContainerHandle {
  runtime: 'docker';
  id: string;
  name: string;
}

interface Live {
  exited: Promise<ExitStatus>;
  done: boolean;
}

interface Inspect {
  Id: string;
  State: { Running: boolean; ExitCode: number; OOMKilled?: boolean; Error?: string; Status: string };
  NetworkSettings: { Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> };
  Config: { Labels: Record<string, string> };
}

const PULL_TIMEOUT_MS = 120_000;
/** How long an exit waits for the log stream to end, and then at most as long for the catch-up read, before it is reported anyway. */
const LOGS_DRAIN_MS = 5000;

function sanitize(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** `repo[:tag]` or `repo@digest` → the /images/create query. */
function pullQuery(image: string): string {
  if (image.includes('@')) return `fromImage=${encodeURIComponent(image)}`;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return `fromImage=${encodeURIComponent(image.slice(0, colon))}&tag=${encodeURIComponent(image.slice(colon + 1))}`;
  return `fromImage=${encodeURIComponent(image)}&tag=latest`;
}

export class DockerRuntime implements ContainerRuntime {
  readonly name = 'docker' as const;
  private readonly live = new Map<string, Live>();
  private closed = false;
  /** Credentials for an image in Wayfinder's own registry (ECR), sent as the engine's X-Registry-Auth. */
  registryAuth: RegistryAuth = () => undefined;
  /** The network new containers join: the task network once it is ready, else Docker's default bridge. */
  private network = 'bridge';

  constructor(
    private readonly engine: DockerEngine,
    /** Per-data-dir id written on every container's labels. */
    readonly instanceId: string,
  ) {}

  /**
   * Puts new containers on the task network (task-network.ts), creating it when missing. Throws with a
   * reason when the engine cannot make it (the subnet taken by another network); containers then stay on
   * the default bridge, without a way to reach Wayfinder.
   */
  async useTaskNetwork(): Promise<void> {
    await ensureTaskNetwork(this.engine);
    this.network = TASK_NETWORK;
  }

  /** Whether new containers join the task network. */
  get onTaskNetwork(): boolean {
    return this.network === TASK_NETWORK;
  }

  /** Where the engine is (for the banner). */
  get where(): string {
    return describeTarget(this.engine.target);
  }

  async start(spec: ContainerSpec): Promise<StartedContainer> {
    const name = sanitize(`wf-${this.instanceId.slice(0, 8)}-${spec.cluster}-${spec.taskId.slice(0, 12)}-${spec.name}`).slice(0, 200);
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of spec.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      bindings[key] = [{ HostIp: '127.0.0.1', HostPort: p.hostPort ? String(p.hostPort) : '' }];
    }
    const body = {
      Image: spec.image,
      ...(spec.entryPoint ? { Entrypoint: spec.entryPoint } : {}),
      ...(spec.command ? { Cmd: spec.command } : {}),
      Env: Object.entries(spec.environment).map(([k, v]) => `${k}=${v}`),
      ...(spec.workingDirectory ? { WorkingDir: spec.workingDirectory } : {}),
      ...(spec.user ? { User: spec.user } : {}),
      Labels: {
        ...(spec.dockerLabels ?? {}),
        [LABEL_INSTANCE]: this.instanceId,
        [LABEL_CLUSTER]: spec.cluster,
        [LABEL_SERVICE]: spec.service ?? '',
        [LABEL_TASK]: spec.taskId,
        [LABEL_CONTAINER]: spec.name,
      },
      ExposedPorts: exposed,
      HostConfig: { PortBindings: bindings, NetworkMode: this.network },
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
    };
    const create = () => this.engine.call<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, body);
    let id: string;
    try {
      id = (await create()).body.Id;
    } catch (e) {
      if (!(e instanceof EngineError) || e.status !== 404) throw new StartError(`CannotCreateContainerError: ${(e as Error).message}`);
      await this.pull(spec.image, spec.accountId && spec.region ? { account: spec.accountId, region: spec.region } : undefined);
      try {
        id = (await create()).body.Id;
      } catch (e2) {
        throw new StartError(`CannotCreateContainerError: ${(e2 as Error).message}`);
      }
    }
    const handle: DockerHandle = { runtime: 'docker', id, name };
    try {
      await this.engine.call('POST', `/containers/${id}/start`);
    } catch (e) {
      await this.remove(handle);
      throw new StartError(`CannotStartContainerError: Error response from daemon: ${(e as Error).message}`);
    }
    const info = await this.inspect(id);
    const ports: PortBinding[] = spec.ports.map((p) => {
      const host =
        info?.NetworkSettings.Ports[`${p.containerPort}/${p.protocol}`]?.find((b) => b.HostIp === '127.0.0.1') ??
        info?.NetworkSettings.Ports[`${p.containerPort}/${p.protocol}`]?.[0];
      return { containerPort: p.containerPort, hostPort: Number(host?.HostPort ?? 0), protocol: p.protocol };
    });
    this.follow(id, spec.onLine, undefined);
    return { handle, runtimeId: id, bindings: ports };
  }

  async wait(handle: ContainerHandle): Promise<ExitStatus> {
    const { id } = handle as DockerHandle;
    const live = this.live.get(id);
    if (live) return live.exited;
    const info = await this.inspect(id);
    if (!info) return { exitCode: null, reason: 'container no longer exists' };
    if (!info.State.Running) return this.exitOf(info);
    return this.follow(id, undefined, Date.now()).exited;
  }

  async stop(handle: ContainerHandle, timeoutSec: number): Promise<void> {
    const { id } = handle as DockerHandle;
    try {
      await this.engine.call('POST', `/containers/${id}/stop?t=${Math.max(0, Math.round(timeoutSec))}`, undefined, (timeoutSec + 30) * 1000);
    } catch (e) {
      if (e instanceof EngineError && (e.status === 404 || e.status === 304)) return;
      throw e;
    }
    const live = this.live.get(id);
    if (live) await live.exited;
  }

  async remove(handle: ContainerHandle): Promise<void> {
    const { id } = handle as DockerHandle;
    try {
      await this.engine.call('DELETE', `/containers/${id}?force=true&v=true`);
    } catch (e) {
      if (!(e instanceof EngineError && e.status === 404)) throw e;
    }
  }

  async exec(handle: ContainerHandle, argv: string[], timeoutMs: number): Promise<{ exitCode: number | null; output: string }> {
    const { id } = handle as DockerHandle;
    const deadline = Date.now() + timeoutMs;
    try {
      const created = await this.engine.call<{ Id: string }>('POST', `/containers/${id}/exec`, { AttachStdout: true, AttachStderr: true, Cmd: argv }, timeoutMs);
      const res = await this.engine.raw('POST', `/exec/${created.body.Id}/start`, { Detach: false, Tty: false }, Math.max(1, deadline - Date.now()));
      let output = '';
      const demux = new FrameDemuxer((_s, chunk) => {
        if (output.length < 4096) output += chunk.toString('utf8');
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => res.destroy(new Error('timed out')), Math.max(1, deadline - Date.now()));
        res.on('data', (c: Buffer) => demux.write(c));
        res.on('end', () => (clearTimeout(timer), resolve()));
        res.on('error', (e) => (clearTimeout(timer), reject(e)));
      });
      const info = await this.engine.call<{ ExitCode: number | null; Running: boolean }>('GET', `/exec/${created.body.Id}/json`, undefined, 5000);
      return { exitCode: info.body.Running ? null : info.body.ExitCode, output: output.slice(0, 4096) };
    } catch (e) {
      return { exitCode: null, output: (e as Error).message };
    }
  }

  async recover(handle: ContainerHandle, onLine?: LineSink, logsSince?: number): Promise<Recovered> {
    const { id } = handle as DockerHandle;
    const live = this.live.get(id);
    if (live) return live.done ? { state: 'exited', ...(await live.exited) } : { state: 'running' };
    const info = await this.inspect(id);
    if (!info) return { state: 'exited', exitCode: null, reason: 'container no longer exists' };
    if (info.Config.Labels[LABEL_INSTANCE] !== this.instanceId) return { state: 'exited', exitCode: null, reason: 'container belongs to another Wayfinder' };
    if (!info.State.Running) return { state: 'exited', ...this.exitOf(info) };
    this.follow(id, onLine, logsSince ?? Date.now());
    return { state: 'running' };
  }

  async owned(): Promise<Array<{ handle: ContainerHandle; taskId: string }>> {
    const filters = encodeURIComponent(JSON.stringify({ label: [`${LABEL_INSTANCE}=${this.instanceId}`] }));
    const { body } = await this.engine.call<Array<{ Id: string; Names: string[]; Labels: Record<string, string> }>>('GET', `/containers/json?all=true&filters=${filters}`);
    return body.map((c) => ({ handle: { runtime: 'docker', id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, '') }, taskId: c.Labels[LABEL_TASK] ?? '' }));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.engine.close();
  }

  private async inspect(id: string): Promise<Inspect | undefined> {
    try {
      return (await this.engine.call<Inspect>('GET', `/containers/${id}/json`)).body;
    } catch (e) {
      if (e instanceof EngineError && e.status === 404) return undefined;
      throw e;
    }
  }

  private exitOf(info: Inspect): ExitStatus {
    if (info.State.OOMKilled) return { exitCode: info.State.ExitCode, reason: 'OutOfMemoryError: Container killed due to memory usage' };
    return { exitCode: info.State.ExitCode, ...(info.State.Error ? { reason: info.State.Error.slice(0, 255) } : {}) };
  }

  private async pull(image: string, owner: { account: string; region: string } | undefined): Promise<void> {
    let failure: string | undefined;
    try {
      const auth = this.registryAuth(image, owner);
      const headers: Record<string, string> = auth ? { 'x-registry-auth': Buffer.from(JSON.stringify(auth)).toString('base64url') } : {};
      const res = await this.engine.raw('POST', `/images/create?${pullQuery(image)}`, undefined, PULL_TIMEOUT_MS, headers);
      const text = await readAll(res, PULL_TIMEOUT_MS);
      if ((res.statusCode ?? 0) >= 400) {
        try {
          failure = (JSON.parse(text) as { message?: string }).message ?? text;
        } catch {
          failure = text;
        }
      } else {
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          try {
            const m = JSON.parse(line) as { error?: string };
            if (m.error) failure = m.error;
          } catch {
            /* progress noise */
          }
        }
      }
    } catch (e) {
      failure = (e as Error).message;
    }
    if (failure !== undefined) throw new StartError(`CannotPullContainerError: Error response from daemon: ${failure.trim()}`.slice(0, 255));
  }

  /** Streams the container's output to onLine and watches for its exit. */
  private follow(id: string, onLine: LineSink | undefined, sinceMs: number | undefined): Live {
    const existing = this.live.get(id);
    if (existing) return existing;
    const out = new LineSplitter((l) => onLine?.('stdout', l));
    const err = new LineSplitter((l) => onLine?.('stderr', l));
    const write = (s: 'stdout' | 'stderr', payload: Buffer) => (s === 'stderr' ? err : out).write(payload);
    const cursor = new LogCursor(sinceMs);
    let following = true;
    let stream: IncomingMessage | undefined;
    let logsEnded: Promise<void> = Promise.resolve();
    if (onLine) {
      const since = sinceMs === undefined ? '' : `&since=${sinceQuery(sinceMs)}`;
      logsEnded = this.engine.raw('GET', `/containers/${id}/logs?follow=true&stdout=true&stderr=true&timestamps=true${since}`).then(
        (res) =>
          new Promise<void>((resolve) => {
            stream = res;
            const demux = new FrameDemuxer((s, entry) => {
              if (!following) return;
              const { at, payload } = splitStamp(entry);
              cursor.delivered(at);
              write(s, payload);
            });
            if ((res.statusCode ?? 0) < 400) res.on('data', (c: Buffer) => demux.write(c));
            else res.resume();
            res.on('end', () => resolve());
            res.on('error', () => resolve());
          }),
        () => undefined,
      );
    }
    const entry: Live = { done: false, exited: undefined as unknown as Promise<ExitStatus> };
    entry.exited = (async () => {
      const status = await this.waitExit(id);
      entry.done = true;
      if (onLine) {
        // Docker ends a followed log stream once the stopped container's log is read to its end: wait
        // for that, then read what the stream may have missed (log-cursor.ts). The cap is for a stream
        // that broke without ending; 500 ms was too short for a busy engine.
        await Promise.race([logsEnded, new Promise((r) => setTimeout(r, LOGS_DRAIN_MS).unref())]);
        following = false;
        stream?.destroy();
        await this.catchUpLogs(id, cursor, write);
      }
      out.end();
      err.end();
      setTimeout(() => this.live.delete(id), 60_000).unref();
      return status;
    })();
    this.live.set(id, entry);
    return entry;
  }

  /** Reads the exited container's log from where the followed stream got to and passes on what it had not delivered. */
  private async catchUpLogs(id: string, cursor: LogCursor, write: (s: 'stdout' | 'stderr', payload: Buffer) => void): Promise<void> {
    const since = cursor.catchUpSince();
    try {
      const deadline = Date.now() + LOGS_DRAIN_MS;
      const res = await this.engine.raw('GET', `/containers/${id}/logs?stdout=true&stderr=true&timestamps=true${since ? `&since=${since}` : ''}`, undefined, LOGS_DRAIN_MS);
      if ((res.statusCode ?? 0) >= 400) return void res.resume();
      const demux = new FrameDemuxer((s, entry) => {
        const { at, payload } = splitStamp(entry);
        if (cursor.isNew(at)) write(s, payload);
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => res.destroy(), Math.max(1, deadline - Date.now())).unref();
        res.on('data', (c: Buffer) => demux.write(c));
        const done = () => (clearTimeout(timer), resolve());
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      });
    } catch {
      /* the engine is gone or the container was removed: what the stream delivered is all there is */
    }
  }

  /** Long-polls /wait; survives dropped connections; never resolves once the runtime is closed. */
  private async waitExit(id: string): Promise<ExitStatus> {
    for (;;) {
      if (this.closed) return new Promise<ExitStatus>(() => {});
      try {
        const { body } = await this.engine.call<{ StatusCode: number }>('POST', `/containers/${id}/wait?condition=not-running`, undefined, 24 * 3600_000);
        const info = await this.inspect(id).catch(() => undefined);
        return info ? this.exitOf(info) : { exitCode: body.StatusCode };
      } catch (e) {
        if (this.closed) return new Promise<ExitStatus>(() => {});
        if (e instanceof EngineError && e.status === 404) return { exitCode: null, reason: 'container no longer exists' };
        const info = await this.inspect(id).catch(() => undefined);
        if (!info) return { exitCode: null, reason: 'container no longer exists' };
        if (!info.State.Running) return this.exitOf(info);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
