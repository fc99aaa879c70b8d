// The DNS view of a discovery snapshot: one zone per private/public DNS namespace, and per zone the
// owner names that have records (docs/aws-behavior.md §4.6): `<service>.<namespace>` for services with DNS records
// and at least one instance that contributes a value, and `<instanceId>.<service>.<namespace>` (the
// SRV targets) for services with SRV records. Names between an owner and the apex exist too (empty
// non-terminals: NODATA, not NXDOMAIN). Brought up to date once per snapshot revision, on the first cache
// miss, for the services changed since (ZoneIndexer).
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
  /** Empty non-terminals: names between an owner and the apex that own nothing themselves. */
  ents: { has(name: string): boolean };
}

export interface ZoneIndex {
  revision: number;
  zones: Map<string, Zone>;
}

/** A zone as the index keeps it: how many owner names imply each name above them (for removals). */
interface MutableZone extends Zone {
  above: Map<string, number>;
}

/** What one service put into the index, so a change to it takes out exactly that. */
interface Contribution {
  zone: MutableZone;
  names: string[];
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

/**
 * The DNS view of a snapshot, kept up to date service by service: `update` takes out what the touched
 * services put in and adds what their new views put in (a health flip at 1,000 services costs one
 * service, not a pass over all of them); a namespace change (touched undefined) rebuilds it whole.
 */
export class ZoneIndexer {
  private zones = new Map<string, MutableZone>();
  private readonly contributions = new Map<string, Contribution>();
  private built: ZoneIndex | undefined;

  /** The index for `snap`; `touched` is every service id changed since the last call (undefined: unknown). */
  update(snap: Snapshot, touched: ReadonlySet<string> | undefined): ZoneIndex {
    if (!this.built || !touched) this.rebuild(snap);
    else {
      for (const id of touched) this.remove(id);
      for (const id of touched) {
        const view = snap.services.get(id);
        if (view) this.add(view);
      }
    }
    this.built = { revision: snap.revision, zones: this.zones };
    return this.built;
  }

  private rebuild(snap: Snapshot): void {
    this.zones = new Map();
    this.contributions.clear();
    // Oldest namespace wins a name clash (the same name in two regions or accounts; docs/cloudmap.md "Accounts").
    const namespaces = [...snap.namespaces.values()].filter((ns) => ns.type !== 'HTTP').sort((a, b) => a.createdAt - b.createdAt);
    for (const ns of namespaces) {
      const apex = lower(ns.name);
      if (this.zones.has(apex) || !encodable(apex)) continue;
      this.zones.set(apex, emptyZone(ns));
    }
    for (const view of snap.services.values()) this.add(view);
  }

  /**
   * One DNS namespace's zone alone, built as the index builds it, whether or not it is the one the DNS
   * server answers for its name (an older namespace of the same name wins there). Route 53's record
   * sets (record-sets.ts) are read from it.
   */
  static namespaceZone(snap: Snapshot, ns: NamespaceRecord): Zone {
    const indexer = new ZoneIndexer();
    const zone = emptyZone(ns);
    indexer.zones.set(zone.apex, zone);
    for (const view of snap.services.values()) if (view.namespace.id === ns.id) indexer.add(view);
    return zone;
  }

  private add(view: ServiceView): void {
    if (view.record.type !== 'DNS_HTTP' || !view.recordTypes.length) return;
    const zone = this.zones.get(lower(view.namespace.name));
    if (!zone || zone.namespace.id !== view.namespace.id) return;
    const owner = serviceOwner(view, zone.apex);
    if (!encodable(owner) || !view.instances.some((i) => contributes(view, i))) return;
    const names: string[] = [owner];
    this.node(zone, owner).services.push(view);
    if (view.recordTypes.includes('SRV')) {
      for (const inst of view.instances) {
        const name = srvTarget(view, inst, zone.apex);
        if (!contributes(view, inst) || !encodable(name) || !inst.attributes.AWS_INSTANCE_PORT) continue;
        const key = lower(name);
        this.node(zone, key).targets.push({ view, instance: inst, name });
        names.push(key);
      }
    }
    this.contributions.set(view.record.id, { zone, names });
  }

  private remove(serviceId: string): void {
    const c = this.contributions.get(serviceId);
    if (!c) return;
    this.contributions.delete(serviceId);
    const { zone } = c;
    for (const name of new Set(c.names)) {
      const n = zone.nodes.get(name);
      if (!n) continue;
      n.services = n.services.filter((v) => v.record.id !== serviceId);
      n.targets = n.targets.filter((t) => t.view.record.id !== serviceId);
      if (n.services.length || n.targets.length) continue;
      zone.nodes.delete(name);
      this.forAbove(zone, name, (above) => {
        const left = (zone.above.get(above) ?? 0) - 1;
        if (left > 0) zone.above.set(above, left);
        else zone.above.delete(above);
      });
    }
  }

  private node(zone: MutableZone, name: string): OwnerNode {
    let n = zone.nodes.get(name);
    if (!n) {
      zone.nodes.set(name, (n = { services: [], targets: [] }));
      // every name between this one and the apex exists
      this.forAbove(zone, name, (above) => zone.above.set(above, (zone.above.get(above) ?? 0) + 1));
    }
    return n;
  }

  private forAbove(zone: Zone, name: string, fn: (above: string) => void): void {
    for (let i = name.indexOf('.'); i >= 0 && name.length - i - 1 > zone.apex.length; i = name.indexOf('.', i + 1)) fn(name.slice(i + 1));
  }
}

function emptyZone(ns: NamespaceRecord): MutableZone {
  const zone: MutableZone = {
    apex: lower(ns.name),
    namespace: ns,
    nodes: new Map(),
    above: new Map(),
    ents: { has: (name) => !zone.nodes.has(name) && (zone.above.get(name) ?? 0) > 0 },
  };
  return zone;
}

/** One namespace's zone (Route 53's view); undefined for an HTTP namespace or a name DNS cannot carry. */
export function buildNamespaceZone(snap: Snapshot, ns: NamespaceRecord): Zone | undefined {
  if (ns.type === 'HTTP' || !encodable(lower(ns.name))) return undefined;
  return ZoneIndexer.namespaceZone(snap, ns);
}

/** The whole index of one snapshot (tests; the DNS server keeps a ZoneIndexer). */
export function buildZoneIndex(snap: Snapshot): ZoneIndex {
  return new ZoneIndexer().update(snap, undefined);
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
