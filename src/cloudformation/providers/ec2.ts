// AWS::EC2::* → EC2's own operations (CreateVpc, CreateSubnet, CreateSecurityGroup, Authorize…,
// CreateInternetGateway, CreateRouteTable, CreateRoute, AllocateAddress, CreateNatGateway,
// CreateVpcEndpoint …). Ref is the id EC2 returns.
import { deleteIgnoringMissing, isNotFound, mergedTags, type ProviderContext, type ResourceProvider, type Tag } from './provider.js';

type Props = Record<string, unknown>;
type Out = Record<string, unknown>;

function tagSpec(resourceType: string, props: Props, ctx: ProviderContext): Out {
  const tags = mergedTags(props, ctx);
  return tags.length ? { TagSpecifications: [{ ResourceType: resourceType, Tags: tags }] } : {};
}

/** Brings an EC2 resource's tags from `old` to `props` with CreateTags / DeleteTags. */
async function retag(ctx: ProviderContext, id: string, props: Props, old: Props): Promise<void> {
  const now = mergedTags(props, ctx);
  const before = mergedTags(old, ctx);
  const gone = before.filter((t) => !now.some((n) => n.Key === t.Key));
  if (gone.length) await ctx.call('ec2', 'DeleteTags', { Resources: [id], Tags: gone.map((t) => ({ Key: t.Key })) });
  if (now.length) await ctx.call('ec2', 'CreateTags', { Resources: [id], Tags: now });
}

const first = <T>(out: Out, list: string): T | undefined => (out[list] as T[] | undefined)?.[0];

async function vpcAttributes(ctx: ProviderContext, vpcId: string): Promise<Out> {
  const vpc = first<Out>(await ctx.call('ec2', 'DescribeVpcs', { VpcIds: [vpcId] }), 'Vpcs') ?? {};
  const sg = first<Out>(
    await ctx.call('ec2', 'DescribeSecurityGroups', {
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: ['default'] },
      ],
    }),
    'SecurityGroups',
  );
  const acl = first<Out>(
    await ctx.call('ec2', 'DescribeNetworkAcls', {
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'default', Values: ['true'] },
      ],
    }),
    'NetworkAcls',
  );
  const assocs = (vpc.CidrBlockAssociationSet as Out[] | undefined) ?? [];
  return {
    VpcId: vpcId,
    CidrBlock: vpc.CidrBlock,
    CidrBlockAssociations: assocs.map((a) => a.AssociationId),
    DefaultSecurityGroup: sg?.GroupId,
    DefaultNetworkAcl: acl?.NetworkAclId,
    Ipv6CidrBlocks: [],
  };
}

async function setVpcDns(ctx: ProviderContext, vpcId: string, props: Props, old: Props = {}): Promise<void> {
  for (const name of ['EnableDnsSupport', 'EnableDnsHostnames'] as const) {
    if (props[name] !== undefined && String(props[name]) !== String(old[name])) {
      await ctx.call('ec2', 'ModifyVpcAttribute', { VpcId: vpcId, [name]: { Value: props[name] } });
    }
  }
}

export const vpc: ResourceProvider = {
  type: 'AWS::EC2::VPC',
  attributes: ['CidrBlock', 'CidrBlockAssociations', 'DefaultNetworkAcl', 'DefaultSecurityGroup', 'Ipv6CidrBlocks', 'VpcId'],
  replaceOn: ['CidrBlock', 'InstanceTenancy', 'Ipv4IpamPoolId', 'Ipv4NetmaskLength'],
  async create(props, ctx) {
    const out = await ctx.call('ec2', 'CreateVpc', { CidrBlock: props.CidrBlock, InstanceTenancy: props.InstanceTenancy, ...tagSpec('vpc', props, ctx) });
    const vpcId = (out.Vpc as Out).VpcId as string;
    await setVpcDns(ctx, vpcId, props);
    return { physicalId: vpcId, attributes: await vpcAttributes(ctx, vpcId) };
  },
  async update(vpcId, props, old, ctx) {
    await setVpcDns(ctx, vpcId, props, old);
    await retag(ctx, vpcId, props, old);
    return { attributes: await vpcAttributes(ctx, vpcId) };
  },
  async delete(vpcId, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteVpc', { VpcId: vpcId }));
  },
};

async function subnetAttributes(ctx: ProviderContext, subnetId: string): Promise<Out> {
  const s = first<Out>(await ctx.call('ec2', 'DescribeSubnets', { SubnetIds: [subnetId] }), 'Subnets') ?? {};
  // NetworkAclAssociationId: the subnet's association with its network ACL (the VPC's default one
  // for a new subnet), as EC2 lists it; CDK's Subnet reads it for its `subnetNetworkAclAssociationId`.
  const acl = first<Out>(await ctx.call('ec2', 'DescribeNetworkAcls', { Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }), 'NetworkAcls');
  const association = ((acl?.Associations as Out[] | undefined) ?? []).find((a) => a.SubnetId === subnetId);
  return {
    SubnetId: subnetId,
    VpcId: s.VpcId,
    CidrBlock: s.CidrBlock,
    AvailabilityZone: s.AvailabilityZone,
    AvailabilityZoneId: s.AvailabilityZoneId,
    Ipv6CidrBlocks: [],
    NetworkAclAssociationId: association?.NetworkAclAssociationId,
  };
}

export const subnet: ResourceProvider = {
  type: 'AWS::EC2::Subnet',
  attributes: ['AvailabilityZone', 'AvailabilityZoneId', 'CidrBlock', 'Ipv6CidrBlocks', 'NetworkAclAssociationId', 'OutpostArn', 'SubnetId', 'VpcId'],
  replaceOn: ['VpcId', 'CidrBlock', 'AvailabilityZone', 'AvailabilityZoneId', 'Ipv6CidrBlock', 'OutpostArn'],
  async create(props, ctx) {
    const out = await ctx.call('ec2', 'CreateSubnet', {
      VpcId: props.VpcId,
      CidrBlock: props.CidrBlock,
      AvailabilityZone: props.AvailabilityZone,
      AvailabilityZoneId: props.AvailabilityZoneId,
      ...tagSpec('subnet', props, ctx),
    });
    const subnetId = (out.Subnet as Out).SubnetId as string;
    if (props.MapPublicIpOnLaunch !== undefined) await ctx.call('ec2', 'ModifySubnetAttribute', { SubnetId: subnetId, MapPublicIpOnLaunch: { Value: props.MapPublicIpOnLaunch } });
    return { physicalId: subnetId, attributes: await subnetAttributes(ctx, subnetId) };
  },
  async update(subnetId, props, old, ctx) {
    if (String(props.MapPublicIpOnLaunch ?? false) !== String(old.MapPublicIpOnLaunch ?? false)) {
      await ctx.call('ec2', 'ModifySubnetAttribute', { SubnetId: subnetId, MapPublicIpOnLaunch: { Value: props.MapPublicIpOnLaunch ?? false } });
    }
    await retag(ctx, subnetId, props, old);
    return { attributes: await subnetAttributes(ctx, subnetId) };
  },
  async delete(subnetId, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteSubnet', { SubnetId: subnetId }));
  },
};

/** A CloudFormation rule (SecurityGroupIngress/Egress item or resource) as an EC2 IpPermission. */
function permission(rule: Props, egress: boolean): Out {
  const desc = rule.Description;
  const peerGroup = egress ? rule.DestinationSecurityGroupId : (rule.SourceSecurityGroupId ?? rule.SourceSecurityGroupName);
  const prefixList = egress ? rule.DestinationPrefixListId : rule.SourcePrefixListId;
  const proto = String(rule.IpProtocol);
  return {
    IpProtocol: proto,
    FromPort: proto === '-1' ? undefined : rule.FromPort,
    ToPort: proto === '-1' ? undefined : rule.ToPort,
    IpRanges: rule.CidrIp ? [{ CidrIp: rule.CidrIp, Description: desc }] : undefined,
    Ipv6Ranges: rule.CidrIpv6 ? [{ CidrIpv6: rule.CidrIpv6, Description: desc }] : undefined,
    UserIdGroupPairs: peerGroup ? [{ GroupId: peerGroup, Description: desc }] : undefined,
    PrefixListIds: prefixList ? [{ PrefixListId: prefixList, Description: desc }] : undefined,
  };
}

async function setRules(ctx: ProviderContext, groupId: string, props: Props, old: Props | undefined): Promise<void> {
  const ingress = (props.SecurityGroupIngress as Props[] | undefined) ?? [];
  const egress = props.SecurityGroupEgress as Props[] | undefined;
  const oldIngress = (old?.SecurityGroupIngress as Props[] | undefined) ?? [];
  // CloudFormation: without SecurityGroupEgress the group keeps EC2's allow-all egress rule.
  const allowAll = [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }];
  const oldEgress = old ? ((old.SecurityGroupEgress as Props[] | undefined) ?? allowAll) : allowAll;
  const newEgress = egress ?? allowAll;
  if (JSON.stringify(oldIngress) !== JSON.stringify(ingress)) {
    if (oldIngress.length)
      await deleteIgnoringMissing(() => ctx.call('ec2', 'RevokeSecurityGroupIngress', { GroupId: groupId, IpPermissions: oldIngress.map((r) => permission(r, false)) }));
    if (ingress.length) await ctx.call('ec2', 'AuthorizeSecurityGroupIngress', { GroupId: groupId, IpPermissions: ingress.map((r) => permission(r, false)) });
  }
  if (JSON.stringify(oldEgress) !== JSON.stringify(newEgress)) {
    await ctx.call('ec2', 'RevokeSecurityGroupEgress', { GroupId: groupId, IpPermissions: oldEgress.map((r) => permission(r, true)) });
    if (newEgress.length) await ctx.call('ec2', 'AuthorizeSecurityGroupEgress', { GroupId: groupId, IpPermissions: newEgress.map((r) => permission(r, true)) });
  }
}

export const securityGroup: ResourceProvider = {
  type: 'AWS::EC2::SecurityGroup',
  attributes: ['GroupId', 'VpcId'],
  replaceOn: ['GroupDescription', 'GroupName', 'VpcId'],
  async create(props, ctx) {
    const out = await ctx.call('ec2', 'CreateSecurityGroup', {
      GroupName: props.GroupName ?? ctx.generatedName(255),
      Description: props.GroupDescription,
      VpcId: props.VpcId,
      ...tagSpec('security-group', props, ctx),
    });
    const groupId = out.GroupId as string;
    try {
      await setRules(ctx, groupId, props, undefined);
    } catch (e) {
      await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteSecurityGroup', { GroupId: groupId }));
      throw e;
    }
    return { physicalId: groupId, attributes: { GroupId: groupId, VpcId: props.VpcId } };
  },
  async update(groupId, props, old, ctx) {
    await setRules(ctx, groupId, props, old);
    await retag(ctx, groupId, props, old);
    return { attributes: { GroupId: groupId, VpcId: props.VpcId } };
  },
  async delete(groupId, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteSecurityGroup', { GroupId: groupId }));
  },
};

function ruleProvider(type: string, egress: boolean): ResourceProvider {
  const op = egress ? 'SecurityGroupEgress' : 'SecurityGroupIngress';
  return {
    type,
    attributes: ['Id'],
    replaceOn: ['*'],
    async create(props, ctx) {
      const out = await ctx.call('ec2', `Authorize${op}`, { GroupId: props.GroupId, IpPermissions: [permission(props, egress)] });
      const id = first<Out>(out, 'SecurityGroupRules')?.SecurityGroupRuleId as string;
      return { physicalId: id, attributes: { Id: id } };
    },
    async delete(id, props, ctx) {
      await deleteIgnoringMissing(() => ctx.call('ec2', `Revoke${op}`, { GroupId: props.GroupId, SecurityGroupRuleIds: [id] }));
    },
  };
}

export const securityGroupIngress = ruleProvider('AWS::EC2::SecurityGroupIngress', false);
export const securityGroupEgress = ruleProvider('AWS::EC2::SecurityGroupEgress', true);

export const internetGateway: ResourceProvider = {
  type: 'AWS::EC2::InternetGateway',
  attributes: ['InternetGatewayId'],
  replaceOn: [],
  async create(props, ctx) {
    const out = await ctx.call('ec2', 'CreateInternetGateway', tagSpec('internet-gateway', props, ctx));
    const id = (out.InternetGateway as Out).InternetGatewayId as string;
    return { physicalId: id, attributes: { InternetGatewayId: id } };
  },
  async update(id, props, old, ctx) {
    await retag(ctx, id, props, old);
    return {};
  },
  async delete(id, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteInternetGateway', { InternetGatewayId: id }));
  },
};

export const gatewayAttachment: ResourceProvider = {
  type: 'AWS::EC2::VPCGatewayAttachment',
  attributes: [],
  replaceOn: ['*'],
  async create(props, ctx) {
    if (props.VpnGatewayId) {
      await ctx.call('ec2', 'AttachVpnGateway', { VpcId: props.VpcId, VpnGatewayId: props.VpnGatewayId });
      return { physicalId: `VGW|${String(props.VpcId)}` };
    }
    await ctx.call('ec2', 'AttachInternetGateway', { VpcId: props.VpcId, InternetGatewayId: props.InternetGatewayId });
    return { physicalId: `IGW|${String(props.VpcId)}` };
  },
  async delete(_id, props, ctx) {
    if (props.VpnGatewayId) await deleteIgnoringMissing(() => ctx.call('ec2', 'DetachVpnGateway', { VpcId: props.VpcId, VpnGatewayId: props.VpnGatewayId }));
    else await deleteIgnoringMissing(() => ctx.call('ec2', 'DetachInternetGateway', { VpcId: props.VpcId, InternetGatewayId: props.InternetGatewayId }));
  },
};

export const routeTable: ResourceProvider = {
  type: 'AWS::EC2::RouteTable',
  attributes: ['RouteTableId'],
  replaceOn: ['VpcId'],
  async create(props, ctx) {
    const out = await ctx.call('ec2', 'CreateRouteTable', { VpcId: props.VpcId, ...tagSpec('route-table', props, ctx) });
    const id = (out.RouteTable as Out).RouteTableId as string;
    return { physicalId: id, attributes: { RouteTableId: id } };
  },
  async update(id, props, old, ctx) {
    await retag(ctx, id, props, old);
    return {};
  },
  async delete(id, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteRouteTable', { RouteTableId: id }));
  },
};

const ROUTE_TARGETS = [
  'GatewayId',
  'NatGatewayId',
  'VpcEndpointId',
  'TransitGatewayId',
  'NetworkInterfaceId',
  'VpcPeeringConnectionId',
  'InstanceId',
  'EgressOnlyInternetGatewayId',
  'CarrierGatewayId',
  'LocalGatewayId',
  'CoreNetworkArn',
];
const routeDestination = (props: Props): Out => ({
  DestinationCidrBlock: props.DestinationCidrBlock,
  DestinationIpv6CidrBlock: props.DestinationIpv6CidrBlock,
  DestinationPrefixListId: props.DestinationPrefixListId,
});

export const route: ResourceProvider = {
  type: 'AWS::EC2::Route',
  attributes: ['CidrBlock'],
  replaceOn: ['RouteTableId', 'DestinationCidrBlock', 'DestinationIpv6CidrBlock', 'DestinationPrefixListId'],
  async create(props, ctx) {
    const target = Object.fromEntries(ROUTE_TARGETS.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
    await ctx.call('ec2', 'CreateRoute', { RouteTableId: props.RouteTableId, ...routeDestination(props), ...target });
    const dest = String(props.DestinationCidrBlock ?? props.DestinationIpv6CidrBlock ?? props.DestinationPrefixListId);
    return { physicalId: `${String(props.RouteTableId)}|${dest}`, attributes: { CidrBlock: props.DestinationCidrBlock } };
  },
  async update(id, props, _old, ctx) {
    const target = Object.fromEntries(ROUTE_TARGETS.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
    await ctx.call('ec2', 'ReplaceRoute', { RouteTableId: props.RouteTableId, ...routeDestination(props), ...target });
    return { physicalId: id };
  },
  async delete(_id, props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteRoute', { RouteTableId: props.RouteTableId, ...routeDestination(props) }));
  },
};

export const subnetRouteTableAssociation: ResourceProvider = {
  type: 'AWS::EC2::SubnetRouteTableAssociation',
  attributes: ['Id'],
  replaceOn: ['SubnetId', 'RouteTableId'],
  async create(props, ctx) {
    try {
      const out = await ctx.call('ec2', 'AssociateRouteTable', { SubnetId: props.SubnetId, RouteTableId: props.RouteTableId });
      const id = out.AssociationId as string;
      return { physicalId: id, attributes: { Id: id } };
    } catch (e) {
      // A replacement (the association moves to another table) is made before the old one is
      // deleted, and a subnet has one association: as CloudFormation's handler does, the subnet's
      // association is moved with ReplaceRouteTableAssociation; the old id then no longer exists
      // and its cleanup delete is a no-op.
      if ((e as { code?: string }).code !== 'Resource.AlreadyAssociated') throw e;
      const tables = await ctx.call('ec2', 'DescribeRouteTables', { Filters: [{ Name: 'association.subnet-id', Values: [props.SubnetId] }] });
      const current = ((tables.RouteTables as Out[] | undefined) ?? []).flatMap((t) => (t.Associations as Out[] | undefined) ?? []).find((a) => a.SubnetId === props.SubnetId);
      if (!current) throw e;
      const out = await ctx.call('ec2', 'ReplaceRouteTableAssociation', { AssociationId: current.RouteTableAssociationId, RouteTableId: props.RouteTableId });
      const id = out.NewAssociationId as string;
      return { physicalId: id, attributes: { Id: id } };
    }
  },
  async delete(id, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DisassociateRouteTable', { AssociationId: id }));
  },
};

export const vpcEndpoint: ResourceProvider = {
  type: 'AWS::EC2::VPCEndpoint',
  attributes: ['CreationTimestamp', 'DnsEntries', 'Id', 'NetworkInterfaceIds'],
  replaceOn: ['ServiceName', 'VpcEndpointType', 'VpcId'],
  async create(props, ctx) {
    const out = await ctx.call('ec2', 'CreateVpcEndpoint', {
      VpcId: props.VpcId,
      ServiceName: props.ServiceName,
      VpcEndpointType: props.VpcEndpointType ?? 'Gateway',
      SubnetIds: props.SubnetIds,
      SecurityGroupIds: props.SecurityGroupIds,
      RouteTableIds: props.RouteTableIds,
      PrivateDnsEnabled: props.PrivateDnsEnabled,
      PolicyDocument: typeof props.PolicyDocument === 'object' ? JSON.stringify(props.PolicyDocument) : props.PolicyDocument,
      ...tagSpec('vpc-endpoint', props, ctx),
    });
    const ep = out.VpcEndpoint as Out;
    const id = ep.VpcEndpointId as string;
    const dns = ((ep.DnsEntries as Out[] | undefined) ?? []).map((d) => `${String(d.HostedZoneId)}:${String(d.DnsName)}`);
    const created = ep.CreationTimestamp instanceof Date ? ep.CreationTimestamp.toISOString() : ep.CreationTimestamp;
    return { physicalId: id, attributes: { Id: id, CreationTimestamp: created, DnsEntries: dns, NetworkInterfaceIds: ep.NetworkInterfaceIds ?? [] } };
  },
  async delete(id, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteVpcEndpoints', { VpcEndpointIds: [id] }));
  },
};

export const eip: ResourceProvider = {
  type: 'AWS::EC2::EIP',
  attributes: ['AllocationId', 'PublicIp'],
  replaceOn: ['Domain', 'InstanceId', 'NetworkBorderGroup', 'PublicIpv4Pool'],
  async create(props, ctx) {
    const out = await ctx.call('ec2', 'AllocateAddress', { Domain: props.Domain ?? 'vpc', ...tagSpec('elastic-ip', props, ctx) });
    return { physicalId: out.PublicIp as string, attributes: { AllocationId: out.AllocationId, PublicIp: out.PublicIp } };
  },
  async delete(publicIp, _props, ctx) {
    const addr = first<Out>(await ctx.call('ec2', 'DescribeAddresses', { PublicIps: [publicIp] }).catch(() => ({})), 'Addresses');
    if (addr) await deleteIgnoringMissing(() => ctx.call('ec2', 'ReleaseAddress', { AllocationId: addr.AllocationId }));
  },
};

export const natGateway: ResourceProvider = {
  type: 'AWS::EC2::NatGateway',
  attributes: ['NatGatewayId'],
  replaceOn: ['SubnetId', 'AllocationId', 'ConnectivityType', 'PrivateIpAddress'],
  async create(props, ctx) {
    const out = await ctx.call('ec2', 'CreateNatGateway', {
      SubnetId: props.SubnetId,
      AllocationId: props.AllocationId,
      ConnectivityType: props.ConnectivityType,
      PrivateIpAddress: props.PrivateIpAddress,
      ...tagSpec('natgateway', props, ctx),
    });
    const id = (out.NatGateway as Out).NatGatewayId as string;
    return { physicalId: id, attributes: { NatGatewayId: id } };
  },
  async stabilize(id, _props, ctx) {
    // CloudFormation waits for the gateway to be available (EC2 may report `pending` first).
    for (let i = 0; i < 6000; i++) {
      const state = first<Out>(await ctx.call('ec2', 'DescribeNatGateways', { NatGatewayIds: [id] }), 'NatGateways')?.State;
      if (state === 'available') break;
      if (state === 'failed') throw new Error(`NAT gateway ${id} failed to become available`);
      await ctx.sleep(100);
    }
    return undefined;
  },
  async update(id, props, old, ctx) {
    await retag(ctx, id, props, old);
    return {};
  },
  async delete(id, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ec2', 'DeleteNatGateway', { NatGatewayId: id }));
    // CloudFormation waits for `deleted`: until then the gateway holds its address, and the
    // address's release and the internet gateway's detach that follow would be refused.
    for (let i = 0; i < 6000; i++) {
      const out = await ctx.call('ec2', 'DescribeNatGateways', { NatGatewayIds: [id] }).catch((e) => {
        if (isNotFound(e)) return {};
        throw e;
      });
      const state = first<Out>(out, 'NatGateways')?.State;
      if (state === undefined || state === 'deleted') return;
      await ctx.sleep(100);
    }
  },
};

export type { Tag };
