// What the authoritative server answers for (name, type), as AWS's Route 53 records for Cloud Map
// would (docs/aws-behavior.md §4.6, §6.21). Pure: a zone index in, record sets out; the server encodes them once and
// caches the bytes. Errors map to RCODEs here, in one place:
//   outside every zone → REFUSED (not authoritative, AA clear)
//   name with no records and no records below it → NXDOMAIN + SOA
//   name exists, type does not → NOERROR/NODATA + SOA
// Health (MULTIVALUE): up to 8 random healthy values; none healthy → up to 8 of all of them (fail
// open). WEIGHTED: one random healthy value, or one of all when none is healthy. Services without a
// health configuration count as healthy. Several random picks ("variants") are prepared so that
// successive queries see different selections and orders while the answer bytes stay cached.
import type { DiscoveredInstance } from '../api.js';
import { shuffle, type ServiceView } from '../discovery.js';
import type { RecordType } from '../store.js';
import { findZone, srvTarget, type OwnerNode, type Zone, type ZoneIndex } from './zones.js';
import { RCODE, TYPE, type ResourceRecord, type SoaData } from './wire.js';

export const MAX_MULTIVALUE = 8;
export const VARIANTS = 8;
/** Route 53's NS TTL and the name servers of its private hosted zones. */
export const NS_TTL = 172800;
export const NAME_SERVERS = ['ns-1536.awsdns-00.co.uk', 'ns-0.awsdns-00.com', 'ns-1024.awsdns-00.org', 'ns-512.awsdns-00.net'];

export interface AnswerVariant {
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
}

export interface AnswerPlan {
  rcode: number;
  aa: boolean;
  variants: AnswerVariant[];
}

export function soaData(): SoaData {
  return { mname: NAME_SERVERS[0]!, rname: 'awsdns-hostmaster.amazon.com', serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 86400 };
}

export function soaRecord(zone: Zone): ResourceRecord {
  return { name: zone.apex, type: TYPE.SOA, ttl: zone.namespace.soaTtl ?? 15, soa: soaData() };
}

export function nsRecords(zone: Zone): ResourceRecord[] {
  return NAME_SERVERS.map((target) => ({ name: zone.apex, type: TYPE.NS, ttl: NS_TTL, target }) as ResourceRecord);
}

const one = (v: AnswerVariant): AnswerVariant[] => [v];
const empty = (): AnswerVariant => ({ answer: [], authority: [], additional: [] });

/** Picks up to n values (MULTIVALUE n = 8, WEIGHTED n = 1), preferring healthy ones; random order. */
export function pickHealthy(candidates: readonly DiscoveredInstance[], n: number, random: () => number): DiscoveredInstance[] {
  const healthy = candidates.filter((c) => c.health !== 'UNHEALTHY');
  return shuffle([...(healthy.length ? healthy : candidates)], random).slice(0, n);
}

function ttlOf(view: ServiceView, type: 'A' | 'AAAA' | 'SRV' | 'CNAME'): number {
  return view.record.dnsRecords?.find((r) => r.type === type)?.ttl ?? 0;
}

/**
 * The one record an instance contributes to its service's record set of `type` at `owner`, or none.
 * The DNS answers (below) and the Route 53 record sets (record-sets.ts) are both built from it.
 */
export function instanceRecord(view: ServiceView, inst: DiscoveredInstance, type: RecordType, apex: string, owner: string): ResourceRecord | undefined {
  switch (type) {
    case 'A':
      return inst.ipv4 ? { name: owner, type: TYPE.A, ttl: ttlOf(view, 'A'), address: inst.ipv4 } : undefined;
    case 'AAAA': {
      const v6 = inst.attributes.AWS_INSTANCE_IPV6;
      return v6 ? { name: owner, type: TYPE.AAAA, ttl: ttlOf(view, 'AAAA'), address: v6 } : undefined;
    }
    case 'CNAME': {
      const cname = inst.attributes.AWS_INSTANCE_CNAME;
      return cname ? { name: owner, type: TYPE.CNAME, ttl: ttlOf(view, 'CNAME'), target: cname.replace(/\.$/, '') } : undefined;
    }
    case 'SRV':
      if (inst.port === undefined || !(inst.ipv4 || inst.attributes.AWS_INSTANCE_IPV6)) return undefined;
      return { name: owner, type: TYPE.SRV, ttl: ttlOf(view, 'SRV'), priority: 1, weight: 1, port: inst.port, target: srvTarget(view, inst, apex) };
  }
}

/** The record types a service's record sets have, in answer order: a CNAME service has only its CNAME. */
export function servedTypes(view: ServiceView): RecordType[] {
  return view.recordTypes.includes('CNAME') ? ['CNAME'] : (['A', 'AAAA', 'SRV'] as const).filter((t) => view.recordTypes.includes(t));
}

const QTYPE: Record<RecordType, number> = { A: TYPE.A, AAAA: TYPE.AAAA, CNAME: TYPE.CNAME, SRV: TYPE.SRV };

/** The records a service owns for one query type (one random pick). */
function serviceRecords(view: ServiceView, qtype: number, apex: string, owner: string, random: () => number): { answer: ResourceRecord[]; additional: ResourceRecord[] } {
  const n = view.record.routingPolicy === 'WEIGHTED' ? 1 : MAX_MULTIVALUE;
  const answer: ResourceRecord[] = [];
  const additional: ResourceRecord[] = [];
  for (const type of servedTypes(view)) {
    // A CNAME is answered whatever the query type (the resolver follows it); it has one value.
    if (type !== 'CNAME' && qtype !== QTYPE[type] && qtype !== TYPE.ANY) continue;
    const candidates = view.instances.filter((i) => instanceRecord(view, i, type, apex, owner));
    for (const i of pickHealthy(candidates, type === 'CNAME' ? 1 : n, random)) {
      const rr = instanceRecord(view, i, type, apex, owner)!;
      answer.push(rr);
      if (rr.type === TYPE.SRV) additional.push(...targetRecords(view, i, rr.target, TYPE.ANY));
    }
  }
  return { answer, additional };
}

/** The A/AAAA records of an SRV target name. */
export function targetRecords(view: ServiceView, inst: DiscoveredInstance, name: string, qtype: number): ResourceRecord[] {
  const ttl = ttlOf(view, view.recordTypes.includes('A') ? 'A' : 'SRV');
  const out: ResourceRecord[] = [];
  if (inst.ipv4 && (qtype === TYPE.A || qtype === TYPE.ANY)) out.push({ name, type: TYPE.A, ttl, address: inst.ipv4 });
  const v6 = inst.attributes.AWS_INSTANCE_IPV6;
  if (v6 && (qtype === TYPE.AAAA || qtype === TYPE.ANY)) out.push({ name, type: TYPE.AAAA, ttl: ttlOf(view, view.recordTypes.includes('AAAA') ? 'AAAA' : 'SRV'), address: v6 });
  return out;
}

function nodeVariant(zone: Zone, owner: string, node: OwnerNode | undefined, qtype: number, random: () => number): AnswerVariant {
  const v = empty();
  for (const view of node?.services ?? []) {
    const r = serviceRecords(view, qtype, zone.apex, owner, random);
    v.answer.push(...r.answer);
    v.additional.push(...r.additional);
  }
  for (const t of node?.targets ?? []) v.answer.push(...targetRecords(t.view, t.instance, owner, qtype));
  if (owner === zone.apex && (qtype === TYPE.SOA || qtype === TYPE.ANY)) v.answer.unshift(soaRecord(zone));
  if (owner === zone.apex && (qtype === TYPE.NS || qtype === TYPE.ANY)) {
    v.answer.push(...nsRecords(zone));
  }
  return v;
}

/** Does the node's content depend on random picks (so several variants are worth preparing)? */
function isRandom(node: OwnerNode | undefined): boolean {
  return !!node?.services.some((s) => s.instances.length > 1);
}

export function planAnswer(index: ZoneIndex, name: string, qtype: number, random: () => number = Math.random): AnswerPlan {
  const zone = findZone(index, name);
  if (!zone) return { rcode: RCODE.REFUSED, aa: false, variants: one(empty()) };
  if (qtype === TYPE.AXFR || qtype === TYPE.IXFR) return { rcode: RCODE.REFUSED, aa: false, variants: one(empty()) };
  const node = zone.nodes.get(name);
  const exists = !!node || name === zone.apex || zone.ents.has(name);
  if (!exists) return { rcode: RCODE.NXDOMAIN, aa: true, variants: one({ answer: [], authority: [soaRecord(zone)], additional: [] }) };
  const count = isRandom(node) ? VARIANTS : 1;
  const variants: AnswerVariant[] = [];
  for (let i = 0; i < count; i++) {
    const v = nodeVariant(zone, name, node, qtype, random);
    if (v.answer.length === 0) {
      // NODATA: the name exists, this type does not (or no value is left to give).
      return { rcode: RCODE.NOERROR, aa: true, variants: one({ answer: [], authority: [soaRecord(zone)], additional: [] }) };
    }
    variants.push(v);
  }
  return { rcode: RCODE.NOERROR, aa: true, variants };
}
