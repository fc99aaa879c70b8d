// A new task record, as RunTask and the service scheduler create it: desiredStatus RUNNING,
// lastStatus PROVISIONING, one container record per container definition. Nothing starts here; the
// task engine walks the record through its lifecycle.
import { randomInt } from 'node:crypto';
import type { Ec2Api } from '../../ec2/api.js';
import { uuid } from '../../kernel/ids.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { clusterArn, containerArn, newTaskId, taskArn } from '../arns.js';
import { healthCheckArgv } from '../runtimes/api.js';
import type { ServiceRegistryRecord, Tag, TaskDefinitionRecord, TaskRecord } from '../store.js';

export interface LaunchOptions {
  region: string;
  accountId: string;
  cluster: string;
  taskDefinition: TaskDefinitionRecord;
  launchType: Ecs.LaunchType;
  capacityProviderName?: string;
  platformVersion?: string;
  networkConfiguration?: Ecs.NetworkConfiguration;
  serviceRegistries?: ServiceRegistryRecord[];
  service?: string;
  startedBy?: string;
  group?: string;
  overrides?: Ecs.TaskOverride;
  tags?: Tag[];
  enableExecuteCommand?: boolean;
  now: number;
}

/**
 * A new task's tags: the propagated ones (the service's or the task definition's), the task's own
 * on top (same key: the task's wins), then with enableECSManagedTags the ones ECS adds itself
 * (aws:ecs:clusterName, and aws:ecs:serviceName for a service's task).
 */
export function launchTags(propagated: Tag[], own: Tag[], managed: { cluster: string; service?: string } | undefined): Tag[] {
  const out = [...propagated];
  for (const t of own) {
    const i = out.findIndex((x) => x.key === t.key);
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  if (managed) {
    out.push({ key: 'aws:ecs:clusterName', value: managed.cluster });
    if (managed.service !== undefined) out.push({ key: 'aws:ecs:serviceName', value: managed.service });
  }
  return out;
}

/** Picks the task's subnet (awsvpc) and availability zone. */
export function placeTask(
  ec2: Ec2Api,
  region: string,
  accountId: string,
  networkConfiguration: Ecs.NetworkConfiguration | undefined,
): { subnetId?: string; availabilityZone: string } {
  const subnets = networkConfiguration?.awsvpcConfiguration?.subnets ?? [];
  if (!subnets.length) return { availabilityZone: `${region}a` };
  const subnetId = subnets[randomInt(subnets.length)]!;
  const subnet = ec2.subnet({ region, accountId }, subnetId);
  return { subnetId, availabilityZone: subnet?.availabilityZone ?? `${region}a` };
}

export function newTask(o: LaunchOptions, placement: { subnetId?: string; availabilityZone: string }): TaskRecord {
  const td = o.taskDefinition.definition;
  const taskId = newTaskId();
  const networkMode = td.networkMode ?? 'bridge';
  return {
    region: o.region,
    accountId: o.accountId,
    cluster: o.cluster,
    taskId,
    arn: taskArn(o.region, o.accountId, o.cluster, taskId),
    clusterArn: clusterArn(o.region, o.accountId, o.cluster),
    taskDefinitionArn: o.taskDefinition.arn,
    family: o.taskDefinition.family,
    ...(o.service ? { service: o.service } : {}),
    group: o.group ?? (o.service ? `service:${o.service}` : `family:${o.taskDefinition.family}`),
    ...(o.startedBy ? { startedBy: o.startedBy } : {}),
    launchType: o.launchType,
    ...(o.capacityProviderName ? { capacityProviderName: o.capacityProviderName } : {}),
    ...(o.launchType === 'FARGATE' ? { platformVersion: o.platformVersion && o.platformVersion !== 'LATEST' ? o.platformVersion : '1.4.0' } : {}),
    cpu: o.overrides?.cpu ?? td.cpu,
    memory: o.overrides?.memory ?? td.memory,
    availabilityZone: placement.availabilityZone,
    networkMode,
    ...(o.networkConfiguration ? { networkConfiguration: o.networkConfiguration } : {}),
    serviceRegistries: o.serviceRegistries ?? [],
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    version: 1,
    createdAt: o.now,
    ...(networkMode === 'awsvpc' && placement.subnetId ? { attachment: { id: uuid(), status: 'PRECREATED', subnetId: placement.subnetId } } : {}),
    containers: (td.containerDefinitions ?? []).map((c) => {
      const override = o.overrides?.containerOverrides?.find((x) => x.name === c.name);
      return {
        name: c.name!,
        arn: containerArn(o.region, o.accountId, o.cluster, taskId, uuid()),
        image: c.image ?? '',
        essential: c.essential ?? true,
        lastStatus: 'PENDING',
        healthStatus: 'UNKNOWN',
        // ["NONE"] disables an inherited check (Docker semantics): such a container has no health check.
        hasHealthCheck: !!(c.healthCheck && healthCheckArgv(c.healthCheck.command ?? [])),
        networkBindings: [],
        ...(c.cpu !== undefined || override?.cpu !== undefined ? { cpu: override?.cpu ?? c.cpu } : {}),
        ...(c.memory !== undefined || override?.memory !== undefined ? { memory: override?.memory ?? c.memory } : {}),
        ...(c.memoryReservation !== undefined || override?.memoryReservation !== undefined ? { memoryReservation: override?.memoryReservation ?? c.memoryReservation } : {}),
      };
    }),
    overrides: o.overrides ?? { containerOverrides: [] },
    tags: o.tags ?? [],
    enableExecuteCommand: o.enableExecuteCommand ?? false,
    registrations: [],
  };
}
