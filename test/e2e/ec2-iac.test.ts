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
