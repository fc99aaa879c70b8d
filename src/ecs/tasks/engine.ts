// The task engine: a reconcile loop keyed by task (docs/architecture.md §12 habit 6). Each pass reads the task
// record and does the work of its lifecycle state (lifecycle.ts): allocate the ENI, start the
// containers, register in Cloud Map, watch, deregister, stop, clean up — then moves the record one
// state on. The record change wakes the loop again, so a task walks the table one committed step at
// a time, and a restarted server picks up every task exactly where its record says it is.
//
// In memory per task: runtime handles being watched (exit, health checks, log lines). After a
// restart that memory is rebuilt from the stored handles (`adopt`): the runtime re-adopts what still
// runs (docker; process after a --keep-tasks stop) or reports it gone (process after a crash), and the
// task stops and is replaced.
import { arn } from '../../kernel/arn.js';
import type { Ec2Api } from '../../ec2/api.js';
import type { Logger } from '../../kernel/log.js';
import type { LogWriter } from '../../logs/writer.js';
import { WorkQueue } from '../../loop/work-queue.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { awslogsSink } from '../awslogs.js';
import { parseTaskDefinitionRef } from '../arns.js';
import type { Registration } from '../registration.js';
import { roleArnOf } from '../roles.js';
import { StartError, type ContainerHandle, type ContainerRuntime, type ContainerSpec, type PortRequest, type RuntimeName } from '../runtimes/api.js';
import type { TaskCredentials } from '../task-credentials.js';
import { awsEnvironment, type TaskEndpoint } from '../task-environment.js';
import { taskDefinitionKey, taskKey, type ContainerRecord, type EcsStore, type HealthStatus, type TaskRecord } from '../store.js';
import { ContainerHealthCheck, healthCheckConfig, type ContainerHealth } from './health-check.js';
import { LIFECYCLE, moveTo, requestStop, type LastStatus } from './lifecycle.js';

export const DEFAULT_STOP_TIMEOUT_SEC = 30;
export const RESTART_LOST_REASON = 'Task stopped because Wayfinder restarted: process-runtime tasks survive a restart only after a stop with --keep-tasks';
export const SHUTDOWN_REASON = 'Task stopped because Wayfinder stopped (wayfinder up --keep-tasks leaves tasks running for the next start)';

interface LiveContainer {
  handle: ContainerHandle;
  runtime: ContainerRuntime;
  checker?: ContainerHealthCheck;
}

interface LiveTask {
  generation: number;
  containers: Map<string, LiveContainer>;
}

export interface TaskEngineDeps {
  ecs: EcsStore;
  ec2: Ec2Api;
  registration: Registration;
  logs: LogWriter;
  logger: Logger;
  /** The runtime new tasks start on. */
  runtime(): ContainerRuntime;
  /** A runtime by name, for tasks started earlier (possibly on another runtime). */
  runtimeFor(name: string): ContainerRuntime | undefined;
  /** Task role credentials (absent: tasks get no credentials variables). */
  credentials?: TaskCredentials;
  /** Where a runtime's tasks reach Wayfinder (AWS_ENDPOINT_URL); waits for the edge port to be bound. */
  endpointFor?(runtime: RuntimeName): Promise<TaskEndpoint | undefined>;
  now?: () => number;
  concurrency?: number;
}

const ADOPTABLE: ReadonlySet<LastStatus> = new Set(['PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING']);

export class TaskEngine {
  private queue: WorkQueue;
  private readonly live = new Map<string, LiveTask>();
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly deps: TaskEngineDeps) {
    this.now = deps.now ?? Date.now;
    this.queue = this.newQueue();
  }

  private newQueue(): WorkQueue {
    return new WorkQueue('ecs-tasks', (key) => this.reconcile(key), { logger: this.deps.logger, concurrency: this.deps.concurrency ?? 32, yieldBetween: true });
  }

  add(key: string): void {
    this.queue.add(key);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Number of tasks with live runtime state (health checkers, watchers). */
  get liveCount(): number {
    return this.live.size;
  }

  private update(key: string, change: (t: TaskRecord) => void): TaskRecord | undefined {
    return this.deps.ecs.updateTask(key, (t) => {
      change(t);
    });
  }

  private move(key: string, to: LastStatus, change?: (t: TaskRecord) => void): void {
    const now = this.now();
    this.update(key, (t) => {
      change?.(t);
      if (t.lastStatus !== 'STOPPED' && t.lastStatus !== to) moveTo(t, to, now);
    });
  }

  async reconcile(key: string): Promise<void> {
    const found = this.deps.ecs.tasks.get(key);
    if (!found || found.lastStatus === 'STOPPED') {
      this.forget(key);
      return;
    }
    const gen = this.generation;
    await this.adopt(key, found);
    if (gen !== this.generation) return;
    const task = this.deps.ecs.tasks.get(key);
    if (!task || task.lastStatus === 'STOPPED') return;
    const row = LIFECYCLE[task.lastStatus];
    const mustStop = task.desiredStatus === 'STOPPED';
    switch (row.work) {
      case 'provision':
        return mustStop ? this.move(key, row.stop!) : this.provision(key, task);
      case 'start':
        return mustStop ? this.move(key, row.stop!) : this.start(key, task, gen);
      case 'register':
        return mustStop ? this.move(key, row.stop!) : this.register(key, task);
      case 'watch':
        return mustStop ? this.move(key, row.stop!) : this.pushHealth(key, task);
      case 'deregister':
        return this.deregister(key, task);
      case 'stop':
        return this.stopContainers(key, task, gen);
      case 'deprovision':
        return this.deprovision(key, task);
      case 'none':
        return;
    }
  }

  // PROVISIONING: awsvpc tasks get an ENI in their subnet.
  private provision(key: string, task: TaskRecord): void {
    const att = task.attachment;
    if (!att || att.networkInterfaceId) return this.move(key, 'PENDING');
    const groups = task.networkConfiguration?.awsvpcConfiguration?.securityGroups?.length
      ? task.networkConfiguration.awsvpcConfiguration.securityGroups
      : (() => {
          const subnet = this.deps.ec2.subnet(task, att.subnetId);
          const g = subnet && this.deps.ec2.defaultSecurityGroup(task, subnet.vpcId);
          return g ? [g.groupId] : [];
        })();
    try {
      const eni = this.deps.ec2.allocateEni({
        region: task.region,
        accountId: task.accountId,
        subnetId: att.subnetId,
        groupIds: groups,
        description: arn('ecs', task.region, task.accountId, `attachment/${att.id}`),
      });
      const dns = `ip-${eni.privateIpAddress.replace(/\./g, '-')}.${task.region === 'us-east-1' ? 'ec2.internal' : `${task.region}.compute.internal`}`;
      this.move(key, 'PENDING', (t) => {
        t.attachment = {
          ...att,
          status: 'ATTACHED',
          networkInterfaceId: eni.networkInterfaceId,
          macAddress: eni.macAddress,
          privateIPv4Address: eni.privateIpAddress,
          privateDnsName: dns,
        };
        t.availabilityZone = eni.availabilityZone;
      });
    } catch (e) {
      const reason = `ResourceInitializationError: unable to create the network interface: ${(e as Error).message}`;
      this.move(key, 'DEPROVISIONING', (t) => requestStop(t, 'TaskFailedToStart', reason, this.now()));
    }
  }

  // PENDING: start the containers, in task-definition order.
  private async start(key: string, task: TaskRecord, gen: number): Promise<void> {
    const td = this.taskDefinition(task);
    if (!td) {
      return this.move(key, 'STOPPING', (t) => requestStop(t, 'TaskFailedToStart', 'ResourceInitializationError: the task definition no longer exists', this.now()));
    }
    const runtime = (task.runtime && this.deps.runtimeFor(task.runtime)) || this.deps.runtime();
    const live = this.liveOf(key);
    if (task.pullStartedAt === undefined) this.update(key, (t) => ((t.pullStartedAt = this.now()), (t.runtime = runtime.name)));
    // The task role (RunTask's override wins): one credentials grant per task, kept across restarts in its record.
    const role = task.overrides.taskRoleArn || td.taskRoleArn;
    if (role && this.deps.credentials && !task.credentials) {
      const grant = this.deps.credentials.issue(roleArnOf(task.accountId, role));
      task = this.update(key, (t) => void (t.credentials = grant)) ?? task;
    }
    if (task.credentials) this.deps.credentials?.activate(task);
    const endpoint = await this.deps.endpointFor?.(runtime.name);
    if (gen !== this.generation) return;
    for (const def of td.containerDefinitions ?? []) {
      const rec = task.containers.find((c) => c.name === def.name);
      if (rec?.lastStatus !== 'PENDING' || rec.handle) continue;
      const sink = awslogsSink(this.deps.logs, { region: task.region, accountId: task.accountId, taskId: task.taskId, container: rec.name }, def.logConfiguration);
      let started;
      try {
        // The awslogs driver opens its group and stream before the container runs (Docker's driver does).
        sink?.open();
        started = await runtime.start(this.specFor(task, def, endpoint, sink?.onLine));
      } catch (e) {
        const reason = (e instanceof StartError ? e.reason : `CannotStartContainerError: ${(e as Error).message}`).slice(0, 255);
        this.deps.logger.info({ task: task.taskId, container: rec.name, reason }, 'container failed to start');
        return this.move(key, 'STOPPING', (t) => {
          const c = t.containers.find((x) => x.name === rec.name)!;
          c.lastStatus = 'STOPPED';
          c.reason = reason;
          requestStop(t, 'TaskFailedToStart', reason, this.now());
        });
      }
      sink?.started(started.runtimeId);
      if (gen !== this.generation) {
        // A reset happened meanwhile: this container belongs to nothing any more.
        await runtime.stop(started.handle, 0).catch(() => undefined);
        await runtime.remove(started.handle).catch(() => undefined);
        return;
      }
      const bindings = started.bindings.map((b) => ({ bindIP: '127.0.0.1', containerPort: b.containerPort, hostPort: b.hostPort, protocol: b.protocol }));
      this.update(key, (t) => {
        const c = t.containers.find((x) => x.name === rec.name)!;
        Object.assign(c, { lastStatus: 'RUNNING', runtimeId: started.runtimeId, handle: started.handle, networkBindings: bindings });
        t.version += 1;
      });
      this.watch(key, live, rec.name, runtime, started.handle, def.healthCheck);
    }
    this.move(key, 'ACTIVATING', (t) => (t.pullStoppedAt ??= this.now()));
  }

  // ACTIVATING: register in Cloud Map (after the host port is known, before RUNNING).
  private register(key: string, task: TaskRecord): void {
    const registrations = this.deps.registration.register(task);
    this.move(key, 'RUNNING', (t) => {
      t.registrations = registrations;
    });
  }

  // RUNNING: keep Cloud Map's custom health in line with the task's.
  private pushHealth(key: string, task: TaskRecord): void {
    const next = this.deps.registration.pushHealth(task);
    if (next) this.update(key, (t) => void (t.registrations = next));
  }

  // DEACTIVATING: leave Cloud Map before the containers get their SIGTERM.
  private deregister(key: string, task: TaskRecord): void {
    this.deps.registration.deregister(task);
    this.stopCheckers(key);
    this.move(key, 'STOPPING', (t) => void (t.registrations = []));
  }

  // STOPPING: SIGTERM, SIGKILL after stopTimeout, and record how each container ended.
  private async stopContainers(key: string, task: TaskRecord, gen: number): Promise<void> {
    this.stopCheckers(key);
    const td = this.taskDefinition(task);
    const results = await Promise.all(
      task.containers.map(async (c) => {
        if (c.lastStatus === 'STOPPED' || !c.handle) return undefined;
        const runtime = this.deps.runtimeFor((c.handle as ContainerHandle).runtime);
        if (!runtime) return { name: c.name, exitCode: null, reason: 'the runtime that ran this container is not available' };
        const timeout = td?.containerDefinitions?.find((d) => d.name === c.name)?.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SEC;
        try {
          await runtime.stop(c.handle as ContainerHandle, timeout);
          return { name: c.name, ...(await runtime.wait(c.handle as ContainerHandle)) };
        } catch (e) {
          return { name: c.name, exitCode: null, reason: `could not stop the container: ${(e as Error).message}` };
        }
      }),
    );
    if (gen !== this.generation) return;
    this.move(key, 'DEPROVISIONING', (t) => {
      for (const c of t.containers) {
        const r = results.find((x) => x?.name === c.name);
        if (c.lastStatus !== 'STOPPED') {
          c.lastStatus = 'STOPPED';
          if (r && r.exitCode !== null && c.exitCode === undefined) c.exitCode = r.exitCode;
          if (r?.reason && !c.reason) c.reason = r.reason.slice(0, 255);
        }
      }
    });
  }

  // DEPROVISIONING: remove the containers, release the ENI.
  private async deprovision(key: string, task: TaskRecord): Promise<void> {
    await Promise.all(
      task.containers.map(async (c) => {
        if (!c.handle) return;
        const runtime = this.deps.runtimeFor((c.handle as ContainerHandle).runtime);
        await runtime?.remove(c.handle as ContainerHandle).catch((e: Error) => this.deps.logger.warn({ task: task.taskId, err: e.message }, 'container clean-up failed'));
      }),
    );
    if (task.attachment?.networkInterfaceId) {
      try {
        this.deps.ec2.releaseEni(task, task.attachment.networkInterfaceId);
      } catch (e) {
        this.deps.logger.warn({ task: task.taskId, err: (e as Error).message }, 'ENI release failed');
      }
    }
    this.deps.credentials?.revoke(task);
    this.move(key, 'STOPPED', (t) => {
      if (t.attachment) t.attachment.status = 'DELETED';
    });
    this.forget(key);
  }

  private taskDefinition(task: TaskRecord): Ecs.TaskDefinition | undefined {
    const ref = parseTaskDefinitionRef(task.taskDefinitionArn);
    if (!ref?.revision) return undefined;
    return this.deps.ecs.taskDefinitions.get(taskDefinitionKey(task, ref.family, ref.revision))?.definition;
  }

  private specFor(task: TaskRecord, def: Ecs.ContainerDefinition, endpoint: TaskEndpoint | undefined, onLine: ContainerSpec['onLine']): ContainerSpec {
    const override = task.overrides.containerOverrides?.find((o) => o.name === def.name);
    const environment = awsEnvironment(task, endpoint);
    for (const kv of [...(def.environment ?? []), ...(override?.environment ?? [])]) if (kv.name) environment[kv.name] = kv.value ?? '';
    const ports: PortRequest[] = (def.portMappings ?? [])
      .filter((p) => p.containerPort !== undefined)
      .map((p) => ({
        containerPort: p.containerPort!,
        hostPort: task.networkMode === 'bridge' && p.hostPort ? p.hostPort : task.networkMode === 'host' ? (p.hostPort ?? p.containerPort) : undefined,
        protocol: p.protocol ?? 'tcp',
      }));
    return {
      taskId: task.taskId,
      cluster: task.cluster,
      ...(task.service ? { service: task.service } : {}),
      name: def.name!,
      image: def.image ?? '',
      accountId: task.accountId,
      region: task.region,
      ...(def.entryPoint ? { entryPoint: def.entryPoint } : {}),
      ...((override?.command ?? def.command) ? { command: override?.command ?? def.command } : {}),
      environment,
      ...(def.workingDirectory ? { workingDirectory: def.workingDirectory } : {}),
      ...(def.user ? { user: def.user } : {}),
      ports,
      ...(def.dockerLabels ? { dockerLabels: def.dockerLabels } : {}),
      ...(onLine ? { onLine } : {}),
    };
  }

  private liveOf(key: string): LiveTask {
    let live = this.live.get(key);
    if (!live || live.generation !== this.generation) {
      live = { generation: this.generation, containers: new Map() };
      this.live.set(key, live);
    }
    return live;
  }

  /** Watches a running container: its exit, and its health checks. */
  private watch(key: string, live: LiveTask, name: string, runtime: ContainerRuntime, handle: ContainerHandle, hc: Ecs.HealthCheck | undefined): void {
    const entry: LiveContainer = { handle, runtime };
    live.containers.set(name, entry);
    const gen = live.generation;
    const config = hc && healthCheckConfig(hc);
    if (config) {
      entry.checker = new ContainerHealthCheck(
        config,
        (argv, timeoutMs) => runtime.exec(handle, argv, timeoutMs),
        (status) => {
          if (gen === this.generation) this.onHealth(key, name, status);
        },
        this.now,
      );
      entry.checker.start();
    }
    void runtime.wait(handle).then(
      (status) => {
        entry.checker?.stop();
        if (gen !== this.generation) return;
        this.onExit(key, name, status.exitCode, status.reason, false);
      },
      (e: Error) => this.deps.logger.warn({ key, container: name, err: e.message }, 'lost track of a container'),
    );
  }

  private onExit(key: string, name: string, exitCode: number | null, reason: string | undefined, lostOnRestart: boolean): void {
    const now = this.now();
    this.update(key, (t) => {
      const c = t.containers.find((x) => x.name === name);
      if (!c || c.lastStatus === 'STOPPED') return;
      c.lastStatus = 'STOPPED';
      if (exitCode !== null) c.exitCode = exitCode;
      if (reason) c.reason = reason.slice(0, 255);
      t.version += 1;
      if (c.essential) {
        if (lostOnRestart) requestStop(t, 'TerminationNotice', RESTART_LOST_REASON, now);
        else requestStop(t, 'EssentialContainerExited', 'Essential container in task exited', now);
      }
    });
  }

  private onHealth(key: string, name: string, status: ContainerHealth): void {
    const now = this.now();
    this.update(key, (t) => {
      const c = t.containers.find((x) => x.name === name);
      if (c?.lastStatus !== 'RUNNING') return;
      c.healthStatus = status;
      const health = taskHealth(t.containers);
      if (health !== t.healthStatus) {
        t.healthStatus = health;
        if (health === 'HEALTHY') t.healthySince = now;
        else delete t.healthySince;
        t.version += 1;
      }
    });
  }

  /** First sight of a task since this server started: re-adopt its containers from their handles. */
  private async adopt(key: string, task: TaskRecord): Promise<void> {
    const existing = this.live.get(key);
    if (existing && existing.generation === this.generation) return;
    const live = this.liveOf(key);
    if (!ADOPTABLE.has(task.lastStatus)) return;
    this.deps.credentials?.activate(task);
    const td = this.taskDefinition(task);
    for (const c of task.containers) {
      if (!c.handle || c.lastStatus === 'STOPPED') continue;
      const handle = c.handle as ContainerHandle;
      const runtime = this.deps.runtimeFor(handle.runtime);
      if (!runtime) {
        this.onExit(key, c.name, null, `the ${handle.runtime} runtime is not available`, false);
        continue;
      }
      const def = td?.containerDefinitions?.find((d) => d.name === c.name);
      const sink = awslogsSink(this.deps.logs, { region: task.region, accountId: task.accountId, taskId: task.taskId, container: c.name }, def?.logConfiguration);
      sink?.started(c.runtimeId ?? c.name);
      let r;
      try {
        r = await runtime.recover(handle, sink?.onLine, task.logsUntil);
      } catch (e) {
        r = { state: 'exited' as const, exitCode: null, reason: `could not re-adopt the container: ${(e as Error).message}` };
      }
      if (r.state === 'running') {
        this.deps.logger.info({ task: task.taskId, container: c.name }, 'container re-adopted');
        this.watch(key, live, c.name, runtime, handle, task.lastStatus === 'RUNNING' || task.lastStatus === 'ACTIVATING' ? def?.healthCheck : undefined);
      } else {
        // A process container that exited while no server ran (its status was recorded) ended as any exit does.
        this.onExit(key, c.name, r.exitCode, r.reason, handle.runtime === 'process' && r.exitCode === null);
      }
    }
  }

  private stopCheckers(key: string): void {
    const live = this.live.get(key);
    if (!live) return;
    for (const c of live.containers.values()) c.checker?.stop();
  }

  private forget(key: string): void {
    this.stopCheckers(key);
    this.live.delete(key);
  }

  /**
   * Graceful shutdown: stopping Wayfinder stops what it started. Every task is stopped as ECS stops one
   * (SIGTERM, SIGKILL after its container's stopTimeout), its containers are removed, it leaves Cloud Map
   * and is recorded STOPPED, so nothing keeps running behind a server that is gone. With `keepTasks`
   * (--keep-tasks) tasks keep running instead, records untouched, and the next start on this data dir
   * re-adopts them (docker containers; process containers once the runtime has let them go: detachAll).
   */
  async shutdown(opts: { keepTasks?: boolean } = {}): Promise<void> {
    await this.queue.stop();
    this.generation++;
    for (const key of this.live.keys()) this.stopCheckers(key);
    this.live.clear();
    const now = this.now();
    const tasks = this.deps.ecs.tasks.all().filter((t) => t.lastStatus !== 'STOPPED');
    await Promise.all(
      tasks.map(async (t) => {
        const key = taskKey(t, t.cluster, t.taskId);
        const running = t.containers.filter((c) => c.handle && c.lastStatus !== 'STOPPED');
        if (opts.keepTasks) {
          // Docker replays its logs from here at the next start; process output waits in its pipes (output.ts).
          const onDocker = (t.runtime ?? this.deps.runtime().name) === 'docker' || running.some((c) => (c.handle as ContainerHandle).runtime === 'docker');
          if (onDocker) this.update(key, (x) => void (x.logsUntil = now));
          return;
        }
        const td = this.taskDefinition(t);
        const ended = await Promise.all(running.map((c) => this.stopForShutdown(t, c, td)));
        this.deps.credentials?.revoke(t);
        this.deps.registration.deregister(t);
        this.update(key, (x) => {
          x.registrations = [];
          for (const c of x.containers) {
            const status = ended.find((e) => e.name === c.name);
            if (!status || c.lastStatus === 'STOPPED') continue;
            c.lastStatus = 'STOPPED';
            if (status.exitCode !== null) c.exitCode = status.exitCode;
            if (status.reason && !c.reason) c.reason = status.reason.slice(0, 255);
          }
          requestStop(x, 'TerminationNotice', SHUTDOWN_REASON, now);
          walkToStopped(x, now);
          if (x.attachment) x.attachment.status = 'DELETED';
        });
        if (t.attachment?.networkInterfaceId) {
          try {
            this.deps.ec2.releaseEni(t, t.attachment.networkInterfaceId);
          } catch {
            /* best effort */
          }
        }
      }),
    );
  }

  /** One container of a task being stopped at shutdown: ECS's stop, then the runtime's clean-up. */
  private async stopForShutdown(t: TaskRecord, c: ContainerRecord, td: Ecs.TaskDefinition | undefined): Promise<{ name: string; exitCode: number | null; reason?: string }> {
    const handle = c.handle as ContainerHandle;
    const runtime = this.deps.runtimeFor(handle.runtime);
    if (!runtime) return { name: c.name, exitCode: null, reason: `the ${handle.runtime} runtime is not available` };
    const timeout = td?.containerDefinitions?.find((d) => d.name === c.name)?.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SEC;
    try {
      await runtime.stop(handle, timeout);
      const status = await runtime.wait(handle);
      await runtime.remove(handle);
      return { name: c.name, ...status };
    } catch (e) {
      this.deps.logger.warn({ task: t.taskId, container: c.name, err: (e as Error).message }, 'could not stop a container at shutdown');
      return { name: c.name, exitCode: null, reason: `could not stop the container: ${(e as Error).message}` };
    }
  }

  /** Reset: forget everything at once; the caller kills what the runtimes run. */
  async reset(): Promise<void> {
    this.generation++;
    for (const key of this.live.keys()) this.stopCheckers(key);
    this.live.clear();
    await this.queue.stop();
    this.queue = this.newQueue();
  }
}

/** Task health from its containers: only essential containers with health checks count. */
export function taskHealth(containers: ContainerRecord[]): HealthStatus {
  const checked = containers.filter((c) => c.essential && c.hasHealthCheck);
  if (!checked.length) return 'UNKNOWN';
  if (checked.some((c) => c.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY';
  if (checked.every((c) => c.healthStatus === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}

/** Walks the rest of the lifecycle at once (shutdown), one legal transition at a time. */
export function walkToStopped(t: TaskRecord, now: number): void {
  for (let i = 0; i < 10 && t.lastStatus !== 'STOPPED'; i++) {
    const row = LIFECYCLE[t.lastStatus];
    moveTo(t, (row.stop ?? row.forward)!, now);
  }
}
