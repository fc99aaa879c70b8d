// The seed walkthrough end to end, driven by the AWS SDK v3 as a user's code would: VPC and subnets,
// a private DNS namespace with an SRV service, an ECS Fargate service registered in it, a VPC link,
// an HTTP API with `ANY /` integrated with the Cloud Map service, the $default stage, a deployment —
// then the invoke URL answers "Serving flask app" from the task, and DNS answers the task's SRV.
// Runs on the process runtime (python3 + Flask from the machine); a docker variant runs when
// WAYFINDER_TEST_DOCKER=1 with the image built by examples/seed-walkthrough/build-image.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import * as E from '@aws-sdk/client-ec2';
import * as SD from '@aws-sdk/client-servicediscovery';
import * as ECS from '@aws-sdk/client-ecs';
import * as AG from '@aws-sdk/client-apigatewayv2';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { seedTaskDefinition } from '../support/seed-app.js';

const REGION = 'eu-west-2';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

async function walkthrough(server: TestServer, runtime: 'process' | 'docker'): Promise<void> {
  const cfg = sdkConfig(server, REGION);
  const ec2 = new E.EC2Client(cfg);
  const sd = new SD.ServiceDiscoveryClient({ ...cfg, disableHostPrefix: true }); // SDKs send DiscoverInstances to data-<host> otherwise
  const ecs = new ECS.ECSClient(cfg);
  const apigw = new AG.ApiGatewayV2Client(cfg);

  // Step 2: base network.
  const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  const subnetA = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  const subnetB = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.2.0/24', AvailabilityZone: `${REGION}b` }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'flask', Description: 'flask tasks', VpcId: vpc }))).GroupId!;

  // ECS cluster and the Fargate task definition.
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'flask-cluster' }));
  await ecs.send(new ECS.RegisterTaskDefinitionCommand(seedTaskDefinition({ processRuntime: runtime === 'process' })));

  // Service discovery: private namespace, SRV, custom health.
  const op = (await sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: 'flask.local', Vpc: vpc }))).OperationId!;
  const ns = await until('namespace operation', async () => {
    const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId: op }));
    return Operation?.Status === 'SUCCESS' ? Operation.Targets!.NAMESPACE : undefined;
  });
  const registry = (
    await sd.send(
      new SD.CreateServiceCommand({
        Name: 'flask-app',
        NamespaceId: ns,
        DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: 'SRV', TTL: 60 }] },
        HealthCheckCustomConfig: { FailureThreshold: 1 },
      }),
    )
  ).Service!;

  // The ECS service, registered in Cloud Map.
  await ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'flask-cluster',
      serviceName: 'flask-app',
      taskDefinition: 'flask-app',
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnetA, subnetB], securityGroups: [sg], assignPublicIp: 'DISABLED' } },
      serviceRegistries: [{ registryArn: registry.Arn!, port: 80 }],
    }),
  );
  await until(
    'a running task',
    async () => {
      const { services } = await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'flask-cluster', services: ['flask-app'] }));
      return services?.[0]?.runningCount === 1 ? true : undefined;
    },
    90_000,
  );

  // VPC link, HTTP API, ANY / route, Cloud Map integration, $default stage (auto-deploy off), deployment.
  const link = (await apigw.send(new AG.CreateVpcLinkCommand({ Name: 'flask-link', SubnetIds: [subnetA, subnetB], SecurityGroupIds: [sg] }))).VpcLinkId!;
  await until('VPC link AVAILABLE', async () => ((await apigw.send(new AG.GetVpcLinkCommand({ VpcLinkId: link }))).VpcLinkStatus === 'AVAILABLE' ? true : undefined));
  const api = await apigw.send(new AG.CreateApiCommand({ Name: 'flask-api', ProtocolType: 'HTTP' }));
  const route = await apigw.send(new AG.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'ANY /' }));
  const integration = await apigw.send(
    new AG.CreateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      ConnectionType: 'VPC_LINK',
      ConnectionId: link,
      IntegrationUri: registry.Arn,
      PayloadFormatVersion: '1.0',
    }),
  );
  await apigw.send(new AG.UpdateRouteCommand({ ApiId: api.ApiId, RouteId: route.RouteId, Target: `integrations/${integration.IntegrationId}` }));
  await apigw.send(new AG.CreateStageCommand({ ApiId: api.ApiId, StageName: '$default' }));
  await apigw.send(new AG.CreateDeploymentCommand({ ApiId: api.ApiId, StageName: '$default' }));
  assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${server.port}`);

  // The invoke URL answers from the task (path form: Node does not resolve *.localhost).
  const body = await until('the Flask app through the gateway', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/_aws/execute-api/${api.ApiId}/$default/`);
    const text = await res.text();
    return res.status === 200 ? text : undefined;
  });
  assert.equal(body, 'Serving flask app');

  // DNS answers the task's SRV record and its address.
  const resolver = new Resolver();
  resolver.setServers([`127.0.0.1:${server.facts().dnsPort}`]);
  const srv = await resolver.resolveSrv('flask-app.flask.local');
  assert.equal(srv.length, 1);
  const { taskArns } = await ecs.send(new ECS.ListTasksCommand({ cluster: 'flask-cluster', serviceName: 'flask-app' }));
  assert.equal(srv[0]!.name, `${taskArns![0]!.split('/').pop()}.flask-app.flask.local`);
  assert.deepEqual(await resolver.resolve4(srv[0]!.name), ['127.0.0.1']);
  const direct = await fetch(`http://127.0.0.1:${srv[0]!.port}/`);
  assert.equal(await direct.text(), 'Serving flask app');

  await ecs.send(new ECS.UpdateServiceCommand({ cluster: 'flask-cluster', service: 'flask-app', desiredCount: 0 }));
  await ecs.send(new ECS.DeleteServiceCommand({ cluster: 'flask-cluster', service: 'flask-app' }));
  for (const c of [ec2, sd, ecs, apigw]) c.destroy();
}

test('the seed walkthrough on the process runtime: invoke URL → VPC link → Cloud Map → ECS task', async () => {
  const server = await startTestServer({ runtime: 'process' });
  try {
    await walkthrough(server, 'process');
  } finally {
    await server.destroy();
  }
});

const docker = process.env.WAYFINDER_TEST_DOCKER === '1';
test('the seed walkthrough on the docker runtime', { skip: docker ? false : 'set WAYFINDER_TEST_DOCKER=1 (CI does) to run the docker suites' }, async () => {
  const image = execFileSync('docker', ['images', '-q', 'flask-app-fargate-fargate:latest'], { encoding: 'utf8' }).trim();
  assert.ok(image, 'flask-app-fargate-fargate:latest must be built first: examples/seed-walkthrough/build-image.sh');
  const server = await startTestServer({ runtime: 'docker' });
  try {
    await walkthrough(server, 'docker');
  } finally {
    await server.destroy();
  }
});
