// DescribeAvailabilityZones / DescribeRegions.
import type { RequestContext } from '../../protocol/handlers.js';
import type { Ec2Operations } from '../../protocol/generated/ec2.js';
import type { DescribeAvailabilityZonesRequest, DescribeAvailabilityZonesResult, DescribeRegionsRequest, DescribeRegionsResult } from '../../protocol/generated/ec2.js';
import { applyFilters } from '../filters.js';
import { KNOWN_REGIONS, zonesOf, type Zone } from '../zones.js';
import { dryRun } from './common.js';
import { AwsError } from '../../kernel/errors.js';

export function zoneOperations() {
  return {
    DescribeAvailabilityZones(input: DescribeAvailabilityZonesRequest, ctx: RequestContext): DescribeAvailabilityZonesResult {
      dryRun(input);
      let zones: Array<Zone & { tags: Record<string, string> }> = zonesOf(ctx.region).map((z) => ({ ...z, tags: {} }));
      const names = input.ZoneNames ?? [];
      const ids = input.ZoneIds ?? [];
      for (const n of names) if (!zones.some((z) => z.zoneName === n)) throw new AwsError('InvalidParameterValue', `The zone '${n}' does not exist.`);
      for (const n of ids) if (!zones.some((z) => z.zoneId === n)) throw new AwsError('InvalidParameterValue', `The zone id '${n}' does not exist.`);
      if (names.length || ids.length) zones = zones.filter((z) => names.includes(z.zoneName) || ids.includes(z.zoneId));
      zones = applyFilters(zones, input.Filters, {
        'zone-name': (z) => [z.zoneName],
        'zone-id': (z) => [z.zoneId],
        'region-name': (z) => [z.region],
        state: () => ['available'],
        'zone-type': () => ['availability-zone'],
        'opt-in-status': () => ['opt-in-not-required'],
        'group-name': (z) => [z.region],
      });
      return {
        AvailabilityZones: zones.map((z) => ({
          ZoneName: z.zoneName,
          ZoneId: z.zoneId,
          State: 'available',
          RegionName: z.region,
          ZoneType: 'availability-zone',
          OptInStatus: 'opt-in-not-required',
          GroupName: z.region,
          NetworkBorderGroup: z.region,
          Messages: [],
        })),
      };
    },

    DescribeRegions(input: DescribeRegionsRequest, _ctx: RequestContext): DescribeRegionsResult {
      dryRun(input);
      const wanted = input.RegionNames ?? [];
      const regions = KNOWN_REGIONS.filter((r) => !wanted.length || wanted.includes(r)).map((r) => ({ r, tags: {} }));
      const filtered = applyFilters(regions, input.Filters, {
        'region-name': (x) => [x.r],
        endpoint: (x) => [`ec2.${x.r}.amazonaws.com`],
        'opt-in-status': () => ['opt-in-not-required'],
      });
      return { Regions: filtered.map(({ r }) => ({ RegionName: r, Endpoint: `ec2.${r}.amazonaws.com`, OptInStatus: 'opt-in-not-required' })) };
    },
  } satisfies Partial<Ec2Operations>;
}
