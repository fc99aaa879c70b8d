// The contract other products use to talk to Cloud Map (docs/architecture.md §3: products call small exported
// functions of another product, never its tables). ECS registers its tasks through CloudMapApi; the
// gateway and the DNS server read DiscoveryView, which is in memory and never touches SQL.

import type { Scope } from '../store/store.js';

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

/** What ECS needs to know about a Cloud Map service to validate `serviceRegistries`. */
export interface CloudMapServiceInfo {
  id: string;
  arn: string;
  name: string;
  region: string;
  accountId: string;
  namespaceId: string;
  /** The namespace's HttpName (what DiscoverInstances calls NamespaceName). */
  namespaceName: string;
  namespaceType: 'HTTP' | 'DNS_PRIVATE' | 'DNS_PUBLIC';
  /** Record types of the service's DnsConfig (empty for HTTP-only services). */
  recordTypes: Array<'A' | 'AAAA' | 'SRV' | 'CNAME'>;
  /** 'custom' with HealthCheckCustomConfig, 'route53' with HealthCheckConfig, 'none' otherwise. */
  health: 'custom' | 'route53' | 'none';
}

export interface CloudMapApi {
  /** A service by id or by ARN, or undefined. */
  service(idOrArn: string): CloudMapServiceInfo | undefined;
  /** Whether the account's region has a namespace with this id, ARN or name. */
  hasNamespace(scope: Scope, ref: string): boolean;
  /**
   * Registers (or re-registers) an instance with the same validation as RegisterInstance, and makes
   * it visible to the discovery view before returning (no operation delay for internal callers).
   * Throws AwsError (e.g. ServiceNotFound, InvalidInput) on bad input.
   */
  registerInstance(req: { serviceId: string; instanceId: string; attributes: Record<string, string>; creatorRequestId?: string }): void;
  /** Deregisters; a missing instance is not an error (idempotent for reconcilers). */
  deregisterInstance(serviceId: string, instanceId: string): void;
  /** Custom health, as UpdateInstanceCustomHealthStatus (subject to the configured health delay). */
  setCustomHealth(serviceId: string, instanceId: string, status: 'HEALTHY' | 'UNHEALTHY'): void;
  /** Instance ids currently registered in a service (reconcilers use it after a restart). */
  instanceIds(serviceId: string): string[];
}

export interface DiscoveredInstance {
  instanceId: string;
  attributes: Readonly<Record<string, string>>;
  /** UNKNOWN when the service has no health configuration. */
  health: HealthStatus;
  /** Parsed AWS_INSTANCE_IPV4 / AWS_INSTANCE_PORT, when present and valid. */
  ipv4?: string;
  port?: number;
}

export interface DiscoveryView {
  /** Monotonic; bumps whenever anything the view serves changes (DNS caches key on it). */
  readonly revision: number;
  /**
   * Instances a caller may send traffic to: those HEALTHY (or all of them when the service has no
   * health configuration), filtered by QueryParameters-style attribute equality. Never SQL.
   */
  routable(serviceId: string, query?: Readonly<Record<string, string>>): readonly DiscoveredInstance[];
  /** Subscribe to view changes (called after each swap). Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/**
 * The Route 53 hosted zone a private or public DNS namespace owns (AWS creates one per namespace;
 * `GetNamespace` names it in `Properties.DnsProperties.HostedZoneId`). The Route 53 product answers
 * from this view; the records are those the DNS server serves (src/cloudmap/dns/record-sets.ts).
 */
export interface HostedZoneInfo {
  /** The bare id (`Z…`), as GetNamespace shows it. */
  id: string;
  /** Lower-cased, no trailing dot. */
  name: string;
  private: boolean;
  namespaceId: string;
  namespaceArn: string;
  accountId: string;
  /** The namespace's region (where a private zone's VPC is). */
  region: string;
  vpc?: string;
  description?: string;
  createdAt: number;
}

/** One Route 53 record set: a name and type, and for one instance's record its identifier and routing. */
export interface RecordSetInfo {
  /** Lower-cased, no trailing dot. */
  name: string;
  type: 'SOA' | 'NS' | 'A' | 'AAAA' | 'SRV' | 'CNAME';
  ttl: number;
  /** Presentation form, as Route 53 shows `ResourceRecords[].Value` (`1 1 8080 task-1.api.internal.`). */
  values: string[];
  /** The instance whose record this is (Route 53's SetIdentifier); none for SOA, NS and SRV targets' A/AAAA. */
  setIdentifier?: string;
  routingPolicy?: 'MULTIVALUE' | 'WEIGHTED';
}

export interface HostedZoneView {
  /** The account's zones, every region (Route 53 is global), ordered by id. */
  zones(accountId: string): HostedZoneInfo[];
  /** The account's zone with this id, or undefined (another account's zone is not found either). */
  zone(accountId: string, id: string): HostedZoneInfo | undefined;
  /** The zone's record sets in Route 53's order (name with labels reversed, then type, then identifier). */
  recordSets(accountId: string, id: string): RecordSetInfo[] | undefined;
}
