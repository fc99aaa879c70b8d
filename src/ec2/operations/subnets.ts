// CreateSubnet / DescribeSubnets / DeleteSubnet / ModifySubnetAttribute.
import { arn } from '../../kernel/arn.js';
import { AwsError } from '../../kernel/errors.js';
import { ec2Id } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { Ec2Operations } from '../../protocol/generated/ec2.js';
import type {
  CreateSubnetRequest,
  CreateSubnetResult,
  DeleteSubnetRequest,
  DescribeSubnetsRequest,
  DescribeSubnetsResult,
  ModifySubnetAttributeRequest,
  Subnet,
} from '../../protocol/generated/ec2.js';
import { contains, overlaps, parseCidr, size } from '../cidr.js';
import { forgetSubnetAssociationsTx } from '../associations.js';
import { tagList, type FilterFields } from '../filters.js';
import { scopedKey, scopePrefix, type Scope } from '../../store/store.js';
import type { Ec2Store, SubnetRecord } from '../store.js';
import { zonesOf } from '../zones.js';
import { describePage, dryRun, tagsFromSpecifications } from './common.js';

const RESERVED_PER_SUBNET = 5; // AWS reserves the first four and the last address

export function subnetWire(s: SubnetRecord, usedAddresses: number): Subnet {
  return {
    SubnetId: s.subnetId,
    SubnetArn: arn('ec2', s.region, s.ownerId, `subnet/${s.subnetId}`),
    VpcId: s.vpcId,
    CidrBlock: s.cidrBlock,
    AvailabilityZone: s.availabilityZone,
    AvailabilityZoneId: s.availabilityZoneId,
    AvailableIpAddressCount: size(parseCidr(s.cidrBlock)!) - RESERVED_PER_SUBNET - usedAddresses,
    State: 'available',
    DefaultForAz: s.defaultForAz,
    MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    MapCustomerOwnedIpOnLaunch: false,
    AssignIpv6AddressOnCreation: s.assignIpv6AddressOnCreation ?? false,
    EnableDns64: s.enableDns64 ?? false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: {
      HostnameType: s.hostnameType ?? 'ip-name',
      EnableResourceNameDnsARecord: s.enableResourceNameDnsARecord ?? false,
      EnableResourceNameDnsAAAARecord: s.enableResourceNameDnsAAAARecord ?? false,
    },
    Ipv6CidrBlockAssociationSet: [],
    OwnerId: s.ownerId,
    Tags: Object.keys(s.tags).length ? tagList(s.tags) : undefined,
  };
}

const SUBNET_FILTERS: FilterFields<SubnetRecord> = {
  'subnet-id': (s) => [s.subnetId],
  'vpc-id': (s) => [s.vpcId],
  'cidr-block': (s) => [s.cidrBlock],
  cidr: (s) => [s.cidrBlock],
  cidrBlock: (s) => [s.cidrBlock],
  'availability-zone': (s) => [s.availabilityZone],
  availabilityZone: (s) => [s.availabilityZone],
  'availability-zone-id': (s) => [s.availabilityZoneId],
  'default-for-az': (s) => [s.defaultForAz],
  defaultForAz: (s) => [s.defaultForAz],
  'map-public-ip-on-launch': (s) => [s.mapPublicIpOnLaunch],
  'owner-id': (s) => [s.ownerId],
  state: () => ['available'],
  'subnet-arn': (s) => [arn('ec2', s.region, s.ownerId, `subnet/${s.subnetId}`)],
};

export function subnetOperations(ec2: Ec2Store) {
  const used = (scope: Scope, subnetId: string) => ec2.enis.withPrefix(scopePrefix(scope)).filter((e) => e.subnetId === subnetId).length;
  return {
    CreateSubnet(input: CreateSubnetRequest, ctx: RequestContext): CreateSubnetResult {
      ec2.ensureRegion(ctx);
      const vpc = ec2.vpc(ctx, input.VpcId);
      if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
      if (!input.CidrBlock) throw new AwsError('MissingParameter', 'The request must contain the parameter CidrBlock');
      const cidr = parseCidr(input.CidrBlock);
      if (!cidr) throw new AwsError('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
      if (cidr.prefix < 16 || cidr.prefix > 28 || !contains(parseCidr(vpc.cidrBlock)!, cidr)) {
        throw new AwsError('InvalidSubnet.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
      }
      const zones = zonesOf(ctx.region);
      let zone = zones[0]!;
      if (input.AvailabilityZone || input.AvailabilityZoneId) {
        const found = zones.find((z) => z.zoneName === input.AvailabilityZone || z.zoneId === input.AvailabilityZoneId);
        if (!found) {
          throw new AwsError(
            'InvalidParameterValue',
            `Value (${input.AvailabilityZone ?? input.AvailabilityZoneId}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.zoneName).join(', ')}.`,
          );
        }
        zone = found;
      }
      const tags = tagsFromSpecifications(input.TagSpecifications, 'subnet');
      dryRun(input);
      const subnet: SubnetRecord = {
        region: ctx.region,
        subnetId: ec2Id('subnet'),
        vpcId: vpc.vpcId,
        cidrBlock: input.CidrBlock,
        availabilityZone: zone.zoneName,
        availabilityZoneId: zone.zoneId,
        defaultForAz: false,
        mapPublicIpOnLaunch: false,
        ownerId: ctx.accountId,
        tags,
      };
      ec2.store.withTx(() => {
        const clash = ec2.subnets.withPrefix(scopePrefix(ctx)).find((s) => s.vpcId === vpc.vpcId && overlaps(parseCidr(s.cidrBlock)!, cidr));
        if (clash) throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${input.CidrBlock}' conflicts with another subnet`);
        ec2.subnets.putTx(scopedKey(ctx, subnet.subnetId), subnet);
      });
      return { Subnet: subnetWire(subnet, 0) };
    },

    DescribeSubnets(input: DescribeSubnetsRequest, ctx: RequestContext): DescribeSubnetsResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const p = describePage(input, {
        ids: input.SubnetIds,
        get: (id) => ec2.subnet(ctx, id),
        notFound: 'InvalidSubnetID.NotFound',
        noun: 'subnet',
        all: () => ec2.subnets.withPrefix(scopePrefix(ctx)),
        filters: SUBNET_FILTERS,
        keyOf: (s) => s.subnetId,
      });
      return { Subnets: p.items.map((s) => subnetWire(s, used(ctx, s.subnetId))), NextToken: p.nextToken };
    },

    DeleteSubnet(input: DeleteSubnetRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const subnet = ec2.subnet(ctx, input.SubnetId);
      if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${input.SubnetId}' does not exist`);
      dryRun(input);
      ec2.store.withTx(() => {
        if (used(ctx, subnet.subnetId) > 0) {
          throw new AwsError('DependencyViolation', `The subnet '${subnet.subnetId}' has dependencies and cannot be deleted.`);
        }
        forgetSubnetAssociationsTx(ec2, ctx, subnet.subnetId);
        ec2.subnets.deleteTx(scopedKey(ctx, subnet.subnetId));
      });
    },

    ModifySubnetAttribute(input: ModifySubnetAttributeRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const change: Partial<SubnetRecord> = {};
      if (input.MapPublicIpOnLaunch?.Value !== undefined) change.mapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value;
      if (input.AssignIpv6AddressOnCreation?.Value !== undefined) change.assignIpv6AddressOnCreation = input.AssignIpv6AddressOnCreation.Value;
      if (input.EnableDns64?.Value !== undefined) change.enableDns64 = input.EnableDns64.Value;
      if (input.EnableResourceNameDnsARecordOnLaunch?.Value !== undefined) change.enableResourceNameDnsARecord = input.EnableResourceNameDnsARecordOnLaunch.Value;
      if (input.EnableResourceNameDnsAAAARecordOnLaunch?.Value !== undefined) change.enableResourceNameDnsAAAARecord = input.EnableResourceNameDnsAAAARecordOnLaunch.Value;
      if (input.PrivateDnsHostnameTypeOnLaunch !== undefined) {
        if (input.PrivateDnsHostnameTypeOnLaunch !== 'ip-name' && input.PrivateDnsHostnameTypeOnLaunch !== 'resource-name') {
          throw new AwsError('InvalidParameterValue', `Value (${input.PrivateDnsHostnameTypeOnLaunch}) for parameter privateDnsHostnameTypeOnLaunch is invalid.`);
        }
        change.hostnameType = input.PrivateDnsHostnameTypeOnLaunch;
      }
      ec2.store.withTx(() => {
        const subnet = ec2.subnet(ctx, input.SubnetId);
        if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${input.SubnetId}' does not exist`);
        ec2.subnets.putTx(scopedKey(ctx, subnet.subnetId), { ...subnet, ...change });
      });
    },
  } satisfies Partial<Ec2Operations>;
}
