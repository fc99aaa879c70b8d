// EC2 through @aws-sdk/client-ec2 against a real Wayfinder.
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

test('the default VPC, its /20 default subnets and its default security group are there', async () => {
  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  assert.equal(Vpcs?.length, 1);
  assert.equal(Vpcs[0]!.CidrBlock, '172.31.0.0/16');
  assert.match(Vpcs[0]!.VpcId!, /^vpc-[0-9a-f]{17}$/);
  const { Subnets } = await ec2.send(
    new E.DescribeSubnetsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [Vpcs[0]!.VpcId!] },
        { Name: 'default-for-az', Values: ['true'] },
      ],
    }),
  );
  const { AvailabilityZones } = await ec2.send(new E.DescribeAvailabilityZonesCommand({}));
  assert.equal(Subnets?.length, AvailabilityZones?.length);
  assert.deepEqual(Subnets!.map((s) => s.CidrBlock).sort(), AvailabilityZones!.map((_, i) => `172.31.${i * 16}.0/20`).sort());
  assert.ok(Subnets!.every((s) => s.AvailableIpAddressCount === 4091 && s.MapPublicIpOnLaunch === true));
  const { SecurityGroups } = await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }));
  assert.equal(SecurityGroups?.length, 1);
  assert.equal(SecurityGroups[0]!.IpPermissionsEgress![0]!.IpRanges![0]!.CidrIp, '0.0.0.0/0');
});

test('another region has its own default VPC', async () => {
  const london = new E.EC2Client(sdkConfig(server, 'eu-west-2'));
  const { Vpcs } = await london.send(new E.DescribeVpcsCommand({}));
  const { Vpcs: east } = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  assert.equal(Vpcs?.length, 1);
  assert.notEqual(Vpcs[0]!.VpcId, east![0]!.VpcId);
  const { AvailabilityZones } = await london.send(new E.DescribeAvailabilityZonesCommand({}));
  assert.deepEqual(
    AvailabilityZones!.map((z) => z.ZoneName),
    ['eu-west-2a', 'eu-west-2b', 'eu-west-2c'],
  );
  assert.equal(AvailabilityZones![0]!.ZoneId, 'euw2-az1');
  london.destroy();
});

test('VPC, subnets and security groups: create, tag, filter, validate, delete', async () => {
  const { Vpc } = await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.1.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'wf' }] }] }));
  const vpcId = Vpc!.VpcId!;
  assert.deepEqual(Vpc!.Tags, [{ Key: 'Name', Value: 'wf' }]);
  const byTag = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['w*'] }] }));
  assert.deepEqual(
    byTag.Vpcs!.map((v) => v.VpcId),
    [vpcId],
  );

  assert.equal(await codeOf(ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.0/8' }))), 'InvalidVpc.Range');
  assert.equal(await codeOf(ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.1/16' }))), 'InvalidParameterValue');

  const a = await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.0/24', AvailabilityZone: 'us-east-1b' }));
  assert.equal(a.Subnet!.AvailabilityZone, 'us-east-1b');
  assert.equal(a.Subnet!.AvailableIpAddressCount, 251);
  assert.equal(await codeOf(ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.1.128/25' }))), 'InvalidSubnet.Conflict');
  assert.equal(await codeOf(ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.2.0.0/24' }))), 'InvalidSubnet.Range');
  assert.equal(await codeOf(ec2.send(new E.CreateSubnetCommand({ VpcId: 'vpc-0000000000000000a', CidrBlock: '10.2.0.0/24' }))), 'InvalidVpcID.NotFound');
  assert.equal(await codeOf(ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.9.0/24', AvailabilityZone: 'us-east-1z' }))), 'InvalidParameterValue');

  const sg = await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web tier', VpcId: vpcId }));
  assert.match(sg.GroupId!, /^sg-[0-9a-f]{17}$/);
  assert.equal(await codeOf(ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'again', VpcId: vpcId }))), 'InvalidGroup.Duplicate');
  const auth = await ec2.send(
    new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
  );
  assert.equal(auth.Return, true);
  assert.match(auth.SecurityGroupRules![0]!.SecurityGroupRuleId!, /^sgr-/);
  assert.equal(
    await codeOf(
      ec2.send(
        new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
      ),
    ),
    'InvalidPermission.Duplicate',
  );
  assert.equal(
    await codeOf(
      ec2.send(
        new E.AuthorizeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
      ),
    ),
    'InvalidParameterValue',
  );
  const described = await ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [sg.GroupId!] }));
  assert.deepEqual(described.SecurityGroups![0]!.IpPermissions, [
    { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], UserIdGroupPairs: [], PrefixListIds: [] },
  ]);
  await ec2.send(
    new E.RevokeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
  );
  assert.equal(
    await codeOf(
      ec2.send(
        new E.RevokeSecurityGroupIngressCommand({ GroupId: sg.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }),
      ),
    ),
    'InvalidPermission.NotFound',
  );

  await ec2.send(new E.CreateTagsCommand({ Resources: [a.Subnet!.SubnetId!, sg.GroupId!], Tags: [{ Key: 'team', Value: 'core' }] }));
  const tags = await ec2.send(new E.DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['team'] }] }));
  assert.deepEqual(tags.Tags!.map((t) => t.ResourceType).sort(), ['security-group', 'subnet']);
  assert.equal(await codeOf(ec2.send(new E.CreateTagsCommand({ Resources: ['subnet-00000000000000000'], Tags: [{ Key: 'a', Value: 'b' }] }))), 'InvalidSubnetID.NotFound');
  await ec2.send(new E.DeleteTagsCommand({ Resources: [sg.GroupId!], Tags: [{ Key: 'team' }] }));
  assert.equal((await ec2.send(new E.DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['team'] }] }))).Tags!.length, 1);

  assert.equal(await codeOf(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }))), 'DependencyViolation');
  const defaultSg = (
    await ec2.send(
      new E.DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: ['default'] },
        ],
      }),
    )
  ).SecurityGroups![0]!;
  assert.equal(await codeOf(ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: defaultSg.GroupId }))), 'CannotDelete');
  await ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sg.GroupId }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: a.Subnet!.SubnetId }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
  assert.equal(await codeOf(ec2.send(new E.DescribeVpcsCommand({ VpcIds: [vpcId] }))), 'InvalidVpcID.NotFound');
  assert.equal(await codeOf(ec2.send(new E.DeleteSubnetCommand({ SubnetId: a.Subnet!.SubnetId }))), 'InvalidSubnetID.NotFound');
});

test('DescribeVpcs pages with MaxResults and NextToken, DryRun answers DryRunOperation', async () => {
  for (let i = 0; i < 6; i++) await ec2.send(new E.CreateVpcCommand({ CidrBlock: `10.${50 + i}.0.0/16` }));
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(new E.DescribeVpcsCommand({ MaxResults: 5, NextToken: token }));
    assert.ok(page.Vpcs!.length <= 5);
    seen.push(...page.Vpcs!.map((v) => v.VpcId!));
    token = page.NextToken;
  } while (token);
  assert.equal(new Set(seen).size, seen.length);
  assert.ok(seen.length >= 7);
  assert.equal(await codeOf(ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.99.0.0/16', DryRun: true }))), 'DryRunOperation');
});

test('an EC2 operation Wayfinder does not serve answers a modelled 501', async () => {
  try {
    await ec2.send(new E.RunInstancesCommand({ MinCount: 1, MaxCount: 1, ImageId: 'ami-12345678' }));
    assert.fail('expected NotImplemented');
  } catch (e) {
    assert.equal((e as Error).name, 'NotImplemented');
    assert.equal((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 501);
  }
});
