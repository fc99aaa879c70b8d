// Accounts as the ecosystem expects them (README "Who may call"): with `--auth on` any access key works on
// loopback, a key of 12 digits acts in that account and any other in --account-id; accounts are fully apart
// (ECS, EC2, Cloud Map, Logs, API Gateway and its data plane); `--auth strict` takes known keys only; a key
// whose secret Wayfinder knows is still verified. Real clients: the aws CLI and the JS SDK v3.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Resolver } from 'node:dns/promises';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import * as SD from '@aws-sdk/client-servicediscovery';
import { codeOf, waitOperation } from '../support/cloudmap.js';
import { cloudMapService, httpCommand, runningTasks, waitFor, wwwDir } from '../support/ecs.js';
import { invoke, startBackend, type Backend } from '../support/gateway.js';
import { awsCli, hasAwsCliV2 } from '../support/aws-cli.js';
import { rawRequest, sdkConfigAs, startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const ACCOUNT_1 = '111111111111';
const ACCOUNT_2 = '222222222222';
const DEFAULT_ACCOUNT = '123456789012'; // --account-id of the server under test

/** SDK client settings for an access key the server has no secret for (any secret will do under --auth on). */
const as = sdkConfigAs;

/** The aws CLI (v1, or v2 where installed) with an access key whose secret the server does not know. */
function cli(server: TestServer, accessKeyId: string, args: string[], v2 = false) {
  return awsCli(server.port, ['--output', 'json', ...args], { v2, env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: 'whatever' } });
}

describe('--auth on: two accounts side by side', () => {
  let server: TestServer;
  let backend1: Backend;
  let backend2: Backend;
  const apis: Record<string, string> = {};
  const vpcs: Record<string, string> = {};
  const namespaces: Record<string, string> = {};

  before(async () => {
    // As `--account-id ` resolves it: the built-in key acts in that account too.
    server = await startTestServer({ accountId: DEFAULT_ACCOUNT, credentials: [{ accessKeyId: 'test', secretAccessKey: 'test', accountId: DEFAULT_ACCOUNT }] });
    backend1 = await startBackend('account-1');
    backend2 = await startBackend('account-2');
    for (const [account, backend] of [
      [ACCOUNT_1, backend1],
      [ACCOUNT_2, backend2],
    ] as const) {
      const cfg = as(server, account);
      // The same names in both accounts: cluster `web`, namespace `local`, log group `/app`, API `web`.
      const created = await cli(server, account, ['ecs', 'create-cluster', '--cluster-name', 'web']);
      assert.equal(created.code, 0, created.stderr);
      const { Vpc } = await new E.EC2Client(cfg).send(new E.CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
      vpcs[account] = Vpc!.VpcId!;
      const sd = new SD.ServiceDiscoveryClient({ ...cfg, disableHostPrefix: true });
      const { OperationId } = await sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: 'local', Vpc: Vpc!.VpcId! }));
      const op = await waitOperation(sd, OperationId!);
      assert.equal(op.Status, 'SUCCESS', `${account}: ${op.ErrorMessage}`);
      namespaces[account] = op.Targets!.NAMESPACE!;
      const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'api', NamespaceId: namespaces[account], DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } }));
      const reg = await sd.send(
        new SD.RegisterInstanceCommand({ ServiceId: Service!.Id!, InstanceId: 'task', Attributes: { AWS_INSTANCE_IPV4: account === ACCOUNT_1 ? '127.0.0.11' : '127.0.0.22' } }),
      );
      await waitOperation(sd, reg.OperationId!);
      await new L.CloudWatchLogsClient(cfg).send(new L.CreateLogGroupCommand({ logGroupName: '/app' }));
      // Quick create: a $default route and stage straight to the account's own backend.
      const api = await new AG.ApiGatewayV2Client(cfg).send(new AG.CreateApiCommand({ Name: 'web', ProtocolType: 'HTTP', Target: backend.url }));
      apis[account] = api.ApiId!;
    }
  });

  after(async () => {
    await backend1?.close();
    await backend2?.close();
    await server?.destroy();
  });

  test('aws CLI and boto3: each account lists only its own cluster `web`, and its ARN names that account', async () => {
    for (const v2 of hasAwsCliV2() ? [false, true] : [false]) {
      for (const account of [ACCOUNT_1, ACCOUNT_2]) {
        const r = await cli(server, account, ['ecs', 'list-clusters'], v2);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout).clusterArns, [`arn:aws:ecs:us-east-1:${account}:cluster/web`], v2 ? 'aws CLI v2' : 'aws CLI v1');
      }
    }
    const py = await run(
      'python3',
      [
        '-c',
        `import boto3
ecs = boto3.client('ecs', endpoint_url='http://127.0.0.1:${server.port}', region_name='us-east-1', aws_access_key_id='${ACCOUNT_2}', aws_secret_access_key='x')
print(ecs.list_clusters()['clusterArns'])`,
      ],
      { timeout: 60_000 },
    );
    assert.equal(py.stdout.trim(), `['arn:aws:ecs:us-east-1:${ACCOUNT_2}:cluster/web']`, 'boto3 too');
    // The other account's ARN names nothing here, though a cluster `web` exists in both.
    const foreign = `arn:aws:ecs:us-east-1:${ACCOUNT_2}:cluster/web`;
    const { clusters, failures } = await new ECS.ECSClient(as(server, ACCOUNT_1)).send(new ECS.DescribeClustersCommand({ clusters: [foreign] }));
    assert.deepEqual(clusters, []);
    assert.deepEqual(failures, [{ arn: foreign, reason: 'MISSING' }]);
  });

  test('VPCs, namespaces, log groups and APIs: same names, each account sees its own only, ARNs carry its account', async () => {
    for (const [account, other] of [
      [ACCOUNT_1, ACCOUNT_2],
      [ACCOUNT_2, ACCOUNT_1],
    ] as const) {
      const cfg = as(server, account);
      const { Vpcs } = await new E.EC2Client(cfg).send(new E.DescribeVpcsCommand({}));
      const ids = Vpcs!.map((v) => v.VpcId);
      assert.ok(ids.includes(vpcs[account]) && !ids.includes(vpcs[other]), `${account} sees ${ids.join(',')}`);
      assert.ok(
        Vpcs!.every((v) => v.OwnerId === account),
        'its own default VPC too',
      );
      const ownVpcs = Vpcs!.filter((v) => !v.IsDefault);
      assert.equal(ownVpcs.length, 1);
      assert.equal(await codeOf(new E.EC2Client(cfg).send(new E.DescribeVpcsCommand({ VpcIds: [vpcs[other]!] }))), 'InvalidVpcID.NotFound');

      const sd = new SD.ServiceDiscoveryClient({ ...cfg, disableHostPrefix: true });
      const { Namespaces } = await sd.send(new SD.ListNamespacesCommand({}));
      assert.deepEqual(
        Namespaces!.map((n) => [n.Id, n.Name, n.Arn!.split(':')[4]]),
        [[namespaces[account], 'local', account]],
      );
      assert.equal(await codeOf(sd.send(new SD.GetNamespaceCommand({ Id: namespaces[other]! }))), 'NamespaceNotFound');
      const found = await sd.send(new SD.DiscoverInstancesCommand({ NamespaceName: 'local', ServiceName: 'api' }));
      assert.deepEqual(
        found.Instances!.map((i) => i.Attributes!.AWS_INSTANCE_IPV4),
        [account === ACCOUNT_1 ? '127.0.0.11' : '127.0.0.22'],
      );

      const { logGroups } = await new L.CloudWatchLogsClient(cfg).send(new L.DescribeLogGroupsCommand({}));
      assert.deepEqual(
        logGroups!.map((g) => g.arn),
        [`arn:aws:logs:us-east-1:${account}:log-group:/app:*`],
      );

      const ag = new AG.ApiGatewayV2Client(cfg);
      const { Items } = await ag.send(new AG.GetApisCommand({}));
      assert.deepEqual(
        Items!.map((a) => a.ApiId),
        [apis[account]],
      );
      assert.equal(await codeOf(ag.send(new AG.GetApiCommand({ ApiId: apis[other]! }))), 'NotFoundException');
    }
  });

  test("EC2's network around a VPC: account 1's internet gateway, route table, NAT gateway and VPC endpoint are not account 2's", async () => {
    const ec2 = new E.EC2Client(as(server, ACCOUNT_1));
    const vpc = vpcs[ACCOUNT_1]!;
    const { Subnet } = await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.1.7.0/24' }));
    const { InternetGateway } = await ec2.send(new E.CreateInternetGatewayCommand({}));
    const igw = InternetGateway!.InternetGatewayId!;
    await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
    const { RouteTable } = await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpc }));
    const rtb = RouteTable!.RouteTableId!;
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    const { AllocationId } = await ec2.send(new E.AllocateAddressCommand({ Domain: 'vpc' }));
    const { NatGateway } = await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: Subnet!.SubnetId!, AllocationId }));
    const nat = NatGateway!.NatGatewayId!;
    const { VpcEndpoint } = await ec2.send(new E.CreateVpcEndpointCommand({ VpcId: vpc, ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [rtb] }));
    const endpoint = VpcEndpoint!.VpcEndpointId!;
    const natEni = NatGateway!.NatGatewayAddresses![0]!.NetworkInterfaceId!;

    const two = new E.EC2Client(as(server, ACCOUNT_2));
    assert.ok(!(await two.send(new E.DescribeInternetGatewaysCommand({}))).InternetGateways!.some((g) => g.InternetGatewayId === igw));
    assert.ok(!(await two.send(new E.DescribeRouteTablesCommand({}))).RouteTables!.some((t) => t.RouteTableId === rtb || t.VpcId === vpc));
    assert.ok(!(await two.send(new E.DescribeNatGatewaysCommand({}))).NatGateways!.some((n) => n.NatGatewayId === nat));
    assert.ok(!(await two.send(new E.DescribeVpcEndpointsCommand({}))).VpcEndpoints!.some((e) => e.VpcEndpointId === endpoint));
    assert.ok(!(await two.send(new E.DescribeAddressesCommand({}))).Addresses!.some((a) => a.AllocationId === AllocationId));
    assert.ok(!(await two.send(new E.DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.some((n) => n.NetworkInterfaceId === natEni));
    assert.equal(await codeOf(two.send(new E.DescribeInternetGatewaysCommand({ InternetGatewayIds: [igw] }))), 'InvalidInternetGatewayID.NotFound');
    assert.equal(await codeOf(two.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))), 'InvalidRouteTableID.NotFound');
    assert.equal(await codeOf(two.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }))), 'NatGatewayNotFound');
    assert.equal(await codeOf(two.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpoint] }))), 'InvalidVpcEndpointId.NotFound');
    assert.equal(await codeOf(two.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: igw }))), 'InvalidInternetGatewayID.NotFound');
    // Account 1 still has all of it.
    assert.equal((await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables![0]!.Routes!.find((r) => r.GatewayId === igw)?.State, 'active');
    assert.equal((await ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpoint] }))).VpcEndpoints!.length, 1);
  });

  test("each account's API is served on its own host, by its own backend", async () => {
    const one = await invoke(server, apis[ACCOUNT_1]!, { path: '/hello' });
    const two = await invoke(server, apis[ACCOUNT_2]!, { path: '/hello' });
    assert.equal(one.status, 200);
    assert.equal(two.status, 200);
    assert.equal(one.json().name, 'account-1');
    assert.equal(two.json().name, 'account-2');
    assert.equal(two.json().url, '/hello');
  });

  test('the DNS server answers a name two accounts share from the older namespace (docs/cloudmap.md)', async () => {
    const health = JSON.parse((await rawRequest(server, { method: 'GET', path: '/_wayfinder/health' })).text) as { dnsPort: number };
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${health.dnsPort}`]);
    assert.deepEqual(await resolver.resolve4('api.local'), ['127.0.0.11']);
  });

  test("account 2's ECS service serves its HTTP API through its VPC link and Cloud Map; account 1 sees none of it", async () => {
    const cfg = as(server, ACCOUNT_2);
    const ecs = new ECS.ECSClient(cfg);
    const ec2 = new E.EC2Client(cfg);
    const sd = new SD.ServiceDiscoveryClient({ ...cfg, disableHostPrefix: true });
    const ag = new AG.ApiGatewayV2Client(cfg);
    const { Subnets } = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const subnet = Subnets![0]!;
    const registry = await cloudMapService(sd, subnet.VpcId!, { namespace: 'chain.local', service: 'web' });
    await ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: 'unused', command: httpCommand(wwwDir('hello from account 2')), portMappings: [{ containerPort: 80 }] }],
      }),
    );
    const { service } = await ecs.send(
      new ECS.CreateServiceCommand({
        cluster: 'web',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 1,
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.SubnetId!] } },
        serviceRegistries: [{ registryArn: registry.serviceArn, port: 80 }],
      }),
    );
    assert.equal(service!.serviceArn, `arn:aws:ecs:us-east-1:${ACCOUNT_2}:service/web/web`);
    const [task] = await waitFor('a running task', async () => {
      const tasks = await runningTasks(ecs, 'web', 'web');
      return tasks.some((t) => t.lastStatus === 'RUNNING') && tasks;
    });
    assert.match(task!.taskArn!, new RegExp(`^arn:aws:ecs:us-east-1:${ACCOUNT_2}:task/web/`));
    const eniId = task!.attachments![0]!.details!.find((d) => d.name === 'networkInterfaceId')!.value!;
    const { NetworkInterfaces } = await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    assert.equal(NetworkInterfaces![0]!.OwnerId, ACCOUNT_2);

    const link = await ag.send(new AG.CreateVpcLinkCommand({ Name: 'link', SubnetIds: [subnet.SubnetId!] }));
    await waitFor('the VPC link', async () => (await ag.send(new AG.GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId! }))).VpcLinkStatus === 'AVAILABLE');
    const api = await ag.send(new AG.CreateApiCommand({ Name: 'chain', ProtocolType: 'HTTP' }));
    const integration = await ag.send(
      new AG.CreateIntegrationCommand({
        ApiId: api.ApiId!,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'ANY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: link.VpcLinkId!,
        IntegrationUri: registry.serviceArn,
        PayloadFormatVersion: '1.0',
      }),
    );
    await ag.send(new AG.CreateRouteCommand({ ApiId: api.ApiId!, RouteKey: 'ANY /{proxy+}', Target: `integrations/${integration.IntegrationId}` }));
    await ag.send(new AG.CreateStageCommand({ ApiId: api.ApiId!, StageName: '$default', AutoDeploy: true }));
    const answer = await waitFor('the task behind the API', async () => {
      const r = await invoke(server, api.ApiId!, { path: '/index.html' });
      return r.status === 200 && r;
    });
    assert.equal(answer.text, 'hello from account 2\n');

    const one = as(server, ACCOUNT_1);
    assert.deepEqual((await new ECS.ECSClient(one).send(new ECS.ListServicesCommand({ cluster: 'web' }))).serviceArns, []);
    assert.deepEqual((await new ECS.ECSClient(one).send(new ECS.ListTasksCommand({ cluster: 'web' }))).taskArns, []);
    assert.deepEqual((await new ECS.ECSClient(one).send(new ECS.ListTaskDefinitionsCommand({}))).taskDefinitionArns, []);
    assert.deepEqual((await new AG.ApiGatewayV2Client(one).send(new AG.GetVpcLinksCommand({}))).Items, []);
    assert.equal(await codeOf(new E.EC2Client(one).send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))), 'InvalidNetworkInterfaceID.NotFound');
    const listedToOne = (await new E.EC2Client(one).send(new E.DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.map((n) => n.NetworkInterfaceId);
    assert.ok(!listedToOne.includes(eniId), "account 2's task ENI is not listed to account 1");
    // Account 1 can use neither account 2's VPC link nor its Cloud Map service.
    const ag1 = new AG.ApiGatewayV2Client(one);
    const foreign = await ag1.send(new AG.CreateApiCommand({ Name: 'foreign', ProtocolType: 'HTTP' }));
    const integrate = (ConnectionId: string) =>
      ag1.send(
        new AG.CreateIntegrationCommand({
          ApiId: foreign.ApiId!,
          IntegrationType: 'HTTP_PROXY',
          IntegrationMethod: 'ANY',
          ConnectionType: 'VPC_LINK',
          ConnectionId,
          IntegrationUri: registry.serviceArn,
          PayloadFormatVersion: '1.0',
        }),
      );
    assert.equal(await codeOf(integrate(link.VpcLinkId!)), 'NotFoundException');
    const { Subnets: ownSubnets } = await new E.EC2Client(one).send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const ownLink = await ag1.send(new AG.CreateVpcLinkCommand({ Name: 'own', SubnetIds: [ownSubnets![0]!.SubnetId!] }));
    assert.equal(await codeOf(integrate(ownLink.VpcLinkId!)), 'BadRequestException');
    await ecs.send(new ECS.DeleteServiceCommand({ cluster: 'web', service: 'web', force: true }));
  });

  test('a key that is not 12 digits acts in --account-id; the built-in test key too', async () => {
    const ecs = new ECS.ECSClient(as(server, 'AKIAANYTHINGATALL'));
    const { cluster } = await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'web' }));
    assert.equal(cluster!.clusterArn, `arn:aws:ecs:us-east-1:${DEFAULT_ACCOUNT}:cluster/web`);
    const builtIn = new ECS.ECSClient(as(server, 'test', 'test'));
    assert.deepEqual((await builtIn.send(new ECS.ListClustersCommand({}))).clusterArns, [`arn:aws:ecs:us-east-1:${DEFAULT_ACCOUNT}:cluster/web`]);
  });

  test('a wrong signature with a secret Wayfinder knows is still refused', async () => {
    const wrong = new ECS.ECSClient(as(server, 'test', 'not-the-secret'));
    assert.equal(await codeOf(wrong.send(new ECS.ListClustersCommand({}))), 'InvalidSignatureException');
    const ec2 = new E.EC2Client(as(server, 'test', 'not-the-secret'));
    assert.equal(await codeOf(ec2.send(new E.DescribeVpcsCommand({}))), 'AuthFailure');
  });
});

describe('per-account settings and quotas', () => {
  let server: TestServer;
  let backend: Backend;
  before(async () => {
    // An account-level throttling bucket of one request, so a second request of the same account is throttled.
    server = await startTestServer({ gatewayRateLimit: 0, gatewayBurstLimit: 1 });
    backend = await startBackend('any');
  });
  after(async () => {
    await backend?.close();
    await server?.destroy();
  });

  test("one account's throttling bucket is its own: account 1 exhausted, account 2 still served", async () => {
    const id1 = (await new AG.ApiGatewayV2Client(as(server, ACCOUNT_1)).send(new AG.CreateApiCommand({ Name: 'a', ProtocolType: 'HTTP', Target: backend.url }))).ApiId!;
    const id2 = (await new AG.ApiGatewayV2Client(as(server, ACCOUNT_2)).send(new AG.CreateApiCommand({ Name: 'a', ProtocolType: 'HTTP', Target: backend.url }))).ApiId!;
    assert.equal((await invoke(server, id1)).status, 200);
    assert.equal((await invoke(server, id1)).status, 429);
    assert.equal((await invoke(server, id2)).status, 200, 'account 2 has its own bucket');
  });

  test('a custom domain name is taken once: the edge routes a Host to one API, whatever its account', async () => {
    await new AG.ApiGatewayV2Client(as(server, ACCOUNT_1)).send(new AG.CreateDomainNameCommand({ DomainName: 'api.accounts.test' }));
    const err = await codeOf(new AG.ApiGatewayV2Client(as(server, ACCOUNT_2)).send(new AG.CreateDomainNameCommand({ DomainName: 'api.accounts.test' })));
    assert.equal(err, 'ConflictException');
    assert.deepEqual((await new AG.ApiGatewayV2Client(as(server, ACCOUNT_2)).send(new AG.GetDomainNamesCommand({}))).Items, []);
  });

  test('PutAccountSettingDefault is per account', async () => {
    const one = new ECS.ECSClient(as(server, ACCOUNT_1));
    const two = new ECS.ECSClient(as(server, ACCOUNT_2));
    await one.send(new ECS.PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enabled' }));
    const setting = async (ecs: ECS.ECSClient) => (await ecs.send(new ECS.ListAccountSettingsCommand({ name: 'containerInsights', effectiveSettings: true }))).settings![0]!.value;
    assert.equal(await setting(one), 'enabled');
    assert.equal(await setting(two), 'disabled');
  });
});

describe('--auth strict: known keys only', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ auth: 'strict' });
  });
  after(() => server?.destroy());

  test('an unknown key gets UnrecognizedClientException (JSON), AuthFailure (EC2); test/test still works', async () => {
    assert.equal(await codeOf(new ECS.ECSClient(as(server, ACCOUNT_1)).send(new ECS.ListClustersCommand({}))), 'UnrecognizedClientException');
    assert.equal(await codeOf(new E.EC2Client(as(server, ACCOUNT_1)).send(new E.DescribeVpcsCommand({}))), 'AuthFailure');
    const refused = await cli(server, ACCOUNT_1, ['ecs', 'list-clusters']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /UnrecognizedClientException/);
    assert.deepEqual((await new ECS.ECSClient(as(server, 'test', 'test')).send(new ECS.ListClustersCommand({}))).clusterArns, []);
  });
});
