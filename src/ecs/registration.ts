// ECS ↔ Cloud Map (docs/aws-behavior.md §5.6): during ACTIVATING a service's task is registered in each Cloud Map
// service of its deployment's serviceRegistries (instance id = task id, the attribute set ECS
// writes); its health is pushed while it runs when the Cloud Map service uses custom health; during
// DEACTIVATING it is deregistered. With the process and docker runtimes the reachable address is
// 127.0.0.1 and the host port the runtime bound. After a restart, `reconcile` removes the instances
// of known tasks that no longer run, so Cloud Map never keeps an instance of a stopped task.
import type { CloudMapApi, CloudMapServiceInfo } from '../cloudmap/api.js';
import type { Logger } from '../kernel/log.js';
import type { RegistrationRecord, ServiceRegistryRecord, TaskRecord } from './store.js';
import type { Scope } from '../store/store.js';

/** The host the runtimes publish on. */
export const REACHABLE_IPV4 = '127.0.0.1';

/** ARN or id of a Cloud Map service → its id. */
export function registryServiceId(registryArn: string): string {
  const m = /service\/(srv-[a-z0-9]+)$/.exec(registryArn);
  return m ? m[1]! : registryArn;
}

function hostPortFor(task: TaskRecord, containerPort: number, containerName?: string): number | undefined {
  for (const c of task.containers) {
    if (containerName !== undefined && c.name !== containerName) continue;
    const b = c.networkBindings.find((nb) => nb.containerPort === containerPort);
    if (b) return b.hostPort;
  }
  return undefined;
}

/** True when an essential container defines a health check (then ECS registers UNHEALTHY first). */
export function hasEssentialHealthChecks(task: TaskRecord): boolean {
  return task.containers.some((c) => c.essential && c.hasHealthCheck);
}

/** The attribute set ECS writes for a task (no user-defined attributes). */
export function instanceAttributes(task: TaskRecord, registry: ServiceRegistryRecord, info: Pick<CloudMapServiceInfo, 'health'>): Record<string, string> {
  const attrs: Record<string, string> = { AWS_INSTANCE_IPV4: REACHABLE_IPV4 };
  let port: number | undefined;
  if (registry.port !== undefined) port = hostPortFor(task, registry.port) ?? registry.port;
  else if (registry.containerName !== undefined && registry.containerPort !== undefined)
    port = hostPortFor(task, registry.containerPort, registry.containerName) ?? registry.containerPort;
  if (port !== undefined) attrs.AWS_INSTANCE_PORT = String(port);
  attrs.AVAILABILITY_ZONE = task.availabilityZone;
  attrs.REGION = task.region;
  attrs.ECS_CLUSTER_NAME = task.cluster;
  if (task.service) attrs.ECS_SERVICE_NAME = task.service;
  attrs.ECS_TASK_DEFINITION_FAMILY = task.family;
  if (info.health === 'custom') attrs.AWS_INIT_HEALTH_STATUS = wantedHealth(task) ?? 'UNHEALTHY'; // not yet judged: unhealthy until it is
  return attrs;
}

/** The status ECS wants Cloud Map to show for a running task, or undefined when it has no opinion yet. */
export function wantedHealth(task: TaskRecord): 'HEALTHY' | 'UNHEALTHY' | undefined {
  if (!hasEssentialHealthChecks(task)) return 'HEALTHY';
  if (task.healthStatus === 'HEALTHY') return 'HEALTHY';
  if (task.healthStatus === 'UNHEALTHY') return 'UNHEALTHY';
  return undefined;
}

export class Registration {
  constructor(
    private readonly cloudMap: CloudMapApi | undefined,
    private readonly logger: Logger,
  ) {}

  get api(): CloudMapApi | undefined {
    return this.cloudMap;
  }

  service(registryArn: string): CloudMapServiceInfo | undefined {
    return this.cloudMap?.service(registryArn);
  }

  /** Whether Cloud Map has the namespace (true when there is no Cloud Map to ask). */
  hasNamespace(scope: Scope, ref: string): boolean {
    return this.cloudMap?.hasNamespace(scope, ref) ?? true;
  }

  /** Registers the task in every registry of its deployment; returns what was registered. */
  register(task: TaskRecord): RegistrationRecord[] {
    const done: RegistrationRecord[] = [...task.registrations];
    if (!this.cloudMap) return done;
    for (const registry of task.serviceRegistries) {
      const info = this.cloudMap.service(registry.registryArn);
      if (!info) {
        this.logger.warn({ task: task.taskId, registry: registry.registryArn }, 'Cloud Map service of the service registry no longer exists; task not registered');
        continue;
      }
      if (done.some((r) => r.serviceId === info.id)) continue;
      const attributes = instanceAttributes(task, registry, info);
      try {
        this.cloudMap.registerInstance({ serviceId: info.id, instanceId: task.taskId, attributes, creatorRequestId: task.taskId });
        done.push({
          serviceId: info.id,
          instanceId: task.taskId,
          custom: info.health === 'custom',
          // The initial status applies at once (no health delay), so it counts as long since pushed.
          ...(info.health === 'custom' ? { pushed: attributes.AWS_INIT_HEALTH_STATUS as 'HEALTHY' | 'UNHEALTHY', pushedAt: 0 } : {}),
        });
      } catch (e) {
        this.logger.warn({ task: task.taskId, serviceId: info.id, err: (e as Error).message }, 'Cloud Map registration failed');
      }
    }
    return done;
  }

  /** Pushes custom health where it differs from what was last pushed; undefined when nothing changed. */
  pushHealth(task: TaskRecord): RegistrationRecord[] | undefined {
    if (!this.cloudMap) return undefined;
    const want = wantedHealth(task);
    if (!want) return undefined;
    let changed = false;
    const next = task.registrations.map((r) => {
      if (!r.custom || r.pushed === want) return r;
      try {
        this.cloudMap!.setCustomHealth(r.serviceId, r.instanceId, want);
        changed = true;
        return { ...r, pushed: want, pushedAt: Date.now() };
      } catch (e) {
        this.logger.warn({ task: task.taskId, serviceId: r.serviceId, err: (e as Error).message }, 'Cloud Map health update failed');
        return r;
      }
    });
    return changed ? next : undefined;
  }

  deregister(task: TaskRecord): void {
    if (!this.cloudMap) return;
    for (const r of task.registrations) {
      try {
        this.cloudMap.deregisterInstance(r.serviceId, r.instanceId);
      } catch (e) {
        this.logger.warn({ task: task.taskId, serviceId: r.serviceId, err: (e as Error).message }, 'Cloud Map deregistration failed');
      }
    }
  }

  /**
   * Restart consistency: in every Cloud Map service ECS registers into, removes the instances of
   * known tasks that are stopping or stopped. Instances of unknown ids are left alone: someone may
   * have registered them through the API.
   */
  reconcile(serviceIds: Iterable<string>, tasksById: ReadonlyMap<string, TaskRecord>): number {
    if (!this.cloudMap) return 0;
    let removed = 0;
    for (const serviceId of new Set(serviceIds)) {
      let ids: string[];
      try {
        ids = this.cloudMap.instanceIds(serviceId);
      } catch {
        continue;
      }
      for (const id of ids) {
        const task = tasksById.get(id);
        const owned = task && (task.lastStatus === 'RUNNING' || task.lastStatus === 'ACTIVATING') && task.registrations.some((r) => r.serviceId === serviceId);
        if (owned) continue;
        // Only instances of tasks ECS itself started are ours to remove: an instance someone
        // registered through the API (even with a task-like id) is left alone.
        if (task) {
          try {
            this.cloudMap.deregisterInstance(serviceId, id);
            removed++;
          } catch (e) {
            this.logger.warn({ serviceId, instanceId: id, err: (e as Error).message }, 'Cloud Map clean-up failed');
          }
        }
      }
    }
    return removed;
  }
}
