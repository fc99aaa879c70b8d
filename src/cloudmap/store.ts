// Cloud Map records and tables. Keys start with the partition of the record's account and region
// (partitionOf: every account and region is separate, like AWS):
//   namespaces, services, operations  `<partition>/<id>`
//   instances, health                 `<partition>/<serviceId>/<instanceId>` (instance ids may contain '/')
//   request tokens                    `<partition>/<scope>/<token>` (CreatorRequestId / UpdaterRequestId)
// Health lives in its own table so a health flip never looks like an instance change
// (DiscoverInstancesRevision must not move on health changes).
import type Database from 'better-sqlite3';
import { docTableSql, partitionOf, prefixEnd, scopedKey, scopePrefix, startsWithSql, type DocTable, type Migration, type Scope, type Store } from '../store/store.js';

export type NamespaceType = 'HTTP' | 'DNS_PRIVATE' | 'DNS_PUBLIC';
export type RecordType = 'A' | 'AAAA' | 'SRV' | 'CNAME';
export type RoutingPolicy = 'MULTIVALUE' | 'WEIGHTED';
export type CustomStatus = 'HEALTHY' | 'UNHEALTHY';

export interface NamespaceRecord {
  region: string;
  accountId: string;
  id: string;
  arn: string;
  name: string;
  type: NamespaceType;
  description?: string;
  /** What DiscoverInstances calls NamespaceName; equals `name`. */
  httpName: string;
  /** DNS namespaces only. */
  hostedZoneId?: string;
  soaTtl?: number;
  vpc?: string;
  createdAt: number;
  creatorRequestId?: string;
  /** The CREATE_NAMESPACE operation (an idempotent retry answers it again). */
  operationId: string;
  tags: Record<string, string>;
}

export interface DnsRecordConfig {
  type: RecordType;
  ttl: number;
}

export interface HealthCheckRecord {
  type: 'HTTP' | 'HTTPS' | 'TCP';
  resourcePath?: string;
  failureThreshold: number;
}

export interface ServiceRecord {
  region: string;
  accountId: string;
  id: string;
  arn: string;
  name: string;
  namespaceId: string;
  description?: string;
  /** HTTP: discoverable through the API only; DNS_HTTP: DNS records too. */
  type: 'HTTP' | 'DNS_HTTP';
  routingPolicy?: RoutingPolicy;
  dnsRecords?: DnsRecordConfig[];
  healthCheck?: HealthCheckRecord;
  customHealth?: { failureThreshold: number };
  /** Service attributes (UpdateServiceAttributes). */
  attributes: Record<string, string>;
  createdAt: number;
  creatorRequestId?: string;
  tags: Record<string, string>;
  /** DiscoverInstancesRevision: bumped by every instance change, never by health changes. */
  instancesRevision: number;
}

export interface InstanceRecord {
  region: string;
  /** The service's account (rows stored before accounts existed have none: the legacy account, partitionOf). */
  accountId: string;
  serviceId: string;
  id: string;
  attributes: Record<string, string>;
  creatorRequestId?: string;
  /** The REGISTER_INSTANCE operation that wrote this version. */
  operationId?: string;
  createdAt: number;
  updatedAt: number;
}

/** Present only for instances of services with a health configuration. */
export interface HealthRecord {
  status: CustomStatus;
  /** A custom-health change waiting for the health delay (AWS: ~30 s). */
  pending?: { status: CustomStatus; at: number };
}

export type OperationType = 'CREATE_NAMESPACE' | 'DELETE_NAMESPACE' | 'UPDATE_NAMESPACE' | 'UPDATE_SERVICE' | 'REGISTER_INSTANCE' | 'DEREGISTER_INSTANCE';
export type OperationStatus = 'SUBMITTED' | 'PENDING' | 'SUCCESS' | 'FAIL';

/** What an operation does when it completes (dropped from the record afterwards). */
export type OperationAction =
  | { kind: 'createNamespace'; namespace: NamespaceRecord }
  | { kind: 'updateNamespace'; namespaceId: string; description?: string; soaTtl?: number }
  | { kind: 'deleteNamespace'; namespaceId: string }
  | { kind: 'updateService'; serviceId: string; description?: string; dnsTtls?: DnsRecordConfig[]; healthCheck?: HealthCheckRecord; dropHealthCheck: boolean }
  | { kind: 'registerInstance'; instance: InstanceRecord }
  | { kind: 'deregisterInstance'; serviceId: string; instanceId: string };

export interface OperationRecord {
  region: string;
  accountId: string;
  id: string;
  type: OperationType;
  status: OperationStatus;
  errorCode?: string;
  errorMessage?: string;
  createdAt: number;
  updatedAt: number;
  /** NAMESPACE / SERVICE / INSTANCE → id. */
  targets: Record<string, string>;
  /** SUBMITTED → PENDING at pendingAt, → SUCCESS/FAIL at dueAt. */
  pendingAt: number;
  dueAt: number;
  action?: OperationAction;
}

export interface TokenRecord {
  operationId: string;
  /** The request the token was first used with; the same token with another request is a DuplicateRequest. */
  fingerprint: string;
}

export const TABLES = {
  namespaces: 'cloudmap_namespaces',
  services: 'cloudmap_services',
  instances: 'cloudmap_instances',
  health: 'cloudmap_health',
  operations: 'cloudmap_operations',
  tokens: 'cloudmap_tokens',
} as const;

/** The namespace of a service and its name as DNS compares it (service names are ASCII, so SQLite's lower() is enough). */
const SERVICE_NAMESPACE = `json_extract(doc, '$.namespaceId')`;
const SERVICE_NAME_LOWER = `lower(json_extract(doc, '$.name'))`;
const OPERATION_OPEN = `json_extract(doc, '$.status') IN ('SUBMITTED', 'PENDING')`;

export const cloudmapMigrations: Migration[] = [
  {
    id: 'cloudmap/001-tables',
    up: Object.values(TABLES).map(docTableSql).join('\n'),
  },
  {
    // A namespace's services without reading every service of the account: ServiceCount, CreateService's
    // name check, ListServices by namespace and DeleteNamespace's "has services" stay flat at 1,000 services.
    id: 'cloudmap/002-services-by-namespace',
    up: `CREATE INDEX cloudmap_services_by_namespace ON ${TABLES.services} (${SERVICE_NAMESPACE}, key);
         CREATE INDEX cloudmap_services_by_name ON ${TABLES.services} (${SERVICE_NAMESPACE}, ${SERVICE_NAME_LOWER});`,
  },
  {
    // Operations are kept once done (GetOperation answers them): the runner's start reads the open ones only.
    id: 'cloudmap/003-open-operations',
    up: `CREATE INDEX cloudmap_operations_open ON ${TABLES.operations} (key) WHERE ${OPERATION_OPEN};`,
  },
];

export const instanceKey = (scope: Scope, serviceId: string, instanceId: string) => `${partitionOf(scope)}/${serviceId}/${instanceId}`;

/** Splits `<partition>/<serviceId>/<instanceId>`; the instance id keeps any '/' it has. */
export function splitInstanceKey(key: string): { partition: string; serviceId: string; instanceId: string } | undefined {
  const a = key.indexOf('/');
  const b = a < 0 ? -1 : key.indexOf('/', a + 1);
  if (b < 0) return undefined;
  return { partition: key.slice(0, a), serviceId: key.slice(a + 1, b), instanceId: key.slice(b + 1) };
}

export class CloudMapStore {
  readonly namespaces: DocTable<NamespaceRecord>;
  readonly services: DocTable<ServiceRecord>;
  readonly instances: DocTable<InstanceRecord>;
  readonly health: DocTable<HealthRecord>;
  readonly operations: DocTable<OperationRecord>;
  readonly tokens: DocTable<TokenRecord>;

  private readonly byNamespace: Database.Statement;
  private readonly byNamespaceAfter: Database.Statement;
  private readonly countByNamespace: Database.Statement;
  private readonly byName: Database.Statement;
  private readonly openOps: Database.Statement;

  constructor(readonly store: Store) {
    const inScope = startsWithSql('key');
    this.byNamespace = store.db.prepare(`SELECT doc FROM ${TABLES.services} WHERE ${SERVICE_NAMESPACE} = ? AND ${inScope} ORDER BY key LIMIT ?`).pluck();
    this.byNamespaceAfter = store.db
      .prepare(`SELECT doc FROM ${TABLES.services} WHERE ${SERVICE_NAMESPACE} = ? AND key > ? AND key < CAST(? AS TEXT) ORDER BY key LIMIT ?`)
      .pluck();
    this.countByNamespace = store.db.prepare(`SELECT count(*) FROM ${TABLES.services} WHERE ${SERVICE_NAMESPACE} = ? AND ${inScope}`).pluck();
    this.byName = store.db.prepare(`SELECT doc FROM ${TABLES.services} WHERE ${SERVICE_NAMESPACE} = ? AND ${SERVICE_NAME_LOWER} = lower(?) AND ${inScope}`).pluck();
    this.openOps = store.db.prepare(`SELECT doc FROM ${TABLES.operations} WHERE ${OPERATION_OPEN} ORDER BY key`).pluck();
    this.namespaces = store.table(TABLES.namespaces);
    this.services = store.table(TABLES.services);
    this.instances = store.table(TABLES.instances);
    this.health = store.table(TABLES.health);
    this.operations = store.table(TABLES.operations);
    this.tokens = store.table(TABLES.tokens);
  }

  namespace(scope: Scope, id: string): NamespaceRecord | undefined {
    return this.namespaces.get(scopedKey(scope, id));
  }

  service(scope: Scope, id: string): ServiceRecord | undefined {
    return this.services.get(scopedKey(scope, id));
  }

  instance(scope: Scope, serviceId: string, instanceId: string): InstanceRecord | undefined {
    return this.instances.get(instanceKey(scope, serviceId, instanceId));
  }

  instancesOf(scope: Scope, serviceId: string): InstanceRecord[] {
    return this.instances.withPrefix(instanceKey(scope, serviceId, ''));
  }

  instanceCount(scope: Scope, serviceId: string): number {
    return this.instances.countPrefix(instanceKey(scope, serviceId, ''));
  }

  /** Up to `limit` instances of a service after instance id `after`, in id order (a page, never the whole service). */
  instancePage(scope: Scope, serviceId: string, after: string | undefined, limit: number): InstanceRecord[] {
    return this.instances.pageWithPrefix(instanceKey(scope, serviceId, ''), after, limit);
  }

  /** The services of a namespace, ordered by id (through the namespace index, not every service of the account). */
  servicesOf(scope: Scope, namespaceId: string): ServiceRecord[] {
    return this.servicePage(scope, namespaceId, undefined, -1);
  }

  /** Up to `limit` services of a namespace (all when < 0) after service id `after`, in id order. */
  servicePage(scope: Scope, namespaceId: string, after: string | undefined, limit: number): ServiceRecord[] {
    const prefix = scopePrefix(scope);
    const docs = (
      after === undefined ? this.byNamespace.all(namespaceId, prefix, prefixEnd(prefix), limit) : this.byNamespaceAfter.all(namespaceId, prefix + after, prefixEnd(prefix), limit)
    ) as string[];
    return docs.map((d) => JSON.parse(d) as ServiceRecord);
  }

  /** Operations still SUBMITTED or PENDING, of every account (through a partial index: done ones are not read). */
  openOperations(): OperationRecord[] {
    return (this.openOps.all() as string[]).map((d) => JSON.parse(d) as OperationRecord);
  }

  serviceCount(scope: Scope, namespaceId: string): number {
    const prefix = scopePrefix(scope);
    return this.countByNamespace.get(namespaceId, prefix, prefixEnd(prefix)) as number;
  }

  /** The services of a namespace whose name equals `name` ignoring ASCII case (the caller decides which count as the same). */
  servicesNamed(scope: Scope, namespaceId: string, name: string): ServiceRecord[] {
    const prefix = scopePrefix(scope);
    return (this.byName.all(namespaceId, name, prefix, prefixEnd(prefix)) as string[]).map((d) => JSON.parse(d) as ServiceRecord);
  }

  operation(scope: Scope, id: string): OperationRecord | undefined {
    return this.operations.get(scopedKey(scope, id));
  }
}
