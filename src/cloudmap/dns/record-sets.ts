// The namespaces' Route 53 hosted zones and their record sets, read from the discovery snapshot (no SQL).
// The record sets are built by the DNS server's own builders (zones.ts for the names, answers.ts for
// each instance's record, SOA and NS), so `list-resource-record-sets` and `dig` cannot disagree about
// what exists. Route 53 keeps every instance's record; which ones a DNS answer carries is decided by
// health at query time (answers.ts, pickHealthy), as Route 53 does with its health checks.
import { LEGACY_ACCOUNT } from '../../store/store.js';
import type { HostedZoneInfo, HostedZoneView, RecordSetInfo } from '../api.js';
import type { Snapshot } from '../discovery.js';
import type { NamespaceRecord } from '../store.js';
import { instanceRecord, nsRecords, servedTypes, soaRecord, targetRecords } from './answers.js';
import { TYPE, type ResourceRecord } from './wire.js';
import { buildNamespaceZone, type Zone } from './zones.js';

const accountOf = (ns: NamespaceRecord): string => ns.accountId || LEGACY_ACCOUNT;

function zoneInfo(ns: NamespaceRecord): HostedZoneInfo {
  const info: HostedZoneInfo = {
    id: ns.hostedZoneId!,
    name: ns.name.replace(/[A-Z]/g, (c) => c.toLowerCase()),
    private: ns.type === 'DNS_PRIVATE',
    namespaceId: ns.id,
    namespaceArn: ns.arn,
    accountId: accountOf(ns),
    region: ns.region,
    createdAt: ns.createdAt,
  };
  if (ns.vpc) info.vpc = ns.vpc;
  if (ns.description) info.description = ns.description;
  return info;
}

const TYPE_NAMES: Record<number, RecordSetInfo['type']> = { [TYPE.A]: 'A', [TYPE.AAAA]: 'AAAA', [TYPE.CNAME]: 'CNAME', [TYPE.NS]: 'NS', [TYPE.SOA]: 'SOA', [TYPE.SRV]: 'SRV' };

/** A record's value as Route 53 shows it (domain names fully qualified). */
function presentation(rr: ResourceRecord): string {
  switch (rr.type) {
    case TYPE.A:
    case TYPE.AAAA:
      return rr.address;
    case TYPE.CNAME:
    case TYPE.NS:
      return `${rr.target}.`;
    case TYPE.SRV:
      return `${rr.priority} ${rr.weight} ${rr.port} ${rr.target}.`;
    case TYPE.SOA: {
      const s = rr.soa;
      return `${s.mname}. ${s.rname}. ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
    }
  }
}

function recordSet(rrs: ResourceRecord[], extra: Pick<RecordSetInfo, 'setIdentifier' | 'routingPolicy'> = {}): RecordSetInfo {
  const first = rrs[0]!;
  return { name: first.name, type: TYPE_NAMES[first.type]!, ttl: first.ttl, values: rrs.map(presentation), ...extra };
}

/** Every record set of a zone: SOA and NS at the apex, one set per instance and type, the SRV targets' A/AAAA. */
export function zoneRecordSets(zone: Zone): RecordSetInfo[] {
  const sets: RecordSetInfo[] = [recordSet([soaRecord(zone)]), recordSet(nsRecords(zone))];
  for (const [owner, node] of zone.nodes) {
    for (const view of node.services) {
      const routingPolicy = view.record.routingPolicy ?? 'MULTIVALUE';
      for (const type of servedTypes(view)) {
        for (const inst of view.instances) {
          const rr = instanceRecord(view, inst, type, zone.apex, owner);
          if (rr) sets.push(recordSet([rr], { setIdentifier: inst.instanceId, routingPolicy }));
        }
      }
    }
    for (const t of node.targets) {
      for (const rr of targetRecords(t.view, t.instance, owner, TYPE.ANY)) sets.push(recordSet([rr]));
    }
  }
  return sets.sort(compareRecordSets);
}

/** Route 53's listing order: the name with its labels reversed (`internal.api.task-1`), then type, then identifier. */
export function recordSetKey(name: string): string {
  return name.split('.').reverse().join('.');
}

function compareRecordSets(a: RecordSetInfo, b: RecordSetInfo): number {
  return cmp(recordSetKey(a.name), recordSetKey(b.name)) || cmp(a.type, b.type) || cmp(a.setIdentifier ?? '', b.setIdentifier ?? '');
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The hosted zones of the current discovery snapshot. */
export class HostedZones implements HostedZoneView {
  /** Record sets per zone id, for one snapshot revision (a listing of many zones counts each zone's sets). */
  private built: { revision: number; sets: Map<string, RecordSetInfo[]> } = { revision: -1, sets: new Map() };

  constructor(private readonly snapshot: () => Snapshot) {}

  zones(accountId: string): HostedZoneInfo[] {
    const out: HostedZoneInfo[] = [];
    for (const ns of this.snapshot().namespaces.values()) if (ns.hostedZoneId && ns.type !== 'HTTP' && accountOf(ns) === accountId) out.push(zoneInfo(ns));
    return out.sort((a, b) => cmp(a.id, b.id));
  }

  zone(accountId: string, id: string): HostedZoneInfo | undefined {
    const ns = this.namespaceOf(accountId, id);
    return ns && zoneInfo(ns);
  }

  recordSets(accountId: string, id: string): RecordSetInfo[] | undefined {
    const snap = this.snapshot();
    const ns = this.namespaceOf(accountId, id, snap);
    if (!ns) return undefined;
    if (this.built.revision !== snap.revision) this.built = { revision: snap.revision, sets: new Map() };
    let sets = this.built.sets.get(id);
    if (!sets) {
      const zone = buildNamespaceZone(snap, ns);
      sets = zone ? zoneRecordSets(zone) : [];
      this.built.sets.set(id, sets);
    }
    return sets;
  }

  private namespaceOf(accountId: string, id: string, snap = this.snapshot()): NamespaceRecord | undefined {
    for (const ns of snap.namespaces.values()) if (ns.hostedZoneId === id && ns.type !== 'HTTP' && accountOf(ns) === accountId) return ns;
    return undefined;
  }
}
