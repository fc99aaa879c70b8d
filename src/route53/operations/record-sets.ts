// ListResourceRecordSets: the record sets of a namespace's zone, exactly those the DNS server serves
// (src/cloudmap/dns/record-sets.ts builds them with the server's own builders). Paging as Route 53
// pages: the list is ordered by name (labels reversed), type, identifier; StartRecordName/Type/Identifier
// say where a page starts, and a truncated page names the next record set in NextRecordName/Type/Identifier.
import type { HostedZoneView, RecordSetInfo } from '../../cloudmap/api.js';
import { recordSetKey } from '../../cloudmap/dns/record-sets.js';
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ResourceRecordSet, Route53Operations, RRType } from '../../protocol/generated/route53.js';
import { bareZoneId, maxItems } from '../paging.js';
import { noSuchHostedZone } from './hosted-zones.js';

const RECORDS_LIMIT = 300;

function wire(set: RecordSetInfo): ResourceRecordSet {
  const out: ResourceRecordSet = { Name: `${set.name}.`, Type: set.type };
  if (set.setIdentifier !== undefined) {
    out.SetIdentifier = set.setIdentifier;
    // Cloud Map writes MULTIVALUE services as multivalue answer records and WEIGHTED ones with weight 1.
    if (set.routingPolicy === 'WEIGHTED') out.Weight = 1;
    else out.MultiValueAnswer = true;
  }
  out.TTL = set.ttl;
  out.ResourceRecords = set.values.map((Value) => ({ Value }));
  return out;
}

const position = (name: string, type = '', identifier = ''): string => `${recordSetKey(name)}\n${type}\n${identifier}`;
const positionOf = (s: RecordSetInfo): string => position(s.name, s.type, s.setIdentifier);

export function recordSetCount(zones: HostedZoneView, ctx: RequestContext, id: string): number {
  return zones.recordSets(ctx.accountId, id)?.length ?? 0;
}

export function recordSetOperations(zones: HostedZoneView): Pick<Route53Operations, 'ListResourceRecordSets'> {
  return {
    ListResourceRecordSets(input, ctx) {
      const id = bareZoneId(input.HostedZoneId);
      const sets = zones.recordSets(ctx.accountId, id);
      if (!sets) throw noSuchHostedZone(id);
      if (input.StartRecordType !== undefined && input.StartRecordName === undefined) {
        throw new AwsError('InvalidInput', 'The input is not valid: StartRecordType requires StartRecordName.');
      }
      if (input.StartRecordIdentifier !== undefined && input.StartRecordType === undefined) {
        throw new AwsError('InvalidInput', 'The input is not valid: StartRecordIdentifier requires StartRecordType.');
      }
      const max = maxItems(input.MaxItems, RECORDS_LIMIT);
      let from = 0;
      if (input.StartRecordName !== undefined) {
        const start = position(input.StartRecordName.replace(/\.$/, '').toLowerCase(), input.StartRecordType, input.StartRecordIdentifier);
        from = sets.findIndex((s) => positionOf(s) >= start);
        if (from < 0) from = sets.length;
      }
      const page = sets.slice(from, from + max);
      const next = sets[from + max];
      return {
        ResourceRecordSets: page.map(wire),
        IsTruncated: !!next,
        ...(next ? { NextRecordName: `${next.name}.`, NextRecordType: next.type as RRType } : {}),
        ...(next?.setIdentifier !== undefined ? { NextRecordIdentifier: next.setIdentifier } : {}),
        MaxItems: String(max),
      };
    },
  };
}
