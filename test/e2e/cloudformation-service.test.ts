// The architecture's second stack in CloudFormation: an ECS service registered in Cloud Map behind a
// VPC link, an HTTP API, an integration, a route and a stage. Deployed with `aws cloudformation
// deploy`, the invoke URL from the outputs serves the task; updates change the desired count and the
// task definition while the gateway keeps answering; delete leaves nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.js';
import { awsCli, awsJson, describeStack, output, templateFile } from '../support/cloudformation.js';
import { send } from '../support/gateway.js';
import { hasAwsCliV2 } from '../support/aws-cli.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.destroy());

// The walkthrough uses aws CLI v2: this stack deploys with it where it is installed (.ci/run).
const cli = (args: string[]) => awsCli(server, args, { v2: hasAwsCliV2() });

function www(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wf-cfn-www-'));
  writeFileSync(join(dir, 'index.html'), `${body}\n`);
  return dir;
}

const SERVICE_STACK = `Parameters:
  Image: {Type: String, Default: busybox}
  Www: {Type: String}
  Count: {Type: Number, Default: 1, MinValue: 0, MaxValue: 4}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.40.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.40.1.0/24}
  TaskSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: tasks
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 8080, ToPort: 8080, CidrIp: 10.40.0.0/16}]
  Namespace:
    Type: AWS::ServiceDiscovery::PrivateDnsNamespace
    Properties: {Name: web.internal, Vpc: !Ref Vpc}
  Discovery:
    Type: AWS::ServiceDiscovery::Service
    Properties:
      Name: web
      NamespaceId: !Ref Namespace
      DnsConfig: {DnsRecords: [{Type: SRV, TTL: 10}]}
      HealthCheckCustomConfig: {FailureThreshold: 1}
  Cluster:
    Type: AWS::ECS::Cluster
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      Cpu: 256
      Memory: 512
      ContainerDefinitions:
        - Name: web
          Image: !Ref Image
          Command: [sh, -c, !Sub 'exec busybox httpd -f -p "127.0.0.1:$PORT" -h "\${Www}"']
          PortMappings: [{ContainerPort: 8080}]
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref Task
      DesiredCount: !Ref Count
      LaunchType: FARGATE
      DeploymentConfiguration: {MinimumHealthyPercent: 100, MaximumPercent: 200}
      NetworkConfiguration:
        AwsvpcConfiguration: {Subnets: [!Ref Subnet], SecurityGroups: [!Ref TaskSg]}
      ServiceRegistries: [{RegistryArn: !GetAtt Discovery.Arn, Port: 8080}]
  Link:
    Type: AWS::ApiGatewayV2::VpcLink
    Properties: {Name: web-link, SubnetIds: [!Ref Subnet], SecurityGroupIds: [!Ref TaskSg]}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: web-api, ProtocolType: HTTP}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationMethod: ANY
      ConnectionType: VPC_LINK
      ConnectionId: !Ref Link
      IntegrationUri: !GetAtt Discovery.Arn
      PayloadFormatVersion: '1.0'
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: 'ANY /{proxy+}', Target: !Sub 'integrations/\${Integration}'}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: $default, AutoDeploy: true}
Outputs:
  InvokeUrl:
    Value: !GetAtt Api.ApiEndpoint
  ServiceArn:
    Value: !Ref Service
  ClusterName:
    Value: !Ref Cluster
`;

/** GET `path` through the gateway at the stack's invoke URL (its host, on the test server's port). */
async function get(invokeUrl: string, path = '/index.html') {
  return send(server.port, { host: new URL(invokeUrl).host, path, timeoutMs: 10_000 });
}

test('the ECS service and HTTP API stack: the invoke URL serves the task, updates roll without 5xx, delete leaves nothing', async () => {
  const file = templateFile(SERVICE_STACK);
  const first = www('first version');
  const deploy = await cli(['cloudformation', 'deploy', '--stack-name', 'web', '--template-file', file, '--parameter-overrides', `Www=${first}`, 'Count=1']);
  assert.equal(deploy.code, 0, deploy.stderr);
  const stack = await describeStack(server, 'web');
  const url = output(stack, 'InvokeUrl');
  assert.match(url, /^http:\/\/[a-z0-9]{10}\.execute-api\.localhost:\d+$/);
  const answer = await get(url);
  assert.equal(answer.status, 200);
  assert.equal(answer.text, 'first version\n');

  // Updates: the desired count, then the task definition (a new revision), with traffic flowing.
  const statuses: number[] = [];
  let rolling = true;
  const traffic = (async () => {
    while (rolling) {
      statuses.push((await get(url)).status);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const scaled = await cli(['cloudformation', 'deploy', '--stack-name', 'web', '--template-file', file, '--parameter-overrides', `Www=${first}`, 'Count=2']);
  assert.equal(scaled.code, 0, scaled.stderr);
  const services = await awsJson<{ services: Array<{ desiredCount: number; runningCount: number; taskDefinition: string }> }>(server, [
    'ecs',
    'describe-services',
    '--cluster',
    output(stack, 'ClusterName'),
    '--services',
    output(stack, 'ServiceArn'),
  ]);
  assert.deepEqual([services.services[0]!.desiredCount, services.services[0]!.runningCount], [2, 2]);
  const second = www('second version');
  const rolled = await cli(['cloudformation', 'deploy', '--stack-name', 'web', '--template-file', file, '--parameter-overrides', `Www=${second}`, 'Image=busybox:2']);
  assert.equal(rolled.code, 0, rolled.stderr);
  rolling = false;
  await traffic;
  assert.ok(statuses.length > 0);
  assert.deepEqual(
    statuses.filter((s) => s >= 500),
    [],
  );
  const after = await awsJson<{ services: Array<{ taskDefinition: string }> }>(server, [
    'ecs',
    'describe-services',
    '--cluster',
    output(stack, 'ClusterName'),
    '--services',
    output(stack, 'ServiceArn'),
  ]);
  assert.match(after.services[0]!.taskDefinition, /:task-definition\/web:2$/);
  const now = await get(url);
  assert.equal(now.text, 'second version\n');

  const del = await cli(['cloudformation', 'delete-stack', '--stack-name', 'web']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal((await cli(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'web'])).code, 0);
  assert.deepEqual((await awsJson<{ Items?: unknown[] }>(server, ['apigatewayv2', 'get-apis'])).Items ?? [], []);
  assert.deepEqual((await awsJson<{ Items?: unknown[] }>(server, ['apigatewayv2', 'get-vpc-links'])).Items ?? [], []);
  assert.deepEqual((await awsJson<{ Namespaces: unknown[] }>(server, ['servicediscovery', 'list-namespaces'])).Namespaces, []);
  assert.deepEqual((await awsJson<{ clusterArns: unknown[] }>(server, ['ecs', 'list-clusters'])).clusterArns, []);
  const tasks = await awsJson<{ taskDefinitionArns: unknown[] }>(server, ['ecs', 'list-task-definitions', '--status', 'ACTIVE']);
  assert.deepEqual(tasks.taskDefinitionArns, []);
});
