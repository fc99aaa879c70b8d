// The discovery view: an in-memory, read-optimised copy of namespaces, services, instances and their
// health, fed by the store's change feed (docs/architecture.md §3 step 4). Each committed batch patches the
// source maps (one keyed read per changed row), rebuilds only the services it touched, and swaps a
// new immutable Snapshot in. DiscoverInstances, the DNS server and the gateway read snapshots only:
// no SQL on their path. Implements DiscoveryView (src/cloudmap/api.ts).
import { isIPv4 } from 'node:net';
import { AwsError } from '../kernel/errors.js';
import type { Logger } from '../kernel/log.js';
import type { Change, Store } from '../store/store.js';
import type { DiscoveredInstance, DiscoveryView, HealthStatus } from './api.js';
import { parsePort } from './instance-attributes.js';
import { idOfRef } from './ids.js';
import { splitInstanceKey, TABLES, type CloudMapStore, type HealthRecord, type InstanceRecord, type NamespaceRecord, type RecordType, type ServiceRecord } from './store.js';
import { partitionOf, type Scope } from '../store/store.js';

export type HealthMode = 'custom' | 'route53' | 'none';

export interface ServiceView {
  readonly record: ServiceRecord;
  readonly namespace: NamespaceRecord;
  readonly healthMode: HealthMode;
  readonly recordTypes: readonly RecordType[];
  /** Every instance, ordered by id. */
  readonly instances: readonly DiscoveredInstance[];
  readonly byId: ReadonlyMap<string, DiscoveredInstance>;
  /** HEALTHY instances, or all of them when the service has no health configuration. */
  readonly routable: readonly DiscoveredInstance[];
}

export interface Snapshot {
  readonly revision: number;
  readonly services: ReadonlyMap<string, ServiceView>;
  /** `${partition}\n${namespace HttpName}\n${service name}` → service. */
  readonly byName: ReadonlyMap<string, ServiceView>;
  readonly namespaces: ReadonlyMap<string, NamespaceRecord>;
  /** `${partition}\n${namespace HttpName}` → namespace. */
  readonly namespacesByName: ReadonlyMap<string, NamespaceRecord>;
}

export type HealthFilter = 'HEALTHY' | 'UNHEALTHY' | 'ALL' | 'HEALTHY_OR_ELSE_ALL';

export interface DiscoverOptions {
  maxResults?: number;
  queryParameters?: Readonly<Record<string, string>>;
  optionalParameters?: Readonly<Record<string, string>>;
  healthStatus?: HealthFilter;
}

export const DISCOVER_DEFAULT_MAX = 100;

export const healthModeOf = (svc: ServiceRecord): HealthMode => (svc.customHealth ? 'custom' : svc.healthCheck ? 'route53' : 'none');

function matches(attrs: Readonly<Record<string, string>>, query: Readonly<Record<string, string>> | undefined): boolean {
  if (!query) return true;
  for (const k in query) if (attrs[k] !== query[k]) return false;
  return true;
}

/** Shuffles in place (Fisher–Yates) and returns the array. */
export function shuffle<T>(items: T[], random: () => number = Math.random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/**
 * DiscoverInstances' selection (docs/aws-behavior.md §4.5): QueryParameters must all match; the health filter applies
 * only to services with a health configuration (HEALTHY_OR_ELSE_ALL fails open); OptionalParameters
 * narrow the result only when something is left; the order is random; at most MaxResults (default 100).
 */
export function selectInstances(instances: readonly DiscoveredInstance[], mode: HealthMode, opts: DiscoverOptions, random: () => number = Math.random): DiscoveredInstance[] {
  let out = instances.filter((i) => matches(i.attributes, opts.queryParameters));
  if (mode !== 'none') {
    const filter = opts.healthStatus ?? 'HEALTHY';
    if (filter === 'HEALTHY') out = out.filter((i) => i.health === 'HEALTHY');
    else if (filter === 'UNHEALTHY') out = out.filter((i) => i.health === 'UNHEALTHY');
    else if (filter === 'HEALTHY_OR_ELSE_ALL') {
      const healthy = out.filter((i) => i.health === 'HEALTHY');
      if (healthy.length) out = healthy;
    }
  }
  if (opts.optionalParameters && Object.keys(opts.optionalParameters).length) {
    const narrowed = out.filter((i) => matches(i.attributes, opts.optionalParameters));
    if (narrowed.length) out = narrowed;
  }
  shuffle(out, random);
  return out.slice(0, opts.maxResults ?? DISCOVER_DEFAULT_MAX);
}

function discovered(inst: InstanceRecord, mode: HealthMode, health: HealthRecord | undefined): DiscoveredInstance {
  const attributes = Object.freeze({ ...inst.attributes });
  const status: HealthStatus = mode === 'none' ? 'UNKNOWN' : (health?.status ?? 'HEALTHY');
  const d: DiscoveredInstance = { instanceId: inst.id, attributes, health: status };
  const ip = inst.attributes.AWS_INSTANCE_IPV4;
  if (ip !== undefined && isIPv4(ip)) d.ipv4 = ip;
  const port = parsePort(inst.attributes.AWS_INSTANCE_PORT);
  if (port !== undefined) d.port = port;
  return Object.freeze(d);
}

/** Names are looked up within one account and region (partitionOf), as DiscoverInstances does on AWS. */
const nameKey = (scope: Scope, nsName: string, svcName?: string) => (svcName === undefined ? `${partitionOf(scope)}\n${nsName}` : `${partitionOf(scope)}\n${nsName}\n${svcName}`);

const EMPTY: Snapshot = { revision: 0, services: new Map(), byName: new Map(), namespaces: new Map(), namespacesByName: new Map() };

export class Discovery implements DiscoveryView {
  private snap: Snapshot = EMPTY;
  private readonly namespaces = new Map<string, NamespaceRecord>(); // by id
  private readonly services = new Map<string, ServiceRecord>(); // by id
  private readonly instances = new Map<string, Map<string, InstanceRecord>>(); // service id → instance id →
  private readonly health = new Map<string, Map<string, HealthRecord>>();
  private readonly listeners = new Set<(touched: ReadonlySet<string> | undefined) => void>();
  private unsubscribe?: () => void;

  constructor(
    private readonly cm: CloudMapStore,
    private readonly logger: Logger,
  ) {}

  /** Loads everything once and follows the change feed from then on. */
  attach(store: Store): void {
    this.unsubscribe = store.subscribe((changes) => this.apply(changes));
    for (const ns of this.cm.namespaces.all()) this.namespaces.set(ns.id, ns);
    for (const svc of this.cm.services.all()) this.services.set(svc.id, svc);
    for (const inst of this.cm.instances.all()) this.group(this.instances, inst.serviceId).set(inst.id, inst);
    // Health rows carry no key inside the document: one pass with their keys.
    for (const [key, rec] of this.cm.health.entries()) {
      const k = splitInstanceKey(key);
      if (k) this.group(this.health, k.serviceId).set(k.instanceId, rec);
    }
    this.swap(new Set(this.services.keys()), true);
  }

  detach(): void {
    this.unsubscribe?.();
  }

  get revision(): number {
    return this.snap.revision;
  }

  /** The current immutable snapshot. */
  get snapshot(): Snapshot {
    return this.snap;
  }

  routable(serviceId: string, query?: Readonly<Record<string, string>>): readonly DiscoveredInstance[] {
    const id = idOfRef(serviceId);
    const view = this.snap.services.get(id);
    if (!view) return [];
    // Ids are unique across accounts, so an ARN naming this id under another account or region (an API of
    // account B routing to `arn:…:B:service/<A's srv id>`) must not reach A's instances.
    // The integration names the service by its own ARN: one string compare per request, no split.
    if (serviceId !== view.record.arn && serviceId.startsWith('arn:')) {
      const parts = serviceId.split(':');
      if (parts[3] !== view.record.region || parts[4] !== view.record.accountId) return [];
    }
    if (!query || Object.keys(query).length === 0) return view.routable;
    return view.routable.filter((i) => matches(i.attributes, query));
  }

  /** Calls listener after each new snapshot with the ids of the services it rebuilt (undefined: any may have changed). */
  onChange(listener: (touched: ReadonlySet<string> | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The service DiscoverInstances names, or NamespaceNotFound / ServiceNotFound. */
  serviceByName(scope: Scope, namespaceName: string, serviceName: string): ServiceView {
    const view = this.snap.byName.get(nameKey(scope, namespaceName, serviceName));
    if (view) return view;
    if (!this.snap.namespacesByName.has(nameKey(scope, namespaceName))) throw new AwsError('NamespaceNotFound', `Namespace not found: ${namespaceName}`);
    throw new AwsError('ServiceNotFound', `Service not found: ${serviceName} in namespace ${namespaceName}`);
  }

  discover(scope: Scope, namespaceName: string, serviceName: string, opts: DiscoverOptions): { view: ServiceView; instances: DiscoveredInstance[] } {
    const view = this.serviceByName(scope, namespaceName, serviceName);
    return { view, instances: selectInstances(view.instances, view.healthMode, opts) };
  }

  private group<T>(map: Map<string, Map<string, T>>, serviceId: string): Map<string, T> {
    let g = map.get(serviceId);
    if (!g) map.set(serviceId, (g = new Map()));
    return g;
  }

  private apply(changes: readonly Change[]): void {
    const touched = new Set<string>();
    let namespacesChanged = false;
    for (const c of changes) {
      switch (c.table) {
        case TABLES.namespaces: {
          const id = c.key.slice(c.key.indexOf('/') + 1);
          const ns = c.op === 'put' ? this.cm.namespaces.get(c.key) : undefined;
          if (ns) this.namespaces.set(id, ns);
          else this.namespaces.delete(id);
          namespacesChanged = true;
          for (const svc of this.services.values()) if (svc.namespaceId === id) touched.add(svc.id);
          break;
        }
        case TABLES.services: {
          const id = c.key.slice(c.key.indexOf('/') + 1);
          const svc = c.op === 'put' ? this.cm.services.get(c.key) : undefined;
          if (svc) this.services.set(id, svc);
          else {
            this.services.delete(id);
            this.instances.delete(id);
            this.health.delete(id);
          }
          touched.add(id);
          break;
        }
        case TABLES.instances:
        case TABLES.health: {
          const k = splitInstanceKey(c.key);
          if (!k) break;
          const map = c.table === TABLES.instances ? this.instances : this.health;
          const doc = c.op === 'put' ? (c.table === TABLES.instances ? this.cm.instances.get(c.key) : this.cm.health.get(c.key)) : undefined;
          if (doc) this.group(map as Map<string, Map<string, unknown>>, k.serviceId).set(k.instanceId, doc);
          else map.get(k.serviceId)?.delete(k.instanceId);
          touched.add(k.serviceId);
          break;
        }
      }
    }
    if (touched.size || namespacesChanged) this.swap(touched, namespacesChanged);
  }

  private rebuild(services: Map<string, ServiceView>, id: string): ServiceView | undefined {
    const svc = this.services.get(id);
    const view = svc && this.buildService(svc);
    if (view) services.set(id, view);
    else services.delete(id);
    return view;
  }

  private buildService(svc: ServiceRecord): ServiceView | undefined {
    const namespace = this.namespaces.get(svc.namespaceId);
    if (!namespace) return undefined;
    const mode = healthModeOf(svc);
    const health = this.health.get(svc.id);
    const records = [...(this.instances.get(svc.id)?.values() ?? [])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const instances = Object.freeze(records.map((r) => discovered(r, mode, health?.get(r.id))));
    const byId = new Map(instances.map((i) => [i.instanceId, i]));
    const routable = mode === 'none' ? instances : Object.freeze(instances.filter((i) => i.health === 'HEALTHY'));
    return Object.freeze({
      record: svc,
      namespace,
      healthMode: mode,
      recordTypes: Object.freeze((svc.dnsRecords ?? []).map((r) => r.type)),
      instances,
      byId,
      routable,
    });
  }

  /**
   * Swaps in a new snapshot with the touched services rebuilt. The maps are copied (snapshots are
   * immutable) but only touched services are rebuilt and renamed: a health flip at 1,000 services costs
   * one service's rebuild and two map copies, not a pass over every name.
   */
  private swap(touched: Set<string>, namespacesChanged: boolean): void {
    const prev = this.snap;
    const services = new Map(prev.services);
    let byName: Map<string, ServiceView>;
    let namespaces = prev.namespaces;
    let namespacesByName = prev.namespacesByName;
    if (namespacesChanged) {
      namespaces = new Map(this.namespaces);
      namespacesByName = new Map([...this.namespaces.values()].map((ns) => [nameKey(ns, ns.httpName), ns]));
      for (const id of touched) this.rebuild(services, id);
      // A namespace's HttpName is part of every one of its services' names: rebuild the index whole (rare).
      byName = new Map();
      for (const view of services.values()) byName.set(nameKey(view.record, view.namespace.httpName, view.record.name), view);
    } else {
      byName = new Map(prev.byName);
      // Every old name goes first: a service deleted and another created under its name in one batch.
      for (const id of touched) {
        const old = prev.services.get(id);
        if (old) byName.delete(nameKey(old.record, old.namespace.httpName, old.record.name));
      }
      for (const id of touched) {
        const view = this.rebuild(services, id);
        if (view) byName.set(nameKey(view.record, view.namespace.httpName, view.record.name), view);
      }
    }
    this.snap = Object.freeze({ revision: prev.revision + 1, services, byName, namespaces, namespacesByName });
    const told = namespacesChanged ? undefined : touched;
    for (const l of this.listeners) {
      try {
        l(told);
      } catch (e) {
        this.logger.error({ err: e }, 'discovery listener failed');
      }
    }
  }
}
