// EC2 around a VPC as IaC builds it, through @aws-sdk/client-ec2: internet gateways, route tables and
// routes, network ACLs and entries, elastic IPs and NAT gateways, with their filters, tags and the
// errors AWS answers (DependencyViolation, duplicates, unknown ids).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import { waitFor } from '../support/ecs.js';
import { codeOf } from '../support/errors.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ec2: E.EC2Client;

before(async () => {
  server = await startTestServer();
  ec2 = new E.EC2Client(sdkConfig(server));
});
after(async () => {
  ec2.destroy();
  await server.destroy();
});

async function network(cidr: string): Promise<{ vpcId: string; subnetId: string }> {
  const { Vpc } = await ec2.send(new E.CreateVpcCommand({ CidrBlock: cidr }));
  const { Subnet } = await ec2.send(new E.CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: cidr.replace(/\.0\.0\/16$/, '.1.0/24'), AvailabilityZone: 'us-east-1a' }));
  return { vpcId: Vpc!.VpcId!, subnetId: Subnet!.SubnetId! };
}

const tagged = (ResourceType: E.ResourceType, Name: string) => [{ ResourceType, Tags: [{ Key: 'Name', Value: Name }] }];

test('internet gateways: tags on create, one per VPC, attached ones cannot be deleted, detach, filters', async () => {
  const { vpcId, subnetId } = await network('10.20.0.0/16');
  const { InternetGateway } = await ec2.send(new E.CreateInternetGatewayCommand({ TagSpecifications: tagged('internet-gateway', 'edge') }));
  const igw = InternetGateway!.InternetGatewayId!;
  assert.match(igw, /^igw-[0-9a-f]{17}$/);
  assert.deepEqual(InternetGateway!.Attachments, []);
  assert.equal(await codeOf(ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId, DryRun: true }))), 'DryRunOperation');
  await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));

  const found = await ec2.send(new E.DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }));
  assert.deepEqual(found.InternetGateways, [
    { InternetGatewayId: igw, OwnerId: '000000000000', Attachments: [{ State: 'available', VpcId: vpcId }], Tags: [{ Key: 'Name', Value: 'edge' }] },
  ]);
  const byTag = await ec2.send(new E.DescribeInternetGatewaysCommand({ Filters: [{ Name: 'tag:Name', Values: ['ed*'] }] }));
  assert.deepEqual(
    byTag.InternetGateways?.map((g) => g.InternetGatewayId),
    [igw],
  );
  const tags = await ec2.send(new E.DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['internet-gateway'] }] }));
  assert.deepEqual(tags.Tags, [{ ResourceId: igw, ResourceType: 'internet-gateway', Key: 'Name', Value: 'edge' }]);

  const second = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  assert.equal(await codeOf(ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: second, VpcId: vpcId }))), 'Resource.AlreadyAssociated');
  assert.equal(await codeOf(ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: igw }))), 'DependencyViolation');
  assert.equal(await codeOf(ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: second, VpcId: vpcId }))), 'Gateway.NotAttached');
  assert.equal(await codeOf(ec2.send(new E.DescribeInternetGatewaysCommand({ InternetGatewayIds: ['igw-0000000000000000f'] }))), 'InvalidInternetGatewayID.NotFound');
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnetId }));
  assert.equal(await codeOf(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }))), 'DependencyViolation', 'an attached gateway keeps the VPC');

  await ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  await ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
  await ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: second }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
  const none = await ec2.send(new E.DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [igw] }] }));
  assert.deepEqual(none.Tags, []);
});

test('route tables: routes to a gateway, the immutable local route, subnet associations, moving the main association', async () => {
  const { vpcId, subnetId } = await network('10.21.0.0/16');
  const igw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  const { RouteTable } = await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tagged('route-table', 'public') }));
  const rtb = RouteTable!.RouteTableId!;
  assert.deepEqual(RouteTable!.Routes, [{ DestinationCidrBlock: '10.21.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }]);
  assert.deepEqual(RouteTable!.Associations, []);

  const toIgw = { RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw };
  assert.equal(await codeOf(ec2.send(new E.CreateRouteCommand(toIgw))), 'InvalidParameterValue', 'a gateway of another network');
  await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  assert.equal((await ec2.send(new E.CreateRouteCommand(toIgw))).Return, true);
  assert.equal(await codeOf(ec2.send(new E.CreateRouteCommand(toIgw))), 'RouteAlreadyExists');
  assert.equal(
    await codeOf(ec2.send(new E.CreateRouteCommand({ ...toIgw, DestinationCidrBlock: '1.0.0.0/8', GatewayId: 'igw-0000000000000000f' }))),
    'InvalidInternetGatewayID.NotFound',
  );
  assert.equal(await codeOf(ec2.send(new E.CreateRouteCommand({ ...toIgw, DestinationCidrBlock: '1.0.0.0/8', GatewayId: 'vgw-0000000000000000f' }))), 'InvalidGatewayID.NotFound');
  assert.equal(
    await codeOf(ec2.send(new E.CreateRouteCommand({ ...toIgw, DestinationCidrBlock: '1.0.0.0/8', GatewayId: undefined, NatGatewayId: 'nat-0000000000000000f' }))),
    'InvalidNatGatewayID.NotFound',
  );
  assert.equal(await codeOf(ec2.send(new E.DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '10.21.0.0/16' }))), 'InvalidParameterValue', 'local route');
  assert.equal(await codeOf(ec2.send(new E.ReplaceRouteCommand({ ...toIgw, DestinationCidrBlock: '9.0.0.0/8' }))), 'InvalidRoute.NotFound');
  assert.equal(await codeOf(ec2.send(new E.DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '9.0.0.0/8' }))), 'InvalidRoute.NotFound');

  const { AssociationId } = await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: subnetId }));
  assert.match(AssociationId!, /^rtbassoc-/);
  const other = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  assert.equal(await codeOf(ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: other, SubnetId: subnetId }))), 'Resource.AlreadyAssociated');

  // Terraform's lookups: a subnet's explicit table, then the VPC's main one.
  const bySubnet = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
  assert.deepEqual(
    bySubnet.RouteTables?.map((t) => t.RouteTableId),
    [rtb],
  );
  const [table] = bySubnet.RouteTables!;
  assert.deepEqual(table!.Associations, [
    { Main: false, RouteTableAssociationId: AssociationId, RouteTableId: rtb, SubnetId: subnetId, AssociationState: { State: 'associated' } },
  ]);
  assert.deepEqual(table!.Routes![1], { DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw, Origin: 'CreateRoute', State: 'active' });
  assert.deepEqual(table!.Tags, [{ Key: 'Name', Value: 'public' }]);
  const byAssoc = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'association.route-table-association-id', Values: [AssociationId!] }] }));
  assert.deepEqual(
    byAssoc.RouteTables?.map((t) => t.RouteTableId),
    [rtb],
  );
  const main = (
    await ec2.send(
      new E.DescribeRouteTablesCommand({
        Filters: [
          { Name: 'association.main', Values: ['true'] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    )
  ).RouteTables![0]!;

  assert.equal(await codeOf(ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: rtb }))), 'DependencyViolation', 'associated');
  assert.equal(await codeOf(ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: main.RouteTableId! }))), 'DependencyViolation', 'main');
  assert.equal(await codeOf(ec2.send(new E.DisassociateRouteTableCommand({ AssociationId: main.Associations![0]!.RouteTableAssociationId! }))), 'InvalidParameterValue');

  // A subnet moves to another table; the main association moves too.
  const moved = await ec2.send(new E.ReplaceRouteTableAssociationCommand({ AssociationId, RouteTableId: other }));
  const newMain = await ec2.send(new E.ReplaceRouteTableAssociationCommand({ AssociationId: main.Associations![0]!.RouteTableAssociationId!, RouteTableId: rtb }));
  const mains = await ec2.send(
    new E.DescribeRouteTablesCommand({
      Filters: [
        { Name: 'association.main', Values: ['true'] },
        { Name: 'vpc-id', Values: [vpcId] },
      ],
    }),
  );
  assert.deepEqual(
    mains.RouteTables?.map((t) => [t.RouteTableId, t.Associations![0]!.RouteTableAssociationId]),
    [[rtb, newMain.NewAssociationId]],
  );
  await ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: main.RouteTableId! }));
  await ec2.send(new E.DisassociateRouteTableCommand({ AssociationId: moved.NewAssociationId! }));
  assert.equal(await codeOf(ec2.send(new E.DisassociateRouteTableCommand({ AssociationId: moved.NewAssociationId! }))), 'InvalidAssociationID.NotFound');

  // A route whose gateway left the VPC is a blackhole.
  await ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const after = (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables![0]!;
  assert.equal(after.Routes![1]!.State, 'blackhole');
  const blackholes = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'route.state', Values: ['blackhole'] }] }));
  assert.deepEqual(
    blackholes.RouteTables?.map((t) => t.RouteTableId),
    [rtb],
  );
  await ec2.send(new E.DeleteRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0' }));

  assert.equal(await codeOf(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }))), 'DependencyViolation');
  await ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: other }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnetId }));
  await ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
  const left = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  assert.deepEqual(left.RouteTables, [], 'the main table goes with the VPC');
});

test('network ACLs: the deny-all start, numbered entries, duplicates, moving a subnet, deleting only unused custom ACLs', async () => {
  const { vpcId, subnetId } = await network('10.22.0.0/16');
  const { NetworkAcl } = await ec2.send(new E.CreateNetworkAclCommand({ VpcId: vpcId, TagSpecifications: tagged('network-acl', 'private') }));
  const acl = NetworkAcl!.NetworkAclId!;
  assert.equal(NetworkAcl!.IsDefault, false);
  assert.deepEqual(NetworkAcl!.Entries, [
    { RuleNumber: 32767, Egress: true, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
    { RuleNumber: 32767, Egress: false, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
  ]);
  const https = { NetworkAclId: acl, RuleNumber: 100, Protocol: 'tcp', RuleAction: 'allow' as const, Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 443, To: 443 } };
  await ec2.send(new E.CreateNetworkAclEntryCommand(https));
  assert.equal(await codeOf(ec2.send(new E.CreateNetworkAclEntryCommand(https))), 'NetworkAclEntryAlreadyExists');
  await ec2.send(new E.CreateNetworkAclEntryCommand({ ...https, Egress: true, Protocol: '-1', PortRange: undefined }));
  assert.equal(await codeOf(ec2.send(new E.CreateNetworkAclEntryCommand({ ...https, RuleNumber: 110, PortRange: undefined }))), 'MissingParameter');
  assert.equal(await codeOf(ec2.send(new E.CreateNetworkAclEntryCommand({ ...https, RuleNumber: 32767 }))), 'InvalidParameterValue');
  await ec2.send(new E.ReplaceNetworkAclEntryCommand({ ...https, PortRange: { From: 80, To: 443 } }));
  assert.equal(await codeOf(ec2.send(new E.ReplaceNetworkAclEntryCommand({ ...https, RuleNumber: 200 }))), 'InvalidNetworkAclEntry.NotFound');
  const byRule = await ec2.send(
    new E.DescribeNetworkAclsCommand({
      Filters: [
        { Name: 'entry.rule-number', Values: ['100'] },
        { Name: 'vpc-id', Values: [vpcId] },
      ],
    }),
  );
  assert.equal(byRule.NetworkAcls?.length, 2, "the default ACL's rule 100 and this one's");
  const entries = byRule.NetworkAcls!.find((a) => a.NetworkAclId === acl)!.Entries!;
  assert.deepEqual(
    entries.find((e) => !e.Egress && e.RuleNumber === 100),
    { RuleNumber: 100, Egress: false, Protocol: '6', RuleAction: 'allow', CidrBlock: '0.0.0.0/0', PortRange: { From: 80, To: 443 } },
  );
  await ec2.send(new E.DeleteNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 100, Egress: true }));
  assert.equal(await codeOf(ec2.send(new E.DeleteNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 100, Egress: true }))), 'InvalidNetworkAclEntry.NotFound');

  // Terraform moves a subnet by finding its current association, then replacing it.
  const current = await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
  const defaultAcl = current.NetworkAcls![0]!;
  assert.equal(defaultAcl.IsDefault, true);
  const association = defaultAcl.Associations!.find((a) => a.SubnetId === subnetId)!.NetworkAclAssociationId!;
  const { NewAssociationId } = await ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: association, NetworkAclId: acl }));
  const now = await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
  assert.deepEqual(
    now.NetworkAcls?.map((a) => [a.NetworkAclId, a.Associations]),
    [[acl, [{ NetworkAclAssociationId: NewAssociationId, NetworkAclId: acl, SubnetId: subnetId }]]],
  );
  const defaultNow = await ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [defaultAcl.NetworkAclId!] }));
  assert.deepEqual(defaultNow.NetworkAcls![0]!.Associations, []);

  assert.equal(await codeOf(ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: acl }))), 'DependencyViolation');
  assert.equal(await codeOf(ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: defaultAcl.NetworkAclId! }))), 'InvalidParameterValue');
  assert.equal(
    await codeOf(ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: 'aclassoc-0000000000000000f', NetworkAclId: acl }))),
    'InvalidAssociationID.NotFound',
  );
  await ec2.send(new E.ReplaceNetworkAclAssociationCommand({ AssociationId: NewAssociationId, NetworkAclId: defaultAcl.NetworkAclId! }));
  assert.equal(await codeOf(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }))), 'DependencyViolation', 'subnet and custom ACL');
  await ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: acl }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnetId }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
  assert.equal(await codeOf(ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [defaultAcl.NetworkAclId!] }))), 'InvalidNetworkAclID.NotFound');
});

async function natState(id: string): Promise<E.NatGateway> {
  return (await ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).NatGateways![0]!;
}

test('elastic IPs and NAT gateways: pending → available, the address on the gateway ENI, deleting → deleted releases it', async () => {
  const { vpcId, subnetId } = await network('10.23.0.0/16');
  const { AllocationId, PublicIp, Domain } = await ec2.send(new E.AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: tagged('elastic-ip', 'nat') }));
  assert.match(AllocationId!, /^eipalloc-[0-9a-f]{17}$/);
  assert.match(PublicIp!, /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
  assert.equal(Domain, 'vpc');
  const byIp = await ec2.send(new E.DescribeAddressesCommand({ PublicIps: [PublicIp!] }));
  assert.deepEqual(
    byIp.Addresses?.map((a) => [a.AllocationId, a.Tags]),
    [[AllocationId, [{ Key: 'Name', Value: 'nat' }]]],
  );
  assert.equal(await codeOf(ec2.send(new E.DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000000f'] }))), 'InvalidAllocationID.NotFound');

  // A public NAT gateway in a VPC without an internet gateway fails, as AWS's does.
  const failing = (await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId }))).NatGateway!.NatGatewayId!;
  const failed = await waitFor('the NAT gateway to fail', async () => ((await natState(failing)).State === 'failed' ? natState(failing) : undefined));
  assert.equal(failed.FailureCode, 'Gateway.NotAttached');
  await ec2.send(new E.DeleteNatGatewayCommand({ NatGatewayId: failing }));

  const igw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const { NatGateway } = await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId, TagSpecifications: tagged('natgateway', 'egress') }));
  const nat = NatGateway!.NatGatewayId!;
  assert.equal(NatGateway!.State, 'pending');
  assert.equal(NatGateway!.ConnectivityType, 'public');
  const available = await waitFor('the NAT gateway to be available', async () => ((await natState(nat)).State === 'available' ? natState(nat) : undefined));
  const [address] = available.NatGatewayAddresses!;
  assert.equal(address!.PublicIp, PublicIp);
  assert.equal(address!.Status, 'succeeded');
  assert.equal(address!.IsPrimary, true);
  assert.match(address!.PrivateIp!, /^10\.23\.1\.\d+$/);

  for (const Filter of [
    [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'state', Values: ['available'] },
    ],
    [
      { Name: 'subnet-id', Values: [subnetId] },
      { Name: 'tag:Name', Values: ['egress'] },
    ],
    [{ Name: 'nat-gateway-id', Values: [nat] }],
  ]) {
    const { NatGateways } = await ec2.send(new E.DescribeNatGatewaysCommand({ Filter }));
    assert.deepEqual(
      NatGateways?.map((n) => n.NatGatewayId),
      [nat],
      JSON.stringify(Filter),
    );
  }
  const eip = (await ec2.send(new E.DescribeAddressesCommand({ Filters: [{ Name: 'allocation-id', Values: [AllocationId!] }] }))).Addresses![0]!;
  assert.equal(eip.NetworkInterfaceId, address!.NetworkInterfaceId);
  assert.equal(eip.PrivateIpAddress, address!.PrivateIp);
  assert.equal(eip.AssociationId, address!.AssociationId);
  const eni = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [address!.NetworkInterfaceId!] }))).NetworkInterfaces![0]!;
  assert.equal(eni.InterfaceType, 'natGateway');
  assert.equal(eni.RequesterManaged, true);
  assert.equal(eni.Description, `Interface for NAT Gateway ${nat}`);
  assert.equal(eni.Association?.PublicIp, PublicIp);

  // A route to it; what it keeps from being deleted.
  const main = (
    await ec2.send(
      new E.DescribeRouteTablesCommand({
        Filters: [
          { Name: 'association.main', Values: ['true'] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    )
  ).RouteTables![0]!;
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: main.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
  const viaNat = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'route.nat-gateway-id', Values: [nat] }] }));
  assert.deepEqual(
    viaNat.RouteTables?.map((t) => t.RouteTableId),
    [main.RouteTableId],
  );
  assert.equal(await codeOf(ec2.send(new E.ReleaseAddressCommand({ AllocationId }))), 'InvalidIPAddress.InUse');
  assert.equal(await codeOf(ec2.send(new E.DisassociateAddressCommand({ AssociationId: eip.AssociationId! }))), 'OperationNotPermitted');
  assert.equal(await codeOf(ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnetId }))), 'DependencyViolation');
  assert.equal(await codeOf(ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }))), 'DependencyViolation', 'mapped public address');
  assert.equal(await codeOf(ec2.send(new E.CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId }))), 'Resource.AlreadyAssociated');

  const deleting = await ec2.send(new E.DeleteNatGatewayCommand({ NatGatewayId: nat }));
  assert.equal(deleting.NatGatewayId, nat);
  const deleted = await waitFor('the NAT gateway to be deleted', async () => ((await natState(nat)).State === 'deleted' ? natState(nat) : undefined));
  assert.ok(deleted.DeleteTime instanceof Date);
  assert.equal(await codeOf(ec2.send(new E.DeleteNatGatewayCommand({ NatGatewayId: nat }))), 'NatGatewayNotFound');
  assert.equal(await codeOf(ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: ['nat-0000000000000000f'] }))), 'NatGatewayNotFound');
  const released = (await ec2.send(new E.DescribeAddressesCommand({ AllocationIds: [AllocationId!] }))).Addresses![0]!;
  assert.equal(released.AssociationId, undefined);
  const routeNow = (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [main.RouteTableId!] }))).RouteTables![0]!.Routes!.find((r) => r.NatGatewayId === nat);
  assert.equal(routeNow?.State, 'blackhole');
  await ec2.send(new E.DeleteRouteCommand({ RouteTableId: main.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0' }));

  // An address on a user's ENI: associate, disassociate, release.
  const { NetworkInterface } = await ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnetId, Description: 'mine' }));
  const eniId = NetworkInterface!.NetworkInterfaceId!;
  assert.equal(NetworkInterface!.Status, 'available');
  const { AssociationId: assoc } = await ec2.send(new E.AssociateAddressCommand({ AllocationId, NetworkInterfaceId: eniId }));
  assert.equal(await codeOf(ec2.send(new E.AssociateAddressCommand({ AllocationId, NetworkInterfaceId: eniId }))), 'Resource.AlreadyAssociated');
  const onEni = await ec2.send(new E.DescribeAddressesCommand({ Filters: [{ Name: 'network-interface-id', Values: [eniId] }] }));
  assert.deepEqual(
    onEni.Addresses?.map((a) => a.AssociationId),
    [assoc],
  );
  await ec2.send(new E.DisassociateAddressCommand({ AssociationId: assoc }));
  await ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId }));
  await ec2.send(new E.ReleaseAddressCommand({ AllocationId }));
  assert.equal(await codeOf(ec2.send(new E.ReleaseAddressCommand({ AllocationId }))), 'InvalidAllocationID.NotFound');

  await ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  await ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnetId }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
});

test('elastic IPs: the account limit, and unknown addresses', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await ec2.send(new E.AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!);
  assert.equal(await codeOf(ec2.send(new E.AllocateAddressCommand({ Domain: 'vpc' }))), 'AddressLimitExceeded');
  const ips = (await ec2.send(new E.DescribeAddressesCommand({ AllocationIds: ids }))).Addresses!.map((a) => a.PublicIp);
  assert.equal(new Set(ips).size, 5, 'no address twice');
  for (const AllocationId of ids) await ec2.send(new E.ReleaseAddressCommand({ AllocationId }));
  assert.equal(await codeOf(ec2.send(new E.DescribeAddressesCommand({ PublicIps: ['198.51.100.255'] }))), 'InvalidAddress.NotFound');
  assert.equal(await codeOf(ec2.send(new E.AllocateAddressCommand({ Domain: 'standard' }))), 'InvalidParameterValue');
});
