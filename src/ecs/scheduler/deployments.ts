// Deployments of a service: a new PRIMARY for CreateService, for UpdateService changes that need
// new tasks (task definition, network, registries, force) and for circuit-breaker rollbacks.
import { uuid } from '../../kernel/ids.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { newDeploymentId } from '../arns.js';
import type { DeploymentRecord, ServiceEventRecord, ServiceRecord, ServiceRegistryRecord } from '../store.js';
import { rolloutReasons } from './events.js';

export interface DeploymentSpec {
  taskDefinition: string;
  networkConfiguration?: Ecs.NetworkConfiguration;
  serviceRegistries: ServiceRegistryRecord[];
  launchType?: Ecs.LaunchType;
  capacityProviderStrategy?: Ecs.CapacityProviderStrategyItem[];
  platformVersion?: string;
}

export function newDeployment(spec: DeploymentSpec, now: number, reason?: (id: string) => string): DeploymentRecord {
  const id = newDeploymentId();
  return {
    id,
    status: 'PRIMARY',
    taskDefinition: spec.taskDefinition,
    createdAt: now,
    updatedAt: now,
    ...(spec.launchType ? { launchType: spec.launchType } : {}),
    ...(spec.capacityProviderStrategy ? { capacityProviderStrategy: spec.capacityProviderStrategy } : {}),
    ...(spec.platformVersion ? { platformVersion: spec.platformVersion } : {}),
    ...(spec.networkConfiguration ? { networkConfiguration: spec.networkConfiguration } : {}),
    serviceRegistries: spec.serviceRegistries,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: (reason ?? rolloutReasons.inProgress)(id),
    failedTasks: 0,
  };
}

/** Makes `d` the PRIMARY deployment; the previous primary keeps its tasks as an ACTIVE deployment. */
export function promote(service: ServiceRecord, d: DeploymentRecord, now: number): void {
  for (const old of service.deployments) {
    if (old.status === 'PRIMARY') {
      old.status = 'ACTIVE';
      old.updatedAt = now;
    }
  }
  service.deployments.unshift(d);
  service.taskDefinition = d.taskDefinition;
  service.steady = false;
}

const MAX_EVENTS = 100;

/** Adds an event (newest first, ≤100 kept). `unlessLatest` skips it when it repeats the newest one. */
export function addEvent(service: ServiceRecord, message: string, now: number, unlessLatest = false): void {
  if (unlessLatest && service.events[0]?.message === message) return;
  const e: ServiceEventRecord = { id: uuid(), createdAt: now, message };
  service.events.unshift(e);
  if (service.events.length > MAX_EVENTS) service.events.length = MAX_EVENTS;
}
