// The CDK app in examples/cdk (VPC, ECS cluster, Fargate service in a Cloud Map namespace, HTTP API with
// a Cloud Map integration through a VPC link), as a CDK user ships it: `npx cdk synth` (the CDK CLI,
// offline), then the synthesised template deployed UNMODIFIED with `aws cloudformation deploy`. The
// API URL from the outputs serves the Flask task; a second synth with two tasks updates the stack, and
// the first template again (no DesiredCount, CDK's default) keeps two; deleting it leaves nothing.
// Process runtime (python3 + Flask on the host, the app's entryPoint context); the Docker runtime with
// the seed's image when WAYFINDER_TEST_DOCKER=1. Last, a template shaped as CDK writes a cluster with
// Fargate capacity providers (no CDK needed): its delete removes the service and the association at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.js';
import { awsCli, awsJson, describeStack, failureReport, output, templateFile } from '../support/cloudformation.js';
import { hasAwsCliV2 } from '../support/aws-cli.js';
import { eventually } from '../support/gateway.js';
import { SEED_APP, SEED_IMAGE } from '../support/seed-app.js';

const CDK_APP = fileURLToPath(new URL('../../../examples/cdk', import.meta.url));
const installed = existsSync(join(CDK_APP, 'node_modules', 'aws-cdk-lib')) && existsSync(join(CDK_APP, 'node_modules', '.bin', 'cdk'));
const skipWithoutCdk = installed ? false : 'examples/cdk/node_modules is missing: `npm ci --prefix examples/cdk` installs the CDK (aws-cdk-lib, constructs, the aws-cdk CLI)';
const STACK = 'WayfinderSeed';

interface Run {
  server: TestServer;
  runtime: 'process' | 'docker';
  v2: boolean;
}

interface Template {
  Parameters?: Record<string, unknown>;
  Rules?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/**
 * `cdk synth` with the CDK CLI into a fresh directory; returns the template's path. Asynchronous: the
 * test server answers in this process (the running tasks, during the update's synth).
 */
function synth(run: Run, context: Record<string, string>): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'wf-cdk-out-'));
  const ctx = { ...(run.runtime === 'process' ? { entryPoint: `python3,${SEED_APP}` } : {}), image: SEED_IMAGE, ...context };
  const args = ['cdk', 'synth', '--quiet', '--no-notices', '--output', out, ...Object.entries(ctx).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  // The CLI needs nothing from the network; telemetry off so it does not try to send any.
  const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  return new Promise((resolve, reject) => {
    execFile('npx', args, { cwd: CDK_APP, env, timeout: 300_000 }, (err, _stdout, stderr) => {
      if (err) return reject(new Error(`cdk synth failed: ${stderr}`));
      resolve(join(out, `${STACK}.template.json`));
    });
  });
}

async function deploy(run: Run, templateFile: string): Promise<void> {
  const r = await awsCli(run.server, ['cloudformation', 'deploy', '--stack-name', STACK, '--template-file', templateFile, '--capabilities', 'CAPABILITY_IAM'], { v2: run.v2 });
  if (r.code === 0) return;
  assert.fail(`deploy of ${STACK} failed (${r.code}): ${await failureReport(run.server, STACK, r.stderr)}`);
}

/** The API URL's answer, through curl with the API's Host header (Node does not resolve *.localhost). */
function curl(run: Run, apiUrl: string): Promise<{ status: number; body: string }> {
  const url = new URL(apiUrl);
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-m', '10', '-w', '\n%{http_code}', '-H', `Host: ${url.host}`, `http://127.0.0.1:${run.server.port}/`], (err, stdout, stderr) => {
      if (err) return resolve({ status: -1, body: `curl: ${stderr}` });
      const at = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) });
    });
  });
}

async function cdkStack(run: Run, diagnostic: (msg: string) => void): Promise<void> {
  const { server } = run;
  const templateFile = await synth(run, {});
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as Template;
  // Bootstrapless: no BootstrapVersion parameter or rule, no assets; no Lambda-backed custom resource.
  assert.equal(template.Parameters, undefined);
  assert.equal(template.Rules, undefined);
  const types = new Set(Object.values(template.Resources).map((r) => r.Type));
  assert.deepEqual(
    [...types].filter((t) => t.startsWith('Custom::') || t.startsWith('AWS::Lambda::') || t === 'AWS::CloudFormation::CustomResource'),
    [],
  );
  for (const t of ['AWS::EC2::VPC', 'AWS::ECS::Service', 'AWS::ServiceDiscovery::PrivateDnsNamespace', 'AWS::ApiGatewayV2::VpcLink', 'AWS::CDK::Metadata']) {
    assert.ok(types.has(t), `the template has an ${t}`);
  }
  // CDK's default: no DesiredCount (CloudFormation starts a new service with one task).
  const serviceProps = Object.values(template.Resources).find((r) => r.Type === 'AWS::ECS::Service')!.Properties!;
  assert.equal(serviceProps.DesiredCount, undefined);

  const started = Date.now();
  await deploy(run, templateFile);
  diagnostic(`${STACK} (${Object.keys(template.Resources).length} resources) created in ${Date.now() - started} ms (aws CLI ${run.v2 ? 'v2' : 'v1'}, ${run.runtime} runtime)`);
  const stack = await describeStack(server, STACK);
  assert.equal(stack.StackStatus, 'CREATE_COMPLETE');
  const apiUrl = output(stack, 'ApiUrl');
  assert.match(apiUrl, /^http:\/\/[a-z0-9]{10}\.execute-api\.localhost:\d+$/);
  // The service is steady when its task runs; the app inside may take a moment more to listen.
  const first = await eventually(async () => {
    const a = await curl(run, apiUrl);
    return a.status === 200 ? a : undefined;
  }, 'the Flask app through the API URL');
  assert.deepEqual(first, { status: 200, body: 'Serving flask app' });
  diagnostic(`curl ${apiUrl}/ → ${first.status} ${first.body}`);

  // What the stack made is what the services' APIs show: the task is registered in Cloud Map (SRV).
  const namespaceId = output(stack, 'NamespaceId');
  const services = await awsJson<{ Services: Array<{ Name: string; DnsConfig: { DnsRecords: Array<{ Type: string }> }; InstanceCount: number }> }>(server, [
    'servicediscovery',
    'list-services',
    '--filters',
    `Name=NAMESPACE_ID,Values=${namespaceId},Condition=EQ`,
  ]);
  assert.deepEqual(
    services.Services.map((s) => [s.Name, s.DnsConfig.DnsRecords.map((r) => r.Type)]),
    [['flask', ['SRV']]],
  );
  const describeService = async () =>
    (
      await awsJson<{ services: Array<{ desiredCount: number; runningCount: number }> }>(server, [
        'ecs',
        'describe-services',
        '--cluster',
        output(stack, 'ClusterName'),
        '--services',
        output(stack, 'ServiceName'),
      ])
    ).services[0]!;
  const one = await describeService();
  assert.deepEqual([one.desiredCount, one.runningCount], [1, 1]);

  // A second synth with two tasks: the same stack updated in place.
  await deploy(run, await synth(run, { desiredCount: '2' }));
  assert.equal((await describeStack(server, STACK)).StackStatus, 'UPDATE_COMPLETE');
  const scaled = await describeService();
  assert.deepEqual([scaled.desiredCount, scaled.runningCount], [2, 2]);
  assert.deepEqual(await curl(run, apiUrl), { status: 200, body: 'Serving flask app' });
  // The first template again (no DesiredCount): an update keeps the service's count, as on AWS.
  await deploy(run, templateFile);
  const kept = await describeService();
  assert.deepEqual([kept.desiredCount, kept.runningCount], [2, 2]);

  // Deleting the stack leaves nothing in any service.
  assert.equal((await awsCli(server, ['cloudformation', 'delete-stack', '--stack-name', STACK], { v2: run.v2 })).code, 0);
  const gone = await awsCli(server, ['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', STACK], { v2: run.v2 });
  assert.equal(gone.code, 0, gone.stderr);
  assert.deepEqual((await awsJson<{ Items?: unknown[] }>(server, ['apigatewayv2', 'get-apis'])).Items ?? [], []);
  assert.deepEqual((await awsJson<{ Items?: unknown[] }>(server, ['apigatewayv2', 'get-vpc-links'])).Items ?? [], []);
  assert.deepEqual((await awsJson<{ Namespaces: unknown[] }>(server, ['servicediscovery', 'list-namespaces'])).Namespaces, []);
  assert.deepEqual((await awsJson<{ Services: unknown[] }>(server, ['servicediscovery', 'list-services'])).Services, []);
  assert.deepEqual((await awsJson<{ clusterArns: unknown[] }>(server, ['ecs', 'list-clusters'])).clusterArns, []);
  assert.deepEqual((await awsJson<{ taskDefinitionArns: unknown[] }>(server, ['ecs', 'list-task-definitions', '--status', 'ACTIVE'])).taskDefinitionArns, []);
  const vpcs = await awsJson<{ Vpcs: Array<{ IsDefault: boolean }> }>(server, ['ec2', 'describe-vpcs']);
  assert.deepEqual(
    vpcs.Vpcs.filter((v) => !v.IsDefault),
    [],
  );
  const groups = await awsJson<{ SecurityGroups: Array<{ GroupName: string }> }>(server, ['ec2', 'describe-security-groups']);
  assert.deepEqual(
    groups.SecurityGroups.filter((g) => g.GroupName !== 'default'),
    [],
  );
  assert.deepEqual((await awsJson<{ InternetGateways: unknown[] }>(server, ['ec2', 'describe-internet-gateways'])).InternetGateways, []);
  assert.deepEqual(
    (await awsJson<{ Roles: Array<{ RoleName: string }> }>(server, ['iam', 'list-roles'])).Roles.filter((r) => r.RoleName.startsWith(STACK)),
    [],
  );
  assert.deepEqual((await awsJson<{ logGroups: unknown[] }>(server, ['logs', 'describe-log-groups', '--log-group-name-prefix', STACK])).logGroups, []);
}

test('the CDK app, synthesised and deployed with aws cloudformation deploy, on the process runtime', { skip: skipWithoutCdk }, async (t) => {
  const server = await startTestServer({ runtime: 'process' });
  try {
    await cdkStack({ server, runtime: 'process', v2: hasAwsCliV2() }, (m) => t.diagnostic(m));
  } finally {
    await server.destroy();
  }
});

const docker = process.env.WAYFINDER_TEST_DOCKER === '1';
test('the CDK app on the docker runtime, with the seed image', {
  skip: skipWithoutCdk || (docker ? false : 'set WAYFINDER_TEST_DOCKER=1 (CI does) to run the docker suites'),
}, async (t) => {
  const image = execFileSync('docker', ['images', '-q', SEED_IMAGE], { encoding: 'utf8' }).trim();
  assert.ok(image, `${SEED_IMAGE} must be built first: examples/seed-walkthrough/build-image.sh`);
  const server = await startTestServer({ runtime: 'docker' });
  try {
    await cdkStack({ server, runtime: 'docker', v2: hasAwsCliV2() }, (m) => t.diagnostic(m));
  } finally {
    await server.destroy();
  }
});

// What `new ecs.Cluster(…, { enableFargateCapacityProviders: true })` and a FargateService with
// `capacityProviderStrategies` synthesise: the service and the ClusterCapacityProviderAssociations
// both depend on the cluster only, so a delete removes them in parallel. ECS refuses to drop FARGATE
// while the service uses it; CloudFormation's handler retries until the service is gone.
const CAPACITY_STACK = `Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.70.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.70.1.0/24, AvailabilityZone: !Select [0, !GetAZs '']}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: tasks, VpcId: !Ref Vpc}
  Cluster:
    Type: AWS::ECS::Cluster
  ClusterProviders:
    Type: AWS::ECS::ClusterCapacityProviderAssociations
    Properties: {Cluster: !Ref Cluster, CapacityProviders: [FARGATE, FARGATE_SPOT], DefaultCapacityProviderStrategy: []}
  Namespace:
    Type: AWS::ServiceDiscovery::PrivateDnsNamespace
    Properties: {Name: capacity.local, Vpc: !Ref Vpc}
  Discovery:
    Type: AWS::ServiceDiscovery::Service
    Properties:
      Name: app
      NamespaceId: !GetAtt Namespace.Id
      DnsConfig: {DnsRecords: [{Type: SRV, TTL: 60}], NamespaceId: !GetAtt Namespace.Id, RoutingPolicy: MULTIVALUE}
      HealthCheckCustomConfig: {FailureThreshold: 1}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      Cpu: '256'
      Memory: '512'
      ContainerDefinitions:
        - {Name: app, Image: ${SEED_IMAGE}, Essential: true, EntryPoint: [python3, ${SEED_APP}], PortMappings: [{ContainerPort: 80, Protocol: tcp}]}
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref Task
      DesiredCount: 1
      CapacityProviderStrategy: [{CapacityProvider: FARGATE, Weight: 1}]
      NetworkConfiguration: {AwsvpcConfiguration: {AssignPublicIp: DISABLED, Subnets: [!Ref Subnet], SecurityGroups: [!GetAtt Sg.GroupId]}}
      ServiceRegistries: [{RegistryArn: !GetAtt Discovery.Arn, ContainerName: app, ContainerPort: 80}]
`;

test('a cluster with Fargate capacity providers as CDK writes it: the delete waits for the service before dropping FARGATE', async () => {
  const server = await startTestServer({ runtime: 'process' });
  try {
    const v2 = hasAwsCliV2();
    const deployed = await awsCli(server, ['cloudformation', 'deploy', '--stack-name', 'capacity', '--template-file', templateFile(CAPACITY_STACK)], { v2 });
    assert.equal(deployed.code, 0, deployed.stderr);
    const cluster = (
      await awsJson<{ StackResources: Array<{ LogicalResourceId: string; PhysicalResourceId: string }> }>(server, [
        'cloudformation',
        'describe-stack-resources',
        '--stack-name',
        'capacity',
        '--logical-resource-id',
        'Cluster',
      ])
    ).StackResources[0]!.PhysicalResourceId;
    const before = await awsJson<{ clusters: Array<{ capacityProviders: string[] }> }>(server, ['ecs', 'describe-clusters', '--clusters', cluster]);
    assert.deepEqual(before.clusters[0]!.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);

    assert.equal((await awsCli(server, ['cloudformation', 'delete-stack', '--stack-name', 'capacity'], { v2 })).code, 0);
    const gone = await awsCli(server, ['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'capacity'], { v2 });
    const events = await awsJson<{ StackEvents: Array<{ LogicalResourceId: string; ResourceStatus: string; ResourceStatusReason?: string }> }>(server, [
      'cloudformation',
      'describe-stack-events',
      '--stack-name',
      (await awsJson<{ StackSummaries: Array<{ StackId: string; StackName: string }> }>(server, ['cloudformation', 'list-stacks'])).StackSummaries.find(
        (s) => s.StackName === 'capacity',
      )!.StackId,
    ]);
    assert.deepEqual(
      events.StackEvents.filter((e) => e.ResourceStatus.endsWith('FAILED')).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`),
      [],
    );
    assert.equal(gone.code, 0, gone.stderr);
    assert.deepEqual((await awsJson<{ clusterArns: unknown[] }>(server, ['ecs', 'list-clusters'])).clusterArns, []);
  } finally {
    await server.destroy();
  }
});
