// Records → AWS wire shapes (model member names). Counts that depend on tasks (runningCount,
// pendingCount …) are computed when asked, from the task index, so they are never stale.
import { arn } from '../../kernel/arn.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { isPending } from '../tasks/lifecycle.js';
import type { ClusterRecord, DeploymentRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from '../store.js';

export interface TaskCounts {
  running: number;
  pending: number;
}

export function countTasks(tasks: TaskRecord[]): TaskCounts {
  let running = 0;
  let pending = 0;
  for (const t of tasks) {
    if (t.lastStatus === 'RUNNING') running++;
    else if (t.desiredStatus === 'RUNNING' && isPending(t.lastStatus)) pending++;
  }
  return { running, pending };
}

export function clusterWire(c: ClusterRecord, stats: { running: number; pending: number; services: number }, include: Ecs.ClusterFieldList = []): Ecs.Cluster {
  return {
    clusterArn: c.arn,
    clusterName: c.name,
    status: c.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: stats.running,
    pendingTasksCount: stats.pending,
    activeServicesCount: stats.services,
    statistics: include.includes('STATISTICS') ? [] : [],
    tags: include.includes('TAGS') ? c.tags : [],
    // DescribeClusters returns settings and configuration only when `include` asks for them (AWS's API reference).
    ...(include.includes('SETTINGS') ? { settings: c.settings as Ecs.ClusterSettings } : {}),
    capacityProviders: c.capacityProviders,
    defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy,
    ...(include.includes('CONFIGURATIONS') && c.configuration ? { configuration: c.configuration } : {}),
    ...(include.includes('ATTACHMENTS') ? { attachments: [] } : {}),
    ...(c.serviceConnectDefaults ? { serviceConnectDefaults: c.serviceConnectDefaults } : {}),
  };
}

export function taskDefinitionWire(td: TaskDefinitionRecord): Ecs.TaskDefinition {
  return {
    ...td.definition,
    taskDefinitionArn: td.arn,
    family: td.family,
    revision: td.revision,
    status: td.status,
    registeredAt: new Date(td.registeredAt),
    ...(td.deregisteredAt ? { deregisteredAt: new Date(td.deregisteredAt) } : {}),
    ...(td.deleteRequestedAt ? { deleteRequestedAt: new Date(td.deleteRequestedAt) } : {}),
  };
}

function deploymentWire(d: DeploymentRecord, s: ServiceRecord, counts: TaskCounts, activeTasks: number): Ecs.Deployment {
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desiredCount: d.status === 'PRIMARY' ? (s.status === 'ACTIVE' ? s.desiredCount : 0) : activeTasks,
    pendingCount: counts.pending,
    runningCount: counts.running,
    failedTasks: d.failedTasks,
    createdAt: new Date(d.createdAt),
    updatedAt: new Date(d.updatedAt),
    ...(d.launchType ? { launchType: d.launchType } : {}),
    ...(d.capacityProviderStrategy ? { capacityProviderStrategy: d.capacityProviderStrategy } : {}),
    ...(d.launchType === 'FARGATE' || d.capacityProviderStrategy?.length
      ? { platformVersion: d.platformVersion && d.platformVersion !== 'LATEST' ? d.platformVersion : '1.4.0', platformFamily: 'Linux' }
      : {}),
    ...(d.networkConfiguration ? { networkConfiguration: d.networkConfiguration } : {}),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

export function serviceWire(s: ServiceRecord, tasks: TaskRecord[], includeTags: boolean): Ecs.Service {
  const counts = countTasks(tasks);
  return {
    serviceArn: s.arn,
    serviceName: s.name,
    clusterArn: s.arn.replace(/:service\/.*$/, `:cluster/${s.cluster}`),
    loadBalancers: s.loadBalancers,
    serviceRegistries: s.serviceRegistries,
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: counts.running,
    pendingCount: counts.pending,
    ...(s.launchType ? { launchType: s.launchType } : {}),
    ...(s.capacityProviderStrategy ? { capacityProviderStrategy: s.capacityProviderStrategy } : {}),
    ...(s.launchType === 'FARGATE' || s.capacityProviderStrategy?.length ? { platformVersion: s.platformVersion ?? 'LATEST', platformFamily: 'Linux' } : {}),
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: s.deploymentConfiguration,
    deployments: s.deployments.map((d) => {
      const mine = tasks.filter((t) => t.startedBy === d.id);
      return deploymentWire(d, s, countTasks(mine), mine.filter((t) => t.desiredStatus === 'RUNNING').length);
    }),
    roleArn: arn('iam', '', s.accountId, 'role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS'),
    events: s.events.map((e) => ({ id: e.id, createdAt: new Date(e.createdAt), message: e.message })),
    createdAt: new Date(s.createdAt),
    placementConstraints: s.placementConstraints,
    placementStrategy: s.placementStrategy,
    ...(s.networkConfiguration ? { networkConfiguration: s.networkConfiguration } : {}),
    ...(s.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds } : {}),
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: s.deploymentController,
    ...(includeTags ? { tags: s.tags } : {}),
    createdBy: s.createdBy,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags,
    enableExecuteCommand: s.enableExecuteCommand,
    availabilityZoneRebalancing: s.availabilityZoneRebalancing ?? 'DISABLED',
  };
}

export function taskWire(t: TaskRecord, includeTags: boolean): Ecs.Task {
  const att = t.attachment;
  const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
  return {
    attachments: att
      ? [
          {
            id: att.id,
            type: 'ElasticNetworkInterface',
            status: att.status,
            details: [
              { name: 'subnetId', value: att.subnetId },
              ...(att.networkInterfaceId ? [{ name: 'networkInterfaceId', value: att.networkInterfaceId }] : []),
              ...(att.macAddress ? [{ name: 'macAddress', value: att.macAddress }] : []),
              ...(att.privateDnsName ? [{ name: 'privateDnsName', value: att.privateDnsName }] : []),
              ...(att.privateIPv4Address ? [{ name: 'privateIPv4Address', value: att.privateIPv4Address }] : []),
            ],
          },
        ]
      : [],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: t.availabilityZone,
    ...(t.capacityProviderName ? { capacityProviderName: t.capacityProviderName } : {}),
    clusterArn: t.clusterArn,
    connectivity: t.connectivityAt !== undefined && t.lastStatus !== 'STOPPED' ? 'CONNECTED' : undefined,
    connectivityAt: date(t.connectivityAt),
    containers: t.containers.map((c) => ({
      containerArn: c.arn,
      taskArn: t.arn,
      name: c.name,
      image: c.image,
      ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
      lastStatus: c.lastStatus,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
      networkBindings: c.networkBindings,
      networkInterfaces: att?.privateIPv4Address ? [{ attachmentId: att.id, privateIpv4Address: att.privateIPv4Address }] : [],
      healthStatus: c.healthStatus,
      ...(c.cpu !== undefined ? { cpu: String(c.cpu) } : {}),
      ...(c.memory !== undefined ? { memory: String(c.memory) } : {}),
      ...(c.memoryReservation !== undefined ? { memoryReservation: String(c.memoryReservation) } : {}),
    })),
    ...(t.cpu ? { cpu: t.cpu } : {}),
    createdAt: new Date(t.createdAt),
    desiredStatus: t.desiredStatus,
    enableExecuteCommand: t.enableExecuteCommand,
    executionStoppedAt: date(t.executionStoppedAt),
    group: t.group,
    healthStatus: t.healthStatus,
    lastStatus: t.lastStatus,
    launchType: t.launchType,
    ...(t.memory ? { memory: t.memory } : {}),
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...t.overrides },
    ...(t.platformVersion ? { platformVersion: t.platformVersion, platformFamily: 'Linux' } : {}),
    pullStartedAt: date(t.pullStartedAt),
    pullStoppedAt: date(t.pullStoppedAt),
    startedAt: date(t.startedAt),
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    stoppedAt: date(t.stoppedAt),
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    stoppingAt: date(t.stoppingAt),
    ...(includeTags ? { tags: t.tags } : {}),
    taskArn: t.arn,
    taskDefinitionArn: t.taskDefinitionArn,
    version: t.version,
  };
}
