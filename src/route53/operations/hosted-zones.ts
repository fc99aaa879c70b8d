// ListHostedZones, ListHostedZonesByName, GetHostedZone, GetHostedZoneCount over Cloud Map's
// namespaces' zones (docs/route53.md). A zone belongs to the namespace's account; Route 53 is global,
// so every region's namespaces are listed, and another account's zone is NoSuchHostedZone.
import type { HostedZoneInfo, HostedZoneView } from '../../cloudmap/api.js';
import { NAME_SERVERS } from '../../cloudmap/dns/answers.js';
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { HostedZone, Route53Operations, VPCRegion } from '../../protocol/generated/route53.js';
import { bareZoneId, maxItems } from '../paging.js';
import { recordSetCount } from './record-sets.js';

const ZONES_LIMIT = 100;

export function noSuchHostedZone(id: string): AwsError {
  return new AwsError('NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
}

function hostedZone(zones: HostedZoneView, ctx: RequestContext, z: HostedZoneInfo): HostedZone {
  return {
    Id: `/hostedzone/${z.id}`,
    Name: `${z.name}.`,
    // Cloud Map makes the zone: the namespace's id is the caller reference of its request.
    CallerReference: z.namespaceId,
    Config: { ...(z.description ? { Comment: z.description } : {}), PrivateZone: z.private },
    ResourceRecordSetCount: recordSetCount(zones, ctx, z.id),
    LinkedService: { ServicePrincipal: 'servicediscovery.amazonaws.com', Description: z.namespaceArn },
  };
}

/** Route 53's order for ListHostedZonesByName: the name with its labels reversed, then the id. */
const byNameKey = (z: HostedZoneInfo): string => `${z.name.split('.').reverse().join('.')}\n${z.id}`;

export function hostedZoneOperations(zones: HostedZoneView): Pick<Route53Operations, 'ListHostedZones' | 'ListHostedZonesByName' | 'GetHostedZone' | 'GetHostedZoneCount'> {
  return {
    ListHostedZones(input, ctx) {
      if (input.DelegationSetId !== undefined)
        throw new AwsError('NoSuchDelegationSet', `A reusable delegation set with the specified ID does not exist: ${input.DelegationSetId.slice(0, 32)}`);
      const max = maxItems(input.MaxItems, ZONES_LIMIT);
      // HostedZoneType=PrivateHostedZone keeps the private zones; zones are ordered by id, Marker is the first id of the page.
      const all = zones.zones(ctx.accountId).filter((z) => input.HostedZoneType !== 'PrivateHostedZone' || z.private);
      const start = input.Marker === undefined ? 0 : all.findIndex((z) => z.id >= bareZoneId(input.Marker!));
      const from = start < 0 ? all.length : start;
      const page = all.slice(from, from + max);
      const next = all[from + max];
      return {
        HostedZones: page.map((z) => hostedZone(zones, ctx, z)),
        Marker: input.Marker ?? '',
        IsTruncated: !!next,
        ...(next ? { NextMarker: next.id } : {}),
        MaxItems: String(max),
      };
    },

    ListHostedZonesByName(input, ctx) {
      if (input.HostedZoneId !== undefined && input.DNSName === undefined) {
        throw new AwsError('InvalidInput', 'The input is not valid: HostedZoneId requires DNSName.');
      }
      const max = maxItems(input.MaxItems, ZONES_LIMIT);
      const all = zones.zones(ctx.accountId).sort((a, b) => (byNameKey(a) < byNameKey(b) ? -1 : 1));
      const name = input.DNSName?.replace(/\.$/, '').toLowerCase();
      const startKey = name === undefined ? '' : `${name.split('.').reverse().join('.')}\n${input.HostedZoneId ? bareZoneId(input.HostedZoneId) : ''}`;
      const from = all.findIndex((z) => byNameKey(z) >= startKey);
      const at = from < 0 ? all.length : from;
      const page = all.slice(at, at + max);
      const next = all[at + max];
      return {
        HostedZones: page.map((z) => hostedZone(zones, ctx, z)),
        ...(input.DNSName !== undefined ? { DNSName: input.DNSName } : {}),
        ...(input.HostedZoneId !== undefined ? { HostedZoneId: input.HostedZoneId } : {}),
        IsTruncated: !!next,
        ...(next ? { NextDNSName: `${next.name}.`, NextHostedZoneId: next.id } : {}),
        MaxItems: String(max),
      };
    },

    GetHostedZone(input, ctx) {
      const id = bareZoneId(input.Id);
      const z = zones.zone(ctx.accountId, id);
      if (!z) throw noSuchHostedZone(id);
      return {
        HostedZone: hostedZone(zones, ctx, z),
        // A public zone is delegated to Route 53's name servers; a private one is attached to its VPC instead.
        ...(z.private ? {} : { DelegationSet: { NameServers: [...NAME_SERVERS] } }),
        ...(z.private && z.vpc ? { VPCs: [{ VPCRegion: z.region as VPCRegion, VPCId: z.vpc }] } : {}),
      };
    },

    GetHostedZoneCount(_input, ctx) {
      return { HostedZoneCount: zones.zones(ctx.accountId).length };
    },
  };
}
