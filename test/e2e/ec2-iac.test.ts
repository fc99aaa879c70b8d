// EC2 as Terraform's aws_vpc / aws_subnet / aws_security_group use it, through @aws-sdk/client-ec2.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
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

async function attribute(VpcId: string, Attribute: E.VpcAttributeName): Promise<boolean | undefined> {
  const out = await ec2.send(new E.DescribeVpcAttributeCommand({ VpcId, Attribute }));
  assert.equal(out.VpcId, VpcId);
  const key = (Attribute[0]!.toUpperCase() + Attribute.slice(1)) as 'EnableDnsSupport' | 'EnableDnsHostnames' | 'EnableNetworkAddressUsageMetrics';
  return out[key]?.Value;
}

test("VPC attributes: AWS's defaults, ModifyVpcAttribute stores one at a time, DescribeVpcAttribute answers it", async () => {
  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const defaultVpc = Vpcs![0]!.VpcId!;
  assert.equal(await attribute(defaultVpc, 'enableDnsSupport'), true);
  assert.equal(await attribute(defaultVpc, 'enableDnsHostnames'), true);

  const { Vpc } = await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
  const vpcId = Vpc!.VpcId!;
  assert.equal(await attribute(vpcId, 'enableDnsSupport'), true);
  assert.equal(await attribute(vpcId, 'enableDnsHostnames'), false);
  assert.equal(await attribute(vpcId, 'enableNetworkAddressUsageMetrics'), false);

  await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: vpcId, EnableNetworkAddressUsageMetrics: { Value: true } }));
  await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: false } }));
  assert.equal(await attribute(vpcId, 'enableDnsHostnames'), true);
  assert.equal(await attribute(vpcId, 'enableNetworkAddressUsageMetrics'), true);
  assert.equal(await attribute(vpcId, 'enableDnsSupport'), false);

  const both = { VpcId: vpcId, EnableDnsHostnames: { Value: false }, EnableDnsSupport: { Value: true } };
  assert.equal(await codeOf(ec2.send(new E.ModifyVpcAttributeCommand(both))), 'InvalidParameterCombination');
  const missing = 'vpc-0000000000000000f';
  assert.equal(await codeOf(ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: missing, EnableDnsHostnames: { Value: true } }))), 'InvalidVpcID.NotFound');
  assert.equal(await codeOf(ec2.send(new E.DescribeVpcAttributeCommand({ VpcId: missing, Attribute: 'enableDnsSupport' }))), 'InvalidVpcID.NotFound');
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
});

test('every VPC has a default network ACL and a main route table, found as Terraform looks for them, deleted with the VPC', async () => {
  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const defaultVpc = Vpcs![0]!;
  const defaultAcl = await ec2.send(
    new E.DescribeNetworkAclsCommand({
      Filters: [
        { Name: 'default', Values: ['true'] },
        { Name: 'vpc-id', Values: [defaultVpc.VpcId!] },
      ],
    }),
  );
  assert.equal(defaultAcl.NetworkAcls?.length, 1);
  const { Subnets: defaultSubnets } = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [defaultVpc.VpcId!] }] }));
  assert.deepEqual(defaultAcl.NetworkAcls[0]!.Associations!.map((a) => a.SubnetId).sort(), defaultSubnets!.map((s) => s.SubnetId).sort());
  const defaultMain = await ec2.send(
    new E.DescribeRouteTablesCommand({
      Filters: [
        { Name: 'association.main', Values: ['true'] },
        { Name: 'vpc-id', Values: [defaultVpc.VpcId!] },
      ],
    }),
  );
  assert.deepEqual(
    defaultMain.RouteTables?.map((t) => t.Routes),
    [[{ DestinationCidrBlock: '172.31.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }]],
  );

  const { Vpc } = await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }));
  const vpcId = Vpc!.VpcId!;
  const { NetworkAcls } = await ec2.send(
    new E.DescribeNetworkAclsCommand({
      Filters: [
        { Name: 'default', Values: ['true'] },
        { Name: 'vpc-id', Values: [vpcId] },
      ],
    }),
  );
  assert.equal(NetworkAcls?.length, 1);
  const acl = NetworkAcls[0]!;
  assert.match(acl.NetworkAclId!, /^acl-[0-9a-f]{17}$/);
  assert.equal(acl.IsDefault, true);
  assert.deepEqual(acl.Associations, []);
  const entries = acl.Entries!.map((e) => [e.Egress, e.RuleNumber, e.RuleAction, e.Protocol, e.CidrBlock]).sort();
  assert.deepEqual(entries, [
    [false, 100, 'allow', '-1', '0.0.0.0/0'],
    [false, 32767, 'deny', '-1', '0.0.0.0/0'],
    [true, 100, 'allow', '-1', '0.0.0.0/0'],
    [true, 32767, 'deny', '-1', '0.0.0.0/0'],
  ]);

  const { Subnet } = await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.7.1.0/24' }));
  const byId = await ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [acl.NetworkAclId!] }));
  const association = byId.NetworkAcls![0]!.Associations!;
  assert.equal(association.length, 1);
  assert.equal(association[0]!.SubnetId, Subnet!.SubnetId);
  assert.match(association[0]!.NetworkAclAssociationId!, /^aclassoc-[0-9a-f]{17}$/);
  const bySubnet = await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [Subnet!.SubnetId!] }] }));
  assert.deepEqual(
    bySubnet.NetworkAcls?.map((a) => a.NetworkAclId),
    [acl.NetworkAclId],
  );

  const { RouteTables } = await ec2.send(
    new E.DescribeRouteTablesCommand({
      Filters: [
        { Name: 'association.main', Values: ['true'] },
        { Name: 'vpc-id', Values: [vpcId] },
      ],
    }),
  );
  assert.equal(RouteTables?.length, 1);
  const rtb = RouteTables[0]!;
  assert.match(rtb.RouteTableId!, /^rtb-[0-9a-f]{17}$/);
  assert.equal(rtb.VpcId, vpcId);
  assert.equal(rtb.Associations?.length, 1);
  assert.equal(rtb.Associations[0]!.Main, true);
  assert.equal(rtb.Associations[0]!.RouteTableId, rtb.RouteTableId);
  assert.match(rtb.Associations[0]!.RouteTableAssociationId!, /^rtbassoc-[0-9a-f]{17}$/);
  assert.deepEqual(rtb.Routes, [{ DestinationCidrBlock: '10.7.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }]);

  // Tags, and the ids Terraform reads back by.
  await ec2.send(new E.CreateTagsCommand({ Resources: [rtb.RouteTableId!, acl.NetworkAclId!], Tags: [{ Key: 'Name', Value: 'iac' }] }));
  const tagged = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:Name', Values: ['iac'] }] }));
  assert.deepEqual(
    tagged.RouteTables?.map((t) => t.RouteTableId),
    [rtb.RouteTableId],
  );
  const byRtbId = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: [rtb.RouteTableId!] }] }));
  assert.deepEqual(byRtbId.RouteTables?.[0]?.Tags, [{ Key: 'Name', Value: 'iac' }]);
  const byAclId = await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: 'network-acl-id', Values: [acl.NetworkAclId!] }] }));
  assert.deepEqual(byAclId.NetworkAcls?.[0]?.Tags, [{ Key: 'Name', Value: 'iac' }]);
  assert.equal(await codeOf(ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0000000000000000f'] }))), 'InvalidRouteTableID.NotFound');
  assert.equal(await codeOf(ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: ['acl-0000000000000000f'] }))), 'InvalidNetworkAclID.NotFound');

  // DeleteVpc: still a DependencyViolation while a subnet is there; then the ACL and route table go with it.
  assert.equal(await codeOf(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }))), 'DependencyViolation');
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId! }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
  const left = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  assert.deepEqual(left.RouteTables, []);
  const leftAcls = await ec2.send(new E.DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  assert.deepEqual(leftAcls.NetworkAcls, []);
  assert.equal(await codeOf(ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [rtb.RouteTableId!] }))), 'InvalidRouteTableID.NotFound');
});

test('DescribeNetworkInterfaces answers with the filters Terraform sends before deleting a subnet or a security group', async () => {
  const { Vpc } = await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }));
  const vpcId = Vpc!.VpcId!;
  const { Subnet } = await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.8.1.0/24' }));
  const { GroupId } = await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'iac', Description: 'iac', VpcId: vpcId }));
  for (const Filters of [
    [{ Name: 'subnet-id', Values: [Subnet!.SubnetId!] }],
    [{ Name: 'group-id', Values: [GroupId!] }],
    [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'description', Values: ['AWS Lambda VPC ENI*'] },
    ],
  ]) {
    const { NetworkInterfaces } = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters }));
    assert.deepEqual(NetworkInterfaces, []);
  }
  assert.equal(await codeOf(ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000000f'] }))), 'InvalidNetworkInterfaceID.NotFound');
  assert.equal(await codeOf(ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] }))), 'InvalidParameterValue');
  await ec2.send(new E.DeleteSecurityGroupCommand({ GroupId }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId! }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
});

test('ModifySubnetAttribute: MapPublicIpOnLaunch and the DNS name options are stored and DescribeSubnets answers them', async () => {
  const { Vpc } = await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.6.0.0/16' }));
  const { Subnet } = await ec2.send(new E.CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: '10.6.1.0/24' }));
  const SubnetId = Subnet!.SubnetId!;
  assert.equal(Subnet!.MapPublicIpOnLaunch, false);
  assert.deepEqual(Subnet!.PrivateDnsNameOptionsOnLaunch, { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false });
  await ec2.send(new E.ModifySubnetAttributeCommand({ SubnetId, MapPublicIpOnLaunch: { Value: true } }));
  await ec2.send(new E.ModifySubnetAttributeCommand({ SubnetId, PrivateDnsHostnameTypeOnLaunch: 'resource-name' }));
  await ec2.send(new E.ModifySubnetAttributeCommand({ SubnetId, EnableResourceNameDnsARecordOnLaunch: { Value: true } }));
  const { Subnets } = await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [SubnetId] }));
  assert.equal(Subnets![0]!.MapPublicIpOnLaunch, true);
  assert.equal(Subnets![0]!.AssignIpv6AddressOnCreation, false);
  assert.deepEqual(Subnets![0]!.PrivateDnsNameOptionsOnLaunch, { HostnameType: 'resource-name', EnableResourceNameDnsARecord: true, EnableResourceNameDnsAAAARecord: false });
  const publicOnes = await ec2.send(
    new E.DescribeSubnetsCommand({
      Filters: [
        { Name: 'map-public-ip-on-launch', Values: ['true'] },
        { Name: 'vpc-id', Values: [Vpc!.VpcId!] },
      ],
    }),
  );
  assert.deepEqual(
    publicOnes.Subnets?.map((s) => s.SubnetId),
    [SubnetId],
  );
  assert.equal(
    await codeOf(ec2.send(new E.ModifySubnetAttributeCommand({ SubnetId: 'subnet-0000000000000000f', MapPublicIpOnLaunch: { Value: true } }))),
    'InvalidSubnetID.NotFound',
  );
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: Vpc!.VpcId! }));
});

test('DescribeAccountAttributes: a VPC-only account, its limits and its default VPC', async () => {
  const { AccountAttributes } = await ec2.send(new E.DescribeAccountAttributesCommand({}));
  const values = Object.fromEntries(AccountAttributes!.map((a) => [a.AttributeName, a.AttributeValues!.map((v) => v.AttributeValue)]));
  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  assert.deepEqual(values['supported-platforms'], ['VPC']);
  assert.deepEqual(values['default-vpc'], [Vpcs![0]!.VpcId]);
  assert.deepEqual(values['max-instances'], ['20']);
  assert.deepEqual(values['vpc-max-security-groups-per-interface'], ['5']);
  const one = await ec2.send(new E.DescribeAccountAttributesCommand({ AttributeNames: ['supported-platforms'] }));
  assert.deepEqual(
    one.AccountAttributes?.map((a) => a.AttributeName),
    ['supported-platforms'],
  );
});
