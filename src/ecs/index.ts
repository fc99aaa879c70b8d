// The ECS product: the API (operations/), the service scheduler (scheduler/), the task engine
// (tasks/), the runtimes (runtimes/), Cloud Map registration and awslogs capture. This file composes
// them and routes committed changes to the engines; the chores around them are in housekeeping.ts.
//
// Lifecycle:
//   start   picks the runtime, rebuilds the task index, removes this Wayfinder's stray containers,
//           removes Cloud Map instances of known tasks that no longer run, then wakes every task and service.
//   stop    (graceful) every task is stopped as ECS stops one (SIGTERM, SIGKILL after stopTimeout), its
//           containers removed, deregistered and recorded STOPPED (the scheduler replaces them at the
//           next start). With keepTasks (--keep-tasks) tasks keep running instead (Docker containers and
//           process-runtime ones) and are re-adopted by the next start on this data dir.
//   reset   kills every task at once (processes SIGKILL, own containers removed) before the wipe.
//
// Tasks reach Wayfinder (AWS_ENDPOINT_URL, the task role's credentials endpoint) on loopback (process
// runtime) or through the Docker task network's relay (task-network.ts); both are known once the edge
// port is bound, so a container starting before that waits for it.
import { join } from 'node:path';
import type { CloudMapApi } from '../cloudmap/api.js';
import type { Ec2Api } from '../ec2/api.js';
import type { IamApi } from '../iam/api.js';
import { hex } from '../kernel/ids.js';
import type { LogWriter } from '../logs/writer.js';
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { ecsOperationNames, type EcsOperations } from '../protocol/generated/ecs.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import type { Change } from '../store/store.js';
import { cleanCloudMap, removeStrays, sweepRetention } from './housekeeping.js';
import { accountSettingOperations } from './operations/account-settings.js';
import { clusterOperations } from './operations/clusters.js';
import type { EcsOpsContext } from './operations/common.js';
import { serviceOperations } from './operations/services.js';
import { tagOperations } from './operations/tags.js';
import { taskDefinitionOperations } from './operations/task-definitions.js';
import { taskOperations } from './operations/tasks.js';
import { Registration } from './registration.js';
import type { ContainerRuntime, RegistryAuth } from './runtimes/api.js';
import { ignoredSettings } from './runtimes/ignored-settings.js';
import type { DockerRuntime } from './runtimes/docker/docker-runtime.js';
import { TASK_GATEWAY, TaskRelay } from './runtimes/docker/task-network.js';
import { ProcessRuntime } from './runtimes/process/process-runtime.js';
import { dockerIfAvailable, selectRuntime, type RuntimeChoice } from './runtimes/select.js';
import { ServiceController } from './scheduler/controller.js';
import { ECS_TABLES, EcsStore, ecsMigrations, serviceKey } from './store.js';
import { TaskCredentials } from './task-credentials.js';
import type { TaskEndpoint } from './task-environment.js';
import { TaskIndex } from './task-index.js';
import { TaskEngine } from './tasks/engine.js';

/** How often the retention sweep runs (housekeeping.ts). */
const SWEEP_MS = 60 * 1000;

export interface EcsProductDeps extends ProductDeps {
  ec2: Ec2Api;
  /** Role checks (taskRoleArn, executionRoleArn) and task role credentials. */
  /** Role checks and task-role credentials: all ECS needs of IAM. */
  iam: Pick<IamApi, 'role' | 'assumeRole'>;
  logs: LogWriter;
  cloudMap?: CloudMapApi;
  runtime: RuntimeChoice;
  /** Cloud Map's custom-health delay: how long a pushed HEALTHY takes to show. */
  healthDelayMs: number;
  /** How long a task without health checks must run before the scheduler counts it healthy. */
  taskStableMs: number;
  /** Graceful stop leaves tasks running for the next start to re-adopt (--keep-tasks). */
  keepTasks?: boolean;
  /** The data directory (`:memory:` or absent: process-runtime working directories go to a temp dir). */
  dataDir?: string;
  /** Pull credentials for an image in Wayfinder's ECR registry (the execution role's job on Fargate). */
  registryAuth?: RegistryAuth;
  /** Unit tests only: run tasks on this runtime (the in-tree fake) instead of selecting one. */
  runtimeOverride?: ContainerRuntime;
}

/** ECS exposes nothing to later products. */
export function createEcs(opts: EcsProductDeps): Product {
  const { store } = opts;
  const ecs = new EcsStore(store);
  const index = new TaskIndex(ecs);
  const registration = new Registration(opts.cloudMap, opts.logger);
  const processRuntime = new ProcessRuntime(opts.dataDir && opts.dataDir !== ':memory:' ? { tasksDir: join(opts.dataDir, 'tasks') } : {});
  let docker: DockerRuntime | undefined;
  let chosen: ContainerRuntime = processRuntime;
  let instanceId = '';
  let runtimeDetail = 'tasks run as child processes (entryPoint + command)';
  const runtimeFor = (name: string): ContainerRuntime | undefined =>
    name === 'process' ? processRuntime : name === 'docker' ? docker : name === opts.runtimeOverride?.name ? opts.runtimeOverride : undefined;

  const credentials = new TaskCredentials(opts.iam, opts.logger);
  // Where tasks reach the edge, per runtime: settled once the edge port is bound (onListening).
  let bound!: (address: { host: string; port: number }) => void;
  const listening = new Promise<{ host: string; port: number }>((resolve) => (bound = resolve));
  // A stop before the port is bound (it was taken) must not leave a task start waiting for it forever.
  let stopping!: () => void;
  let isStopping = false;
  const stopped = new Promise<never>((_, reject) => (stopping = () => ((isStopping = true), reject(new Error('Wayfinder is stopping')))));
  stopped.catch(() => undefined);
  let dockerEndpoint: Promise<TaskEndpoint | undefined> | undefined;
  let relay: TaskRelay | undefined;
  const endpointFor = async (runtime: string): Promise<TaskEndpoint | undefined> => {
    const edge = await Promise.race([listening, stopped]);
    if (runtime === 'docker') return dockerEndpoint;
    return { url: `http://${loopbackHostOf(edge.host)}:${edge.port}`, hidesSharedConfig: true };
  };

  const engine = new TaskEngine({ ecs, ec2: opts.ec2, registration, logs: opts.logs, logger: opts.logger, runtime: () => chosen, runtimeFor, credentials, endpointFor });
  const controller = new ServiceController({ ecs, ec2: opts.ec2, index, logger: opts.logger, settleMs: opts.healthDelayMs, stableMs: opts.taskStableMs });
  const ctx: EcsOpsContext = {
    ecs,
    ec2: opts.ec2,
    iam: opts.iam,
    registration,
    index,
    now: Date.now,
    firstPassTx: (key, created) => controller.firstPassTx(key, created),
    containerUserProblem: (container, user) => (chosen === processRuntime ? processRuntime.userProblem(container, user) : undefined),
  };
  const taskDefinitions = taskDefinitionOperations(ctx);
  const handlers: HandlerTable<EcsOperations> = {
    ...notImplementedAll(ecsOperationNames),
    ...clusterOperations(ctx),
    ...taskDefinitions,
    RegisterTaskDefinition(input, rctx) {
      const out = taskDefinitions.RegisterTaskDefinition(input, rctx);
      // AWS applies every setting it accepts; say once, where the user runs Wayfinder, which ones we store but do not apply.
      const ignored = ignoredSettings(input);
      if (ignored.length)
        opts.logger.warn(
          { taskDefinition: out.taskDefinition?.taskDefinitionArn, runtime: chosen.name, ignored },
          `Wayfinder stores but does not apply these task definition settings: ${ignored.join(', ')}`,
        );
      return out;
    },
    ...serviceOperations(ctx),
    ...taskOperations(ctx),
    ...tagOperations(ctx),
    ...accountSettingOperations(ctx),
  };

  let unsubscribe: (() => void) | undefined;
  let sweeper: NodeJS.Timeout | undefined;

  function ensureInstanceId(): string {
    const existing = ecs.meta.get('instance')?.value;
    if (existing) return existing;
    const id = instanceId || hex(16);
    store.withTx(() => ecs.meta.putTx('instance', { value: id }));
    return id;
  }

  function wakeAll(): void {
    for (const s of ecs.services.all()) if (s.status !== 'INACTIVE') controller.add(serviceKey(s, s.cluster, s.name));
  }

  function sweep(): void {
    sweepRetention(store, ecs, Date.now());
    wakeAll();
  }

  /** Routes committed changes: a task to the engine (and its service to the controller), a service to the controller. */
  function onChanges(changes: readonly Change[]): void {
    // One wake per key and batch: a commit can change a key twice (CreateService's write and the scheduler's
    // first pass of it), and a second add() while the pass the first one started still runs would run it again.
    const tasks = new Set<string>();
    const services = new Set<string>();
    const ofTasks = new Set<string>();
    for (const ch of changes) {
      if (ch.table === ECS_TABLES.tasks) {
        const svc = index.serviceOfTask(ch.key);
        if (ch.op === 'delete') index.remove(ch.key);
        else tasks.add(ch.key);
        if (svc) ofTasks.add(svc);
      } else if (ch.table === ECS_TABLES.services) {
        services.add(ch.key);
      }
    }
    for (const key of tasks) engine.add(key);
    for (const key of ofTasks) controller.taskChanged(key);
    for (const key of services) if (!ofTasks.has(key)) controller.add(key);
  }

  return {
    name: 'ecs',
    services: [serviceHandlers('ecs', handlers)],
    api: undefined,
    internalRoutes: [credentials.route()],
    async start() {
      instanceId = ensureInstanceId();
      const selected = opts.runtimeOverride ? { runtime: opts.runtimeOverride, docker: undefined } : await selectRuntime(opts.runtime, instanceId, processRuntime, opts.logger);
      chosen = selected.runtime;
      docker = selected.docker;
      if (docker && opts.registryAuth) docker.registryAuth = opts.registryAuth;
      runtimeDetail =
        chosen.name === 'docker'
          ? `containers through the Docker engine at ${docker?.where ?? 'the local socket'}`
          : opts.runtime === 'auto'
            ? 'tasks run as child processes (no Docker engine answered)'
            : 'tasks run as child processes (entryPoint + command)';
      if (!docker && ecs.liveTasks().some((t) => t.runtime === 'docker')) {
        // Tasks from a run on the docker runtime: adopt them if the engine is still there.
        docker = await dockerIfAvailable(instanceId, opts.logger);
        if (docker && opts.registryAuth) docker.registryAuth = opts.registryAuth;
      }
      if (docker && chosen === docker) {
        const d = docker;
        dockerEndpoint = d
          .useTaskNetwork()
          .then(() => listening)
          .then(async (edge) => {
            // A wildcard bind already listens on the task network's gateway: no relay needed.
            if (WILDCARD.has(edge.host)) return { url: `http://${TASK_GATEWAY}:${edge.port}` };
            const opened = await TaskRelay.open({ host: edge.host.replace(/^\[|\]$/g, ''), port: edge.port });
            // Stopped while it opened: nothing will close it later.
            if (isStopping) return void (await opened.close());
            relay = opened;
            return { url: `http://${TASK_GATEWAY}:${opened.port}` };
          })
          .catch((e: Error) => {
            opts.logger.warn({ err: e.message }, 'Docker tasks cannot reach Wayfinder (no AWS_ENDPOINT_URL, no task role credentials): the task network could not be set up');
            return undefined;
          });
      }
      index.rebuild();
      await removeStrays(ecs, [processRuntime, docker, opts.runtimeOverride], opts.logger);
      cleanCloudMap(ecs, registration, opts.logger);
      unsubscribe = store.subscribe(onChanges);
      for (const key of ecs.liveTaskKeys()) engine.add(key);
      wakeAll();
      sweeper = setInterval(() => {
        try {
          sweep();
        } catch (e) {
          opts.logger.error({ err: e }, 'ECS sweep failed');
        }
      }, SWEEP_MS);
      sweeper.unref();
    },
    async stop() {
      stopping();
      if (sweeper) clearInterval(sweeper);
      await controller.stop();
      await engine.shutdown({ keepTasks: opts.keepTasks ?? false });
      unsubscribe?.();
      await relay?.close();
      credentials.clear();
      // keepTasks: the process runtime lets its containers go for the next start (the engine left their records as they are).
      if (opts.keepTasks) processRuntime.detachAll();
      else processRuntime.killAll();
      await docker?.close();
    },
    async beforeReset() {
      await controller.reset();
      processRuntime.killAll();
      if (docker) {
        const own = await docker.owned().catch(() => []);
        await Promise.all(own.map(({ handle }) => docker!.remove(handle).catch(() => undefined)));
      }
      await engine.reset();
      index.clear();
      credentials.clear();
    },
    afterReset() {
      // Keep this data dir's instance id across the wipe: containers are labelled with it.
      store.withTx(() => ecs.meta.putTx('instance', { value: instanceId }));
    },
    onListening(address) {
      bound(address);
    },
    health() {
      return { runtime: chosen.name, runtimeDetail: runtimeDetail };
    },
  };
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** The address a process on this machine uses to reach the edge bound on `host`. */
function loopbackHostOf(host: string): string {
  if (WILDCARD.has(host)) return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export const ecsProduct: ProductModule<EcsProductDeps> = { migrations: ecsMigrations, create: createEcs };
