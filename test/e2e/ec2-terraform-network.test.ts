// Terraform (hashicorp/aws 5.100 from the offline mirror) builds the network the seed's stack lives in —
// VPC, public and private subnets, internet gateway, elastic IP, NAT gateway, route tables, a network
// ACL, an s3 gateway endpoint and logs/ecr interface endpoints — then plans no change and destroys it all.
// Skipped when terraform or the provider mirror is missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '@aws-sdk/client-ec2';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { type TerraformDir, terraformDir, terraformSkipReason } from '../support/terraform.js';

const MAIN_TF = `variable "port" {}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints { ec2 = "http://127.0.0.1:\${var.port}" }
}
resource "aws_vpc" "main" {
  cidr_block           = "10.40.0.0/16"
  enable_dns_hostnames = true
  enable_dns_support   = true
  tags                 = { Name = "tf" }
}
resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.40.\${count.index + 1}.0/24"
  availability_zone = ["us-east-1a", "us-east-1b"][count.index]
}
resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.40.100.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = "tf" }
}
resource "aws_eip" "nat" {
  domain = "vpc"
  tags   = { Name = "nat" }
}
resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
  depends_on    = [aws_internet_gateway.igw]
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}
resource "aws_route" "private_nat" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.nat.id
}
resource "aws_route_table_association" "private" {
  count          = 2
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}
resource "aws_security_group" "endpoints" {
  name   = "endpoints"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
}
resource "aws_vpc_endpoint" "interface" {
  for_each            = toset(["logs", "ecr.api", "ecr.dkr"])
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.us-east-1.\${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true
}
resource "aws_network_acl" "private" {
  vpc_id     = aws_vpc.main.id
  subnet_ids = aws_subnet.private[*].id
  ingress {
    protocol   = "tcp"
    rule_no    = 100
    action     = "allow"
    cidr_block = "10.40.0.0/16"
    from_port  = 443
    to_port    = 443
  }
  egress {
    protocol   = "-1"
    rule_no    = 100
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}
data "aws_vpc_endpoint_service" "s3" {
  service      = "s3"
  service_type = "Gateway"
}
data "aws_prefix_list" "s3" {
  prefix_list_id = aws_vpc_endpoint.s3.prefix_list_id
}
output "pl" { value = data.aws_prefix_list.s3.name }
output "nat_ip" { value = aws_nat_gateway.nat.public_ip }
output "dns" { value = aws_vpc_endpoint.interface["logs"].dns_entry[0].dns_name }
`;

let server: TestServer;
let ec2: E.EC2Client;
let source: string;
let tf: TerraformDir;

before(async () => {
  server = await startTestServer();
  ec2 = new E.EC2Client(sdkConfig(server));
  source = mkdtempSync(join(tmpdir(), 'wf-tf-network-'));
  writeFileSync(join(source, 'main.tf'), MAIN_TF);
  tf = terraformDir([source], { port: server.port });
});
after(async () => {
  ec2.destroy();
  await server.destroy();
  tf.remove();
  rmSync(source, { recursive: true, force: true });
});

/** terraform through test/support/terraform.ts (hermetic env, offline mirror, killed with its provider on timeout). */
async function terraform(...args: string[]): Promise<{ code: number; out: string }> {
  const r = await tf.run(args, 600_000);
  return { code: r.code ?? -1, out: `${r.stdout}${r.stderr}` };
}

test('terraform apply → plan shows no change → destroy leaves nothing', { skip: terraformSkipReason() ?? false }, async () => {
  const init = await terraform('init', '-input=false');
  assert.equal(init.code, 0, init.out);
  const apply = await terraform('apply', '-auto-approve', '-input=false');
  assert.equal(apply.code, 0, apply.out);

  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['tf'] }] }));
  const vpcId = Vpcs![0]!.VpcId!;
  const nat = (await ec2.send(new E.DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] }))).NatGateways!;
  assert.deepEqual(
    nat.map((n) => n.State),
    ['available'],
  );
  const endpoints = (await ec2.send(new E.DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).VpcEndpoints!;
  assert.equal(endpoints.length, 4);
  const enis = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).NetworkInterfaces!;
  assert.equal(enis.length, 3 * 2 + 1, 'two per interface endpoint, one for the NAT gateway');
  const acl = (
    await ec2.send(
      new E.DescribeNetworkAclsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'default', Values: ['false'] },
        ],
      }),
    )
  ).NetworkAcls!;
  assert.equal(acl[0]!.Associations!.length, 2);

  const plan = await terraform('plan', '-detailed-exitcode', '-input=false');
  assert.equal(plan.code, 0, `a second plan must find nothing to change:\n${plan.out}`);

  const destroy = await terraform('destroy', '-auto-approve', '-input=false');
  assert.equal(destroy.code, 0, destroy.out);
  assert.equal(await ec2.send(new E.DescribeVpcsCommand({ VpcIds: [vpcId] })).catch((e: Error) => e.name), 'InvalidVpcID.NotFound');
  assert.deepEqual((await ec2.send(new E.DescribeAddressesCommand({}))).Addresses, []);
  assert.deepEqual((await ec2.send(new E.DescribeInternetGatewaysCommand({}))).InternetGateways, []);
  assert.deepEqual((await ec2.send(new E.DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, []);
});
