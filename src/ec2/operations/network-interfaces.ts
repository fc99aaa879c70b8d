// Network interfaces: DescribeNetworkInterfaces shows every ENI (awsvpc tasks', NAT gateways', interface
// endpoints' and users'); CreateNetworkInterface/DeleteNetworkInterface manage a user's own. An ENI that
// AWS manages for a service is in use and cannot be deleted by the user (docs/aws-behavior.md §8.7).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { allocateEniTx, privateDnsName, releaseEniTx } from '../enis.js';
import { scopePrefix } from '../../store/store.js';
import { tagList, type FilterFields } from '../filters.js';
import { networkInterfaceKey } from '../records.js';
import { ec2Scope, type Ec2Store, type NetworkInterfaceRecord } from '../store.js';
import { describePage, dryRun, tagsFromSpecifications } from './common.js';

export function networkInterfaceOperations(ec2: Ec2Store) {
  const groupName = (e: NetworkInterfaceRecord, id: string) => ec2.group(ec2Scope(e), id)?.groupName;
  const addressOf = (e: NetworkInterfaceRecord) => ec2.addresses.withPrefix(scopePrefix(ec2Scope(e))).find((a) => a.networkInterfaceId === e.networkInterfaceId);

  const wire = (e: NetworkInterfaceRecord): Ec2.NetworkInterface => {
    const dns = privateDnsName(e.region, e.privateIpAddress);
    const address = addressOf(e);
    const association = address
      ? { PublicIp: address.publicIp, AllocationId: address.allocationId, AssociationId: address.associationId, IpOwnerId: address.accountId, PublicDnsName: '' }
      : undefined;
    return {
      NetworkInterfaceId: e.networkInterfaceId,
      SubnetId: e.subnetId,
      VpcId: e.vpcId,
      AvailabilityZone: e.availabilityZone,
      Description: e.description,
      Groups: e.groupIds.map((GroupId) => ({ GroupId, GroupName: groupName(e, GroupId) })),
      InterfaceType: e.interfaceType ?? 'interface',
      Ipv6Addresses: [],
      MacAddress: e.macAddress,
      OwnerId: e.ownerId,
      PrivateDnsName: dns,
      PrivateIpAddress: e.privateIpAddress,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.privateIpAddress, PrivateDnsName: dns, Association: association }],
      Association: association,
      Attachment: e.attachment
        ? {
            AttachmentId: e.attachment.attachmentId,
            AttachTime: new Date(e.attachment.attachTime),
            DeleteOnTermination: false,
            DeviceIndex: e.attachment.deviceIndex,
            NetworkCardIndex: 0,
            InstanceOwnerId: e.attachment.instanceOwnerId,
            Status: 'attached',
          }
        : undefined,
      RequesterManaged: e.requesterManaged ?? false,
      SourceDestCheck: true,
      Status: e.status,
      TagSet: tagList(e.tags),
    };
  };

  const FILTERS: FilterFields<NetworkInterfaceRecord> = {
    'network-interface-id': (e) => [e.networkInterfaceId],
    'subnet-id': (e) => [e.subnetId],
    'vpc-id': (e) => [e.vpcId],
    'group-id': (e) => e.groupIds,
    'group-name': (e) => e.groupIds.map((id) => groupName(e, id)),
    'availability-zone': (e) => [e.availabilityZone],
    description: (e) => [e.description],
    status: (e) => [e.status],
    'private-ip-address': (e) => [e.privateIpAddress],
    'private-dns-name': (e) => [privateDnsName(e.region, e.privateIpAddress)],
    'addresses.private-ip-address': (e) => [e.privateIpAddress],
    'addresses.primary': () => [true],
    'addresses.association.public-ip': (e) => [addressOf(e)?.publicIp],
    'association.public-ip': (e) => [addressOf(e)?.publicIp],
    'association.allocation-id': (e) => [addressOf(e)?.allocationId],
    'association.association-id': (e) => [addressOf(e)?.associationId],
    'attachment.attachment-id': (e) => [e.attachment?.attachmentId],
    'attachment.device-index': (e) => [e.attachment?.deviceIndex],
    'attachment.instance-owner-id': (e) => [e.attachment?.instanceOwnerId],
    'attachment.status': (e) => [e.attachment ? 'attached' : undefined],
    'attachment.delete-on-termination': (e) => [e.attachment ? false : undefined],
    'mac-address': (e) => [e.macAddress],
    'owner-id': (e) => [e.ownerId],
    'interface-type': (e) => [e.interfaceType ?? 'interface'],
    'requester-managed': (e) => [e.requesterManaged ?? false],
    'source-dest-check': () => [true],
  };

  const key = (ctx: RequestContext, id: string) => networkInterfaceKey(ctx, id);

  return {
    DescribeNetworkInterfaces(input: Ec2.DescribeNetworkInterfacesRequest, ctx: RequestContext): Ec2.DescribeNetworkInterfacesResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const p = describePage(input, {
        ids: input.NetworkInterfaceIds,
        get: (id) => ec2.enis.get(key(ctx, id)),
        notFound: 'InvalidNetworkInterfaceID.NotFound',
        noun: 'network interface',
        all: () => ec2.enis.withPrefix(scopePrefix(ctx)),
        filters: FILTERS,
        keyOf: (e) => e.networkInterfaceId,
      });
      return { NetworkInterfaces: p.items.map(wire), NextToken: p.nextToken };
    },

    CreateNetworkInterface(input: Ec2.CreateNetworkInterfaceRequest, ctx: RequestContext): Ec2.CreateNetworkInterfaceResult {
      ec2.ensureRegion(ctx);
      if (input.InterfaceType !== undefined) {
        throw new AwsError('InvalidParameterValue', `Value (${input.InterfaceType}) for parameter interfaceType is invalid. Wayfinder creates standard interfaces only.`);
      }
      if (input.SecondaryPrivateIpAddressCount || input.PrivateIpAddresses?.length || input.Ipv6AddressCount || input.Ipv6Addresses?.length) {
        throw new AwsError('InvalidParameterValue', 'Wayfinder network interfaces have one private IPv4 address.');
      }
      const subnet = ec2.subnet(ctx, input.SubnetId);
      if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${input.SubnetId}' does not exist`);
      let groupIds = [...new Set(input.Groups ?? [])];
      for (const id of groupIds) {
        const g = ec2.group(ctx, id);
        if (!g || g.vpcId !== subnet.vpcId) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${subnet.vpcId}'`);
      }
      if (!groupIds.length) {
        const fallback = ec2.groups.withPrefix(scopePrefix(ctx)).find((g) => g.vpcId === subnet.vpcId && g.groupName === 'default');
        groupIds = fallback ? [fallback.groupId] : [];
      }
      const tags = tagsFromSpecifications(input.TagSpecifications, 'network-interface');
      dryRun(input);
      const eni = ec2.store.withTx(() => {
        const created = allocateEniTx(ec2, {
          region: ctx.region,
          accountId: ctx.accountId,
          subnetId: subnet.subnetId,
          groupIds,
          description: input.Description ?? '',
          privateIpAddress: input.PrivateIpAddress,
          attached: false,
        });
        const tagged = { ...created, tags };
        ec2.enis.putTx(key(ctx, created.networkInterfaceId), tagged);
        return tagged;
      });
      return { NetworkInterface: wire(eni), ClientToken: input.ClientToken };
    },

    DeleteNetworkInterface(input: Ec2.DeleteNetworkInterfaceRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const eni = ec2.enis.get(key(ctx, input.NetworkInterfaceId));
      if (!eni) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`);
      if (eni.status === 'in-use') throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${eni.networkInterfaceId}] in use.`);
      dryRun(input);
      ec2.store.withTx(() => releaseEniTx(ec2, ctx, eni.networkInterfaceId));
    },
  } satisfies Partial<Ec2.Ec2Operations>;
}
