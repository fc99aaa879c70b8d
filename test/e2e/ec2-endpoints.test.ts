// VPC endpoints as the seed's stack creates them (logs, ecr.api, ecr.dkr interface endpoints and an s3
// gateway endpoint on a route table), the services and prefix lists behind them, and the ENI an awsvpc
// ECS task holds in its subnet while it runs — through @aws-sdk/client-ec2 and client-ecs, and the aws CLI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import { awsCli } from '../support/aws-cli.js';
import { clients, httpCommand, waitFor, wwwDir, type Clients } from '../support/ecs.js';
import { codeOf } from '../support/errors.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let c: Clients;
let ec2: E.EC2Client;

before(async () => {
  server = await startTestServer();
  c = clients(server);
  ec2 = c.ec2;
});
after(async () => {
  c.destroy();
  await server.destroy();
});

const region = 'us-east-1';

async function privateNetwork(cidr: string): Promise<{ vpcId: string; subnets: string[]; rtb: string; sg: string }> {
  const { Vpc } = await ec2.send(new E.CreateVpcCommand({ CidrBlock: `${cidr}.0.0/16` }));
  const vpcId = Vpc!.VpcId!;
  const subnets: string[] = [];
  for (const [i, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    subnets.push((await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${cidr}.${i + 1}.0/24`, AvailabilityZone: zone }))).Subnet!.SubnetId!);
  }
  const rtb = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  for (const SubnetId of subnets) await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId }));
  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'endpoints', Description: 'endpoints', VpcId: vpcId }))).GroupId!;
  return { vpcId, subnets, rtb, sg };
}

test('DescribeVpcEndpointServices lists the services Wayfinder serves, with their types, zones and DNS names', async () => {
  const { ServiceNames, ServiceDetails } = await ec2.send(new E.DescribeVpcEndpointServicesCommand({}));
  for (const s of ['ecs', 'logs', 'servicediscovery', 'execute-api', 'sts', 'ecr.api', 'ecr.dkr', 's3']) assert.ok(ServiceNames!.includes(`com.amazonaws.${region}.${s}`), s);
  const logs = ServiceDetails!.find((d) => d.ServiceName === `com.amazonaws.${region}.logs`)!;
  assert.deepEqual(logs.ServiceType, [{ ServiceType: 'Interface' }]);
  assert.equal(logs.PrivateDnsName, `logs.${region}.amazonaws.com`);
  assert.deepEqual(logs.BaseEndpointDnsNames, [`logs.${region}.vpce.amazonaws.com`]);
  assert.ok(logs.AvailabilityZones!.includes('us-east-1a'));
  // Terraform's data "aws_vpc_endpoint_service" for s3 with service_type = "Gateway".
  const s3 = await ec2.send(
    new E.DescribeVpcEndpointServicesCommand({
      Filters: [
        { Name: 'service-name', Values: [`com.amazonaws.${region}.s3`] },
        { Name: 'service-type', Values: ['Gateway'] },
      ],
    }),
  );
  assert.deepEqual(
    s3.ServiceDetails?.map((d) => d.ServiceType),
    [[{ ServiceType: 'Gateway' }]],
  );
  assert.equal(await codeOf(ec2.send(new E.DescribeVpcEndpointServicesCommand({ ServiceNames: [`com.amazonaws.${region}.nope`] }))), 'InvalidServiceName');
});

test("the seed's endpoints: an s3 gateway endpoint routes its prefix list; interface endpoints get ENIs, DNS names and private DNS", async () => {
  const net = await privateNetwork('10.30');
  const s3Name = `com.amazonaws.${region}.s3`;
  const gateway = (
    await ec2.send(
      new E.CreateVpcEndpointCommand({
        VpcId: net.vpcId,
        VpcEndpointType: 'Gateway',
        ServiceName: s3Name,
        RouteTableIds: [net.rtb],
        TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: [{ Key: 'Name', Value: 's3' }] }],
      }),
    )
  ).VpcEndpoint!;
  assert.equal(gateway.State, 'available');
  assert.deepEqual(gateway.RouteTableIds, [net.rtb]);
  const { PrefixLists } = await ec2.send(new E.DescribePrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: [s3Name] }] }));
  const pl = PrefixLists![0]!;
  assert.match(pl.PrefixListId!, /^pl-[0-9a-f]{8}$/);
  assert.ok(pl.Cidrs!.length > 0);
  const managed = await ec2.send(new E.DescribeManagedPrefixListsCommand({ PrefixListIds: [pl.PrefixListId!] }));
  assert.equal(managed.PrefixLists![0]!.PrefixListName, s3Name);
  const routes = (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [net.rtb] }))).RouteTables![0]!.Routes!;
  assert.deepEqual(routes[1], { DestinationPrefixListId: pl.PrefixListId, GatewayId: gateway.VpcEndpointId, Origin: 'CreateRoute', State: 'active' });

  // Private DNS needs the VPC's DNS hostnames, as AWS.
  const logsInput = {
    VpcId: net.vpcId,
    VpcEndpointType: 'Interface' as const,
    ServiceName: `com.amazonaws.${region}.logs`,
    SubnetIds: net.subnets,
    SecurityGroupIds: [net.sg],
    PrivateDnsEnabled: true,
  };
  assert.equal(await codeOf(ec2.send(new E.CreateVpcEndpointCommand(logsInput))), 'InvalidParameter');
  await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: net.vpcId, EnableDnsHostnames: { Value: true } }));
  const interfaces: E.VpcEndpoint[] = [];
  for (const s of ['logs', 'ecr.api', 'ecr.dkr']) {
    interfaces.push((await ec2.send(new E.CreateVpcEndpointCommand({ ...logsInput, ServiceName: `com.amazonaws.${region}.${s}` }))).VpcEndpoint!);
  }
  const [logs] = interfaces;
  assert.equal(logs!.NetworkInterfaceIds!.length, 2, 'one ENI per subnet');
  assert.deepEqual(logs!.Groups, [{ GroupId: net.sg, GroupName: 'endpoints' }]);
  assert.equal(logs!.PrivateDnsEnabled, true);
  const names = logs!.DnsEntries!.map((d) => d.DnsName!);
  assert.match(names[0]!, new RegExp(`^${logs!.VpcEndpointId}-[0-9a-z]+\\.logs\\.${region}\\.vpce\\.amazonaws\\.com$`));
  assert.ok(names.some((n) => n.includes('-us-east-1b.logs.')));
  assert.ok(names.includes(`logs.${region}.amazonaws.com`));
  assert.equal(await codeOf(ec2.send(new E.CreateVpcEndpointCommand(logsInput))), 'InvalidParameter', 'a second private DNS name for logs in the VPC');

  const enis = await ec2.send(
    new E.DescribeNetworkInterfacesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [net.vpcId] },
        { Name: 'interface-type', Values: ['vpc_endpoint'] },
      ],
    }),
  );
  assert.equal(enis.NetworkInterfaces!.length, 6);
  const ips = enis.NetworkInterfaces!.map((e) => e.PrivateIpAddress);
  assert.equal(new Set(ips).size, 6, 'no address twice');
  assert.ok(enis.NetworkInterfaces!.every((e) => e.RequesterManaged && e.Status === 'in-use' && e.Groups![0]!.GroupId === net.sg));

  const available = await waitFor('interface endpoints available', async () => {
    const { VpcEndpoints } = await ec2.send(
      new E.DescribeVpcEndpointsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [net.vpcId] },
          { Name: 'vpc-endpoint-type', Values: ['Interface'] },
          { Name: 'vpc-endpoint-state', Values: ['available'] },
        ],
      }),
    );
    return VpcEndpoints?.length === 3 ? VpcEndpoints : undefined;
  });
  assert.deepEqual(available.map((e) => e.ServiceName).sort(), ['logs', 'ecr.api', 'ecr.dkr'].map((s) => `com.amazonaws.${region}.${s}`).sort());
  const byTag = await ec2.send(new E.DescribeVpcEndpointsCommand({ Filters: [{ Name: 'tag:Name', Values: ['s3'] }] }));
  assert.deepEqual(
    byTag.VpcEndpoints?.map((e) => e.VpcEndpointId),
    [gateway.VpcEndpointId],
  );

  // What the endpoints keep from being deleted.
  assert.equal(await codeOf(ec2.send(new E.DeleteSubnetCommand({ SubnetId: net.subnets[0]! }))), 'DependencyViolation');
  assert.equal(await codeOf(ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: net.sg }))), 'DependencyViolation');

  // ModifyVpcEndpoint: a subnet out (its ENI goes), the route table out (its route goes), a policy.
  await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: logs!.VpcEndpointId!, RemoveSubnetIds: [net.subnets[1]!] }));
  const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] });
  await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: gateway.VpcEndpointId!, RemoveRouteTableIds: [net.rtb], PolicyDocument: policy }));
  const [modifiedLogs] = (await ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [logs!.VpcEndpointId!] }))).VpcEndpoints!;
  assert.deepEqual(modifiedLogs!.SubnetIds, [net.subnets[0]]);
  assert.equal(modifiedLogs!.NetworkInterfaceIds!.length, 1);
  const [modifiedS3] = (await ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [gateway.VpcEndpointId!] }))).VpcEndpoints!;
  assert.deepEqual(modifiedS3!.RouteTableIds, []);
  assert.equal(modifiedS3!.PolicyDocument, policy);
  const routesNow = (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [net.rtb] }))).RouteTables![0]!.Routes!;
  assert.equal(routesNow.length, 1, 'only the local route');
  await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: gateway.VpcEndpointId!, AddRouteTableIds: [net.rtb] }));

  assert.equal(await codeOf(ec2.send(new E.DeleteVpcCommand({ VpcId: net.vpcId }))), 'DependencyViolation');
  const ids = [gateway, ...interfaces].map((e) => e.VpcEndpointId!);
  const { Unsuccessful } = await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [...ids, 'vpce-0000000000000000f'] }));
  assert.deepEqual(
    Unsuccessful?.map((u) => [u.ResourceId, u.Error?.Code]),
    [['vpce-0000000000000000f', 'InvalidVpcEndpoint.NotFound']],
  );
  assert.equal(await codeOf(ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [ids[0]!] }))), 'InvalidVpcEndpointId.NotFound');
  const left = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }] }));
  assert.deepEqual(left.NetworkInterfaces, []);
  assert.equal((await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [net.rtb] }))).RouteTables![0]!.Routes!.length, 1);
});

test('endpoint errors: unknown services, a type the service lacks, two subnets in one zone, gateway options on an interface endpoint', async () => {
  const net = await privateNetwork('10.31');
  const base = { VpcId: net.vpcId, VpcEndpointType: 'Interface' as const, ServiceName: `com.amazonaws.${region}.sts`, PrivateDnsEnabled: false };
  assert.equal(await codeOf(ec2.send(new E.CreateVpcEndpointCommand({ ...base, ServiceName: `com.amazonaws.${region}.nope` }))), 'InvalidServiceName');
  assert.equal(await codeOf(ec2.send(new E.CreateVpcEndpointCommand({ ...base, VpcEndpointType: 'Gateway' }))), 'InvalidParameter');
  assert.equal(await codeOf(ec2.send(new E.CreateVpcEndpointCommand({ ...base, RouteTableIds: [net.rtb] }))), 'InvalidParameter');
  const extra = (await ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpcId, CidrBlock: '10.31.9.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  assert.equal(await codeOf(ec2.send(new E.CreateVpcEndpointCommand({ ...base, SubnetIds: [net.subnets[0]!, extra] }))), 'DuplicateSubnetsInSameZone');
  assert.equal(await codeOf(ec2.send(new E.CreateVpcEndpointCommand({ ...base, VpcId: 'vpc-0000000000000000f' }))), 'InvalidVpcID.NotFound');
  assert.equal(await codeOf(ec2.send(new E.CreateVpcEndpointCommand({ ...base, SubnetIds: [net.subnets[0]!], DryRun: true }))), 'DryRunOperation');
  assert.equal(await codeOf(ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: 'vpce-0000000000000000f' }))), 'InvalidVpcEndpointId.NotFound');
  assert.equal(await codeOf(ec2.send(new E.DescribePrefixListsCommand({ PrefixListIds: ['pl-00000000'] }))), 'InvalidPrefixListID.NotFound');
});

test("an awsvpc task's ENI: an address of its subnet in the task's attachment and DescribeNetworkInterfaces, gone when the task stops", async () => {
  const net = await privateNetwork('10.32');
  await c.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'eni' }));
  await c.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'eni-web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: 'flask-app-fargate', command: httpCommand(wwwDir()), portMappings: [{ containerPort: 80 }] }],
    }),
  );
  const run = await c.ecs.send(
    new ECS.RunTaskCommand({
      cluster: 'eni',
      taskDefinition: 'eni-web',
      count: 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [net.subnets[1]!], securityGroups: [net.sg] } },
    }),
  );
  const arns = run.tasks!.map((t) => t.taskArn!);
  const tasks = await waitFor('both tasks running', async () => {
    const { tasks } = await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'eni', tasks: arns }));
    return tasks?.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
  });
  const details = tasks.map((t) => {
    const [attachment] = t.attachments!;
    assert.equal(attachment!.type, 'ElasticNetworkInterface');
    assert.equal(attachment!.status, 'ATTACHED');
    return Object.fromEntries(attachment!.details!.map((d) => [d.name, d.value]));
  });
  for (const d of details) {
    assert.equal(d.subnetId, net.subnets[1]);
    assert.match(d.networkInterfaceId!, /^eni-[0-9a-f]{17}$/);
    assert.match(d.macAddress!, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.match(d.privateIPv4Address!, /^10\.32\.2\.\d+$/);
    assert.equal(d.privateDnsName, `ip-${d.privateIPv4Address!.replaceAll('.', '-')}.ec2.internal`);
  }
  assert.notEqual(details[0]!.privateIPv4Address, details[1]!.privateIPv4Address);

  const eniId = details[0]!.networkInterfaceId!;
  for (const Filters of [
    [{ Name: 'network-interface-id', Values: [eniId] }],
    [
      { Name: 'subnet-id', Values: [net.subnets[1]!] },
      { Name: 'private-ip-address', Values: [details[0]!.privateIPv4Address!] },
    ],
    [
      { Name: 'group-id', Values: [net.sg] },
      { Name: 'attachment.instance-owner-id', Values: ['amazon-aws'] },
      { Name: 'mac-address', Values: [details[0]!.macAddress!] },
    ],
    [
      { Name: 'vpc-id', Values: [net.vpcId] },
      { Name: 'description', Values: [`arn:aws:ecs:${region}:000000000000:attachment/*`] },
      { Name: 'status', Values: ['in-use'] },
    ],
  ]) {
    const { NetworkInterfaces } = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters }));
    assert.ok(
      NetworkInterfaces!.some((n) => n.NetworkInterfaceId === eniId),
      JSON.stringify(Filters),
    );
  }
  const eni = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))).NetworkInterfaces![0]!;
  assert.equal(eni.MacAddress, details[0]!.macAddress);
  assert.equal(eni.InterfaceType, 'interface');
  assert.equal(eni.RequesterManaged, true);
  assert.equal(eni.Attachment?.Status, 'attached');
  assert.equal(await codeOf(ec2.send(new E.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eniId }))), 'InvalidNetworkInterface.InUse');
  assert.equal(await codeOf(ec2.send(new E.DeleteSubnetCommand({ SubnetId: net.subnets[1]! }))), 'DependencyViolation');
  assert.equal(await codeOf(ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: net.sg }))), 'DependencyViolation');
  const subnet = (await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [net.subnets[1]!] }))).Subnets![0]!;
  assert.equal(subnet.AvailableIpAddressCount, 256 - 5 - 2);

  for (const task of arns) await c.ecs.send(new ECS.StopTaskCommand({ cluster: 'eni', task }));
  await waitFor('the ENIs gone', async () => {
    const { NetworkInterfaces } = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [net.subnets[1]!] }] }));
    return NetworkInterfaces?.length === 0;
  });
  const stopped = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'eni', tasks: arns }))).tasks!;
  assert.ok(stopped.every((t) => t.lastStatus === 'STOPPED' && t.attachments![0]!.status === 'DELETED'));
  assert.equal(await codeOf(ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))), 'InvalidNetworkInterfaceID.NotFound');
  await ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: net.sg }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: net.subnets[1]! }));
});

/** The aws CLI v1 (botocore) on EC2, JSON out; a failure fails the test with the CLI's own message. */
async function aws<T>(...args: string[]): Promise<T> {
  const { code, stdout, stderr } = await awsCli(server.port, ['--output', 'json', 'ec2', ...args]);
  assert.equal(code, 0, stderr);
  return (stdout.trim() ? JSON.parse(stdout) : undefined) as T;
}

interface CliNat {
  NatGatewayId: string;
  State: string;
  NatGatewayAddresses: Array<{ PublicIp: string }>;
}

test('the aws CLI: a NAT gateway behind an internet gateway, found with --filter, and a VPC left clean', async () => {
  const vpc = (await aws<{ Vpc: { VpcId: string } }>('create-vpc', '--cidr-block', '10.33.0.0/16')).Vpc.VpcId;
  const subnet = (await aws<{ Subnet: { SubnetId: string } }>('create-subnet', '--vpc-id', vpc, '--cidr-block', '10.33.1.0/24')).Subnet.SubnetId;
  const tagSpec = 'ResourceType=internet-gateway,Tags=[{Key=Name,Value=cli}]';
  const igw = (await aws<{ InternetGateway: { InternetGatewayId: string } }>('create-internet-gateway', '--tag-specifications', tagSpec)).InternetGateway.InternetGatewayId;
  await aws('attach-internet-gateway', '--internet-gateway-id', igw, '--vpc-id', vpc);
  const eip = await aws<{ AllocationId: string; PublicIp: string }>('allocate-address', '--domain', 'vpc');
  const nat = (await aws<{ NatGateway: CliNat }>('create-nat-gateway', '--subnet-id', subnet, '--allocation-id', eip.AllocationId)).NatGateway.NatGatewayId;
  const found = await waitFor('the NAT gateway available', async () => {
    const out = await aws<{ NatGateways: CliNat[] }>('describe-nat-gateways', '--filter', `Name=vpc-id,Values=${vpc}`, 'Name=state,Values=available');
    return out.NatGateways.length ? out.NatGateways : undefined;
  });
  assert.deepEqual(
    found.map((n) => [n.NatGatewayId, n.NatGatewayAddresses[0]!.PublicIp]),
    [[nat, eip.PublicIp]],
  );
  const tags = await aws<{ Tags: unknown[] }>('describe-tags', '--filters', `Name=resource-id,Values=${igw}`);
  assert.deepEqual(tags.Tags, [{ Key: 'Name', ResourceId: igw, ResourceType: 'internet-gateway', Value: 'cli' }]);
  await aws('delete-nat-gateway', '--nat-gateway-id', nat);
  await waitFor(
    'the NAT gateway deleted',
    async () => (await aws<{ NatGateways: CliNat[] }>('describe-nat-gateways', '--nat-gateway-ids', nat)).NatGateways[0]!.State === 'deleted',
  );
  await aws('release-address', '--allocation-id', eip.AllocationId);
  await aws('detach-internet-gateway', '--internet-gateway-id', igw, '--vpc-id', vpc);
  await aws('delete-internet-gateway', '--internet-gateway-id', igw);
  await aws('delete-subnet', '--subnet-id', subnet);
  await aws('delete-vpc', '--vpc-id', vpc);
  const groups = await aws<{ SecurityGroups: unknown[] }>('describe-security-groups', '--filters', `Name=vpc-id,Values=${vpc}`);
  assert.deepEqual(groups.SecurityGroups, [], 'the default group goes with the VPC');
});
