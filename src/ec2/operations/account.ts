// DescribeAccountAttributes (a VPC-only account: its platforms, limits and default VPC) and
// DescribeNetworkInterfaces (the ENIs of awsvpc tasks and VPC links).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type {
  AccountAttribute,
  DescribeAccountAttributesRequest,
  DescribeAccountAttributesResult,
  DescribeNetworkInterfacesRequest,
  DescribeNetworkInterfacesResult,
  Ec2Operations,
  NetworkInterface,
} from '../../protocol/generated/ec2.js';
import { scopedKey, scopePrefix } from '../../store/store.js';
import { applyFilters, tagList, type FilterFields } from '../filters.js';
import { ec2Scope, type Ec2Store, type NetworkInterfaceRecord } from '../store.js';
import { dryRun, page, requireAll } from './common.js';

export function accountOperations(ec2: Ec2Store) {
  const groupName = (e: NetworkInterfaceRecord, id: string) => ec2.group(ec2Scope(e), id)?.groupName;

  const eniWire = (e: NetworkInterfaceRecord): NetworkInterface => {
    const privateDnsName = `ip-${e.privateIpAddress.replaceAll('.', '-')}.${e.region === 'us-east-1' ? 'ec2.internal' : `${e.region}.compute.internal`}`;
    return {
      NetworkInterfaceId: e.networkInterfaceId,
      SubnetId: e.subnetId,
      VpcId: e.vpcId,
      AvailabilityZone: e.availabilityZone,
      Description: e.description,
      Groups: e.groupIds.map((GroupId) => ({ GroupId, GroupName: groupName(e, GroupId) })),
      InterfaceType: 'interface',
      Ipv6Addresses: [],
      MacAddress: e.macAddress,
      OwnerId: e.ownerId,
      PrivateDnsName: privateDnsName,
      PrivateIpAddress: e.privateIpAddress,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.privateIpAddress, PrivateDnsName: privateDnsName }],
      RequesterManaged: false,
      SourceDestCheck: true,
      Status: e.status,
      TagSet: tagList(e.tags),
    };
  };

  const ENI_FILTERS: FilterFields<NetworkInterfaceRecord> = {
    'network-interface-id': (e) => [e.networkInterfaceId],
    'subnet-id': (e) => [e.subnetId],
    'vpc-id': (e) => [e.vpcId],
    'group-id': (e) => e.groupIds,
    'group-name': (e) => e.groupIds.map((id) => groupName(e, id)),
    'availability-zone': (e) => [e.availabilityZone],
    description: (e) => [e.description],
    status: (e) => [e.status],
    'private-ip-address': (e) => [e.privateIpAddress],
    'addresses.private-ip-address': (e) => [e.privateIpAddress],
    'addresses.primary': () => [true],
    'mac-address': (e) => [e.macAddress],
    'owner-id': (e) => [e.ownerId],
    'interface-type': () => ['interface'],
    'requester-managed': () => [false],
    'source-dest-check': () => [true],
  };

  return {
    DescribeNetworkInterfaces(input: DescribeNetworkInterfacesRequest, ctx: RequestContext): DescribeNetworkInterfacesResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const byId = requireAll(input.NetworkInterfaceIds, (id) => ec2.enis.get(scopedKey(ctx, id)), 'InvalidNetworkInterfaceID.NotFound', 'network interface');
      const enis = applyFilters(byId ?? ec2.enis.withPrefix(scopePrefix(ctx)), input.Filters, ENI_FILTERS);
      const p = page(enis, (e) => e.networkInterfaceId, input.MaxResults, input.NextToken);
      return { NetworkInterfaces: p.items.map(eniWire), NextToken: p.nextToken };
    },

    DescribeAccountAttributes(input: DescribeAccountAttributesRequest, ctx: RequestContext): DescribeAccountAttributesResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const all: Array<[string, string[]]> = [
        ['supported-platforms', ['VPC']],
        ['vpc-max-security-groups-per-interface', ['5']],
        ['max-elastic-ips', ['5']],
        ['max-instances', ['20']],
        ['vpc-max-elastic-ips', ['5']],
        ['default-vpc', [ec2.defaultVpc(ctx)?.vpcId ?? 'none']],
      ];
      const wanted = input.AttributeNames ?? [];
      for (const name of wanted) {
        if (!all.some(([n]) => n === name)) throw new AwsError('InvalidParameterValue', `Value (${name}) for parameter attributeName is invalid. Unknown attribute name.`);
      }
      const attributes: AccountAttribute[] = all
        .filter(([name]) => !wanted.length || (wanted as string[]).includes(name))
        .map(([AttributeName, values]) => ({ AttributeName, AttributeValues: values.map((AttributeValue) => ({ AttributeValue })) }));
      return { AccountAttributes: attributes };
    },
  } satisfies Partial<Ec2Operations>;
}
