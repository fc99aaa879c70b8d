// ECS records and tables. Keys start with the region (every region is separate, like AWS):
//   clusters          <region>/<cluster>
//   task definitions  <region>/<family>/<revision, zero-padded>   (+ families <region>/<family> → last revision)
//   services          <region>/<cluster>/<service>
//   tasks             <region>/<cluster>/<taskId>
// Records are camelCase; AWS's wire shapes are built from them in operations/wire.ts.
import { docTableSql, type DocTable, type Migration, type Store, partitionOf, type Scope } from '../store/store.js';
import type * as Ecs from '../protocol/generated/ecs.js';
import type { LastStatus } from './tasks/lifecycle.js';

export interface Tag {
  key: string;
  value: string;
}

export interface ClusterRecord {
  region: string;
  accountId: string;
  name: string;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  createdAt: number;
  tags: Tag[];
  settings: Array<{ name: string; value: string }>;
  configuration?: Ecs.ClusterConfiguration;
  capacityProviders: string[];
  defaultCapacityProviderStrategy: Ecs.CapacityProviderStrategyItem[];
  serviceConnectDefaults?: { namespace: string };
}

export interface TaskDefinitionRecord {
  region: string;
  accountId: string;
  family: string;
  revision: number;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  registeredAt: number;
  deregisteredAt?: number;
  deleteRequestedAt?: number;
  tags: Tag[];
  /** The registered definition as given (model member names), with defaults filled in. */
  definition: Ecs.TaskDefinition;
}

export interface FamilyRecord {
  region: string;
  family: string;
  lastRevision: number;
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface ServiceRegistryRecord {
  registryArn: string;
  port?: number;
  containerName?: string;
  containerPort?: number;
}

export interface DeploymentRecord {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  createdAt: number;
  updatedAt: number;
  launchType?: Ecs.LaunchType;
  capacityProviderStrategy?: Ecs.CapacityProviderStrategyItem[];
  platformVersion?: string;
  networkConfiguration?: Ecs.NetworkConfiguration;
  serviceRegistries: ServiceRegistryRecord[];
  rolloutState: RolloutState;
  rolloutStateReason: string;
  /** Tasks of this deployment that failed (counted while the deployment was in progress). */
  failedTasks: number;
}

export interface ServiceEventRecord {
  id: string;
  createdAt: number;
  message: string;
}

export interface DeploymentConfigurationRecord {
  maximumPercent: number;
  minimumHealthyPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
}

export interface ServiceRecord {
  region: string;
  accountId: string;
  cluster: string;
  name: string;
  arn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  launchType?: Ecs.LaunchType;
  capacityProviderStrategy?: Ecs.CapacityProviderStrategyItem[];
  platformVersion?: string;
  taskDefinition: string;
  deploymentConfiguration: DeploymentConfigurationRecord;
  networkConfiguration?: Ecs.NetworkConfiguration;
  serviceRegistries: ServiceRegistryRecord[];
  loadBalancers: Ecs.LoadBalancer[];
  healthCheckGracePeriodSeconds?: number;
  schedulingStrategy: 'REPLICA' | 'DAEMON';
  deploymentController: { type: Ecs.DeploymentControllerType };
  placementConstraints: Ecs.PlacementConstraint[];
  placementStrategy: Ecs.PlacementStrategy[];
  deployments: DeploymentRecord[];
  events: ServiceEventRecord[];
  createdAt: number;
  createdBy: string;
  tags: Tag[];
  propagateTags: Ecs.PropagateTags;
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  /** ENABLED unless given on create; absent on records written before Wayfinder stored it (AWS: DISABLED). */
  availabilityZoneRebalancing?: Ecs.AvailabilityZoneRebalancing;
  clientToken?: string;
  /** Whether the last reconcile found the service steady (so "reached a steady state" is said once). */
  steady: boolean;
  /** The last deployment that completed: what a circuit-breaker rollback goes back to. */
  lastCompleted?: { id: string; taskDefinition: string; networkConfiguration?: Ecs.NetworkConfiguration; serviceRegistries: ServiceRegistryRecord[] };
  inactiveAt?: number;
}

export type ContainerStatus = 'PENDING' | 'RUNNING' | 'STOPPED';
export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

export interface NetworkBindingRecord {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

export interface ContainerRecord {
  name: string;
  arn: string;
  image: string;
  essential: boolean;
  lastStatus: ContainerStatus;
  healthStatus: HealthStatus;
  hasHealthCheck: boolean;
  exitCode?: number;
  reason?: string;
  runtimeId?: string;
  networkBindings: NetworkBindingRecord[];
  /** The runtime's recoverable handle (JSON), so a restarted server can re-adopt the container. */
  handle?: unknown;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

export interface EniAttachmentRecord {
  id: string;
  status: 'PRECREATED' | 'ATTACHED' | 'DETACHED' | 'DELETED';
  subnetId: string;
  networkInterfaceId?: string;
  macAddress?: string;
  privateIPv4Address?: string;
  privateDnsName?: string;
}

export interface RegistrationRecord {
  serviceId: string;
  instanceId: string;
  /** The Cloud Map service uses custom health: ECS pushes the status. */
  custom: boolean;
  /** The last status pushed (or registered with). */
  pushed?: 'HEALTHY' | 'UNHEALTHY';
  /** When it was pushed: Cloud Map shows a pushed change only after its health delay. */
  pushedAt?: number;
}

export interface TaskRecord {
  region: string;
  accountId: string;
  cluster: string;
  taskId: string;
  arn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  family: string;
  /** Set for tasks a service started. */
  service?: string;
  group: string;
  startedBy?: string;
  launchType: Ecs.LaunchType;
  capacityProviderName?: string;
  platformVersion?: string;
  cpu?: string;
  memory?: string;
  availabilityZone: string;
  networkMode: Ecs.NetworkMode;
  networkConfiguration?: Ecs.NetworkConfiguration;
  serviceRegistries: ServiceRegistryRecord[];
  lastStatus: LastStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: HealthStatus;
  /** When the task last became HEALTHY (for the scheduler's "healthy and registered" rule). */
  healthySince?: number;
  version: number;
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  connectivityAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  stopCode?: Ecs.TaskStopCode;
  stoppedReason?: string;
  attachment?: EniAttachmentRecord;
  containers: ContainerRecord[];
  overrides: Ecs.TaskOverride;
  tags: Tag[];
  enableExecuteCommand: boolean;
  /** Which runtime runs the containers (fixed at start). */
  runtime?: string;
  registrations: RegistrationRecord[];
  /** Docker: log lines up to this time were captured (set on graceful stop, used on adoption). */
  logsUntil?: number;
  /** The task role's credentials endpoint (task-credentials.ts): set at start when the task has a role. */
  credentials?: TaskCredentialsGrant;
}

/** What a task's containers present to the credentials endpoint: its path id and its bearer token. */
export interface TaskCredentialsGrant {
  id: string;
  token: string;
  roleArn: string;
}

/** ECS's tables: other modules name them through this (e.g. change-feed listeners), never as strings. */
export const ECS_TABLES = {
  clusters: 'ecs_clusters',
  taskDefinitions: 'ecs_task_definitions',
  families: 'ecs_families',
  services: 'ecs_services',
  tasks: 'ecs_tasks',
  meta: 'ecs_meta',
  accountSettings: 'ecs_account_settings',
} as const;

export const ecsMigrations: Migration[] = [
  {
    id: 'ecs/001-tables',
    up: [ECS_TABLES.clusters, ECS_TABLES.taskDefinitions, ECS_TABLES.families, ECS_TABLES.services, ECS_TABLES.tasks, ECS_TABLES.meta].map(docTableSql).join('\n'),
  },
  { id: 'ecs/002-account-settings', up: docTableSql(ECS_TABLES.accountSettings) },
];

// Every key starts with the partition of its account and region (partitionOf); records are Scopes.
export const clusterKey = (scope: Scope, cluster: string) => `${partitionOf(scope)}/${cluster}`;
export const taskDefinitionKey = (scope: Scope, family: string, revision: number) => `${partitionOf(scope)}/${family}/${String(revision).padStart(8, '0')}`;
export const familyKey = (scope: Scope, family: string) => `${partitionOf(scope)}/${family}`;
export const serviceKey = (scope: Scope, cluster: string, service: string) => `${partitionOf(scope)}/${cluster}/${service}`;
export const taskKey = (scope: Scope, cluster: string, taskId: string) => `${partitionOf(scope)}/${cluster}/${taskId}`;
/** The account id stays in the key (it was there before partitions had accounts): legacy keys do not move. */
export const accountSettingKey = (scope: Scope, principalArn: string, name: string) => `${partitionOf(scope)}/${scope.accountId}/${name}/${principalArn}`;

/** An account setting a user set (PutAccountSetting, or PutAccountSettingDefault: the root user's). */
export interface AccountSettingRecord {
  region: string;
  accountId: string;
  principalArn: string;
  name: Ecs.SettingName;
  value: string;
}

export class EcsStore {
  readonly clusters: DocTable<ClusterRecord>;
  readonly taskDefinitions: DocTable<TaskDefinitionRecord>;
  readonly families: DocTable<FamilyRecord>;
  readonly services: DocTable<ServiceRecord>;
  readonly tasks: DocTable<TaskRecord>;
  readonly meta: DocTable<{ value: string }>;
  readonly accountSettings: DocTable<AccountSettingRecord>;

  constructor(readonly store: Store) {
    this.clusters = store.table(ECS_TABLES.clusters);
    this.taskDefinitions = store.table(ECS_TABLES.taskDefinitions);
    this.families = store.table(ECS_TABLES.families);
    this.services = store.table(ECS_TABLES.services);
    this.tasks = store.table(ECS_TABLES.tasks);
    this.meta = store.table(ECS_TABLES.meta);
    this.accountSettings = store.table(ECS_TABLES.accountSettings);
  }

  /**
   * The keys of every task not STOPPED, reading one field of each (stopped tasks stay until housekeeping,
   * hundreds after a few restarts at 500 tasks: start-up passes should not parse them).
   */
  liveTaskKeys(): string[] {
    return this.tasks
      .field('$.lastStatus')
      .filter((r) => r.value !== 'STOPPED')
      .map((r) => r.key);
  }

  /** Every task not STOPPED (see liveTaskKeys). */
  liveTasks(): TaskRecord[] {
    return this.liveTaskKeys()
      .map((k) => this.tasks.get(k))
      .filter((t): t is TaskRecord => t !== undefined && t.lastStatus !== 'STOPPED');
  }

  /**
   * Read-modify-write of a task inside a transaction; returns the new record (or undefined when gone).
   * The task engine's own steps, so a 'background' write (Store.withTx): no caller waits on it.
   */
  updateTask(key: string, change: (t: TaskRecord) => TaskRecord | void): TaskRecord | undefined {
    return this.store.withTx(() => {
      const current = this.tasks.get(key);
      if (!current) return undefined;
      const draft = structuredClone(current);
      const returned = change(draft);
      const next = returned && typeof returned === 'object' ? returned : draft;
      this.tasks.putTx(key, next);
      return next;
    }, 'background');
  }

  updateService(key: string, change: (s: ServiceRecord) => ServiceRecord | void): ServiceRecord | undefined {
    return this.store.withTx(() => {
      const current = this.services.get(key);
      if (!current) return undefined;
      const draft = structuredClone(current);
      const returned = change(draft);
      const next = returned && typeof returned === 'object' ? returned : draft;
      this.services.putTx(key, next);
      return next;
    });
  }
}
