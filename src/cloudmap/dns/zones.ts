// The DNS view of a discovery snapshot: one zone per private/public DNS namespace, and per zone the
// owner names that have records (docs/aws-behavior.md §4.6): `<service>.<namespace>` for services with DNS records
// and at least one instance that contributes a value, and `<instanceId>.<service>.<namespace>` (the
// SRV targets) for services with SRV records. Names between an owner and the apex exist too (empty
// non-terminals: NODATA, not NXDOMAIN). Built once per snapshot revision, on the first cache miss.
import type { DiscoveredInstance } from '../api.js';
import type { ServiceView, Snapshot } from '../discovery.js';
import type { NamespaceRecord } from '../store.js';
import { encodable } from './wire.js';

export interface TargetNode {
  view: ServiceView;
  instance: DiscoveredInstance;
  /** SRV target name as written in answers (instance id's case kept). */
  name: string;
}

export interface OwnerNode {
  /** Services whose record sets live at this name (normally one). */
  services: ServiceView[];
  /** SRV targets named here. */
  targets: TargetNode[];
}

export interface Zone {
  apex: string;
  namespace: NamespaceRecord;
  nodes: Map<string, OwnerNode>;
  /** Empty non-terminals. */
  ents: Set<string>;
}

export interface ZoneIndex {
  revision: number;
  zones: Map<string, Zone>;
}

const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Does this instance contribute a value to one of the service's record sets? */
function contributes(view: ServiceView, inst: DiscoveredInstance): boolean {
  const a = inst.attributes;
  for (const t of view.recordTypes) {
    if (t === 'A' && a.AWS_INSTANCE_IPV4) return true;
    if (t === 'AAAA' && a.AWS_INSTANCE_IPV6) return true;
    if (t === 'CNAME' && a.AWS_INSTANCE_CNAME) return true;
    if (t === 'SRV' && a.AWS_INSTANCE_PORT && (a.AWS_INSTANCE_IPV4 || a.AWS_INSTANCE_IPV6)) return true;
  }
  return false;
}

export function serviceOwner(view: ServiceView, apex: string): string {
  return view.record.name === '.' ? apex : `${lower(view.record.name)}.${apex}`;
}

export function srvTarget(view: ServiceView, inst: DiscoveredInstance, apex: string): string {
  return view.record.name === '.' ? `${inst.instanceId}.${apex}` : `${inst.instanceId}.${view.record.name}.${apex}`;
}

export function buildZoneIndex(snap: Snapshot): ZoneIndex {
  const zones = new Map<string, Zone>();
  // Oldest namespace wins a name clash (the same name in two regions or accounts; docs/cloudmap.md "Accounts").
  const namespaces = [...snap.namespaces.values()].filter((ns) => ns.type !== 'HTTP').sort((a, b) => a.createdAt - b.createdAt);
  for (const ns of namespaces) {
    const apex = lower(ns.name);
    if (!zones.has(apex) && encodable(apex)) zones.set(apex, emptyZone(ns));
  }
  for (const view of snap.services.values()) {
    const zone = zones.get(lower(view.namespace.name));
    if (zone && zone.namespace.id === view.namespace.id) addService(zone, view);
  }
  for (const zone of zones.values()) for (const name of zone.nodes.keys()) zone.ents.delete(name);
  return { revision: snap.revision, zones };
}

/**
 * One DNS namespace's zone, built as buildZoneIndex builds it, whether or not it is the one the DNS
 * server answers for its name (an older namespace of the same name wins there). Route 53's record sets
 * (record-sets.ts) are read from it. Undefined for an HTTP namespace or a name DNS cannot carry.
 */
export function buildNamespaceZone(snap: Snapshot, ns: NamespaceRecord): Zone | undefined {
  if (ns.type === 'HTTP' || !encodable(lower(ns.name))) return undefined;
  const zone = emptyZone(ns);
  for (const view of snap.services.values()) if (view.namespace.id === ns.id) addService(zone, view);
  for (const name of zone.nodes.keys()) zone.ents.delete(name);
  return zone;
}

function emptyZone(ns: NamespaceRecord): Zone {
  return { apex: lower(ns.name), namespace: ns, nodes: new Map(), ents: new Set() };
}

function node(zone: Zone, name: string): OwnerNode {
  let n = zone.nodes.get(name);
  if (!n) {
    zone.nodes.set(name, (n = { services: [], targets: [] }));
    // every name between this one and the apex exists
    for (let i = name.indexOf('.'); i >= 0 && name.length - i - 1 > zone.apex.length; i = name.indexOf('.', i + 1)) zone.ents.add(name.slice(i + 1));
  }
  return n;
}

/** Places a service's owner name and its SRV targets in the zone (the caller drops owners from `ents` after). */
function addService(zone: Zone, view: ServiceView): void {
  if (view.record.type !== 'DNS_HTTP' || !view.recordTypes.length) return;
  const owner = serviceOwner(view, zone.apex);
  if (!encodable(owner) || !view.instances.some((i) => contributes(view, i))) return;
  node(zone, owner).services.push(view);
  if (!view.recordTypes.includes('SRV')) return;
  for (const inst of view.instances) {
    const name = srvTarget(view, inst, zone.apex);
    if (!contributes(view, inst) || !encodable(name) || !inst.attributes.AWS_INSTANCE_PORT) continue;
    node(zone, lower(name)).targets.push({ view, instance: inst, name });
  }
}

/** The most specific zone containing `name` (lower-cased, dotted), if any. */
export function findZone(index: ZoneIndex, name: string): Zone | undefined {
  let at = 0;
  for (;;) {
    const z = index.zones.get(at === 0 ? name : name.slice(at));
    if (z) return z;
    const dot = name.indexOf('.', at);
    if (dot < 0) return index.zones.get('');
    at = dot + 1;
  }
}
