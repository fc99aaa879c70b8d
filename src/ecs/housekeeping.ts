// ECS housekeeping: the chores around the scheduler and the task engine, kept out of the product's
// composition root (index.ts) so each reads as one job.
//   sweepRetention   forgets stopped tasks, inactive services and deleted task definitions once retained long enough;
//   removeStrays     removes this Wayfinder's containers that no task record owns (at start);
//   cleanCloudMap    removes Cloud Map instances of known tasks that no longer run (at start).
import type { Logger } from '../kernel/log.js';
import type { Store } from '../store/store.js';
import { registryServiceId, type Registration } from './registration.js';
import type { ContainerHandle, ContainerRuntime } from './runtimes/api.js';
import { serviceKey, taskDefinitionKey, taskKey, type EcsStore, type TaskRecord } from './store.js';

/** Stopped tasks and inactive services stay describable this long (AWS: at least an hour). */
export const RETENTION_MS = 60 * 60 * 1000;

/**
 * Deletes, in one transaction, stopped tasks and inactive services older than RETENTION_MS, and task
 * definitions in DELETE_IN_PROGRESS that no live task or active deployment still uses.
 */
export function sweepRetention(store: Store, ecs: EcsStore, now: number): void {
  const tasks = ecs.tasks.all();
  store.withTx(() => {
    for (const t of tasks) {
      if (t.lastStatus === 'STOPPED' && (t.stoppedAt ?? 0) < now - RETENTION_MS) ecs.tasks.deleteTx(taskKey(t, t.cluster, t.taskId));
    }
    const services = ecs.services.all();
    for (const s of services) {
      if (s.status === 'INACTIVE' && (s.inactiveAt ?? 0) < now - RETENTION_MS) ecs.services.deleteTx(serviceKey(s, s.cluster, s.name));
    }
    const inUse = new Set<string>([
      ...tasks.filter((t) => t.lastStatus !== 'STOPPED').map((t) => t.taskDefinitionArn),
      ...services.filter((s) => s.status !== 'INACTIVE').flatMap((s) => s.deployments.map((d) => d.taskDefinition)),
    ]);
    for (const td of ecs.taskDefinitions.all()) {
      if (td.status === 'DELETE_IN_PROGRESS' && !inUse.has(td.arn)) ecs.taskDefinitions.deleteTx(taskDefinitionKey(td, td.family, td.revision));
    }
  });
}

/** Removes containers of this Wayfinder that no task record owns (e.g. created just before a crash). */
export async function removeStrays(ecs: EcsStore, runtimes: ReadonlyArray<ContainerRuntime | undefined>, logger: Logger): Promise<void> {
  const owners = new Map<string, TaskRecord>();
  for (const t of ecs.liveTasks()) owners.set(t.taskId, t);
  for (const rt of runtimes) {
    if (!rt) continue;
    for (const { handle, taskId } of await rt.owned().catch(() => [])) {
      const task = owners.get(taskId);
      const known = task?.containers.some((c) => c.handle && sameContainer(c.handle as ContainerHandle, handle));
      if (!known) {
        logger.info({ taskId, container: handle.id }, 'removing a stray container of this Wayfinder');
        await rt.remove(handle).catch(() => undefined);
      }
    }
  }
}

/** Whether two handles name one container: docker by container id, process by leader pid and its start time. */
function sameContainer(a: ContainerHandle, b: ContainerHandle): boolean {
  if (a.runtime !== b.runtime) return false;
  return a.runtime === 'process' ? a.pid === b.pid && a.startTime === b.startTime : a.id === b.id;
}

/** Removes Cloud Map instances of known tasks that no longer run, in every Cloud Map service ECS registers in. */
export function cleanCloudMap(ecs: EcsStore, registration: Registration, logger: Logger): void {
  const tasks = ecs.tasks.all();
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const serviceIds = new Set<string>();
  for (const s of ecs.services.all())
    for (const d of s.deployments) for (const r of d.serviceRegistries) serviceIds.add(registration.service(r.registryArn)?.id ?? registryServiceId(r.registryArn));
  for (const t of tasks) for (const r of t.registrations) serviceIds.add(r.serviceId);
  const removed = registration.reconcile(serviceIds, byId);
  if (removed) logger.info({ removed }, 'removed Cloud Map instances no live task owns');
}
