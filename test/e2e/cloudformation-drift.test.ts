// Drift detection through aws CLI v2: a stack of the architecture's types deployed, then changed out of
// band with the CLI (a log group's retention, an ECS service's desired count, a security group's
// ingress rule, an HTTP API route deleted): detect-stack-drift reports MODIFIED with the property
// differences, DELETED for the deleted route, IN_SYNC for everything untouched, and the stack DRIFTED;
// a nested stack's resource follows its child's drift.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { awsCli, awsJson, describeStack, output, templateFile } from '../support/cloudformation.js';
import { hasAwsCliV2 } from '../support/aws-cli.js';
import { waitFor } from '../support/ecs.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.destroy());

const cli = (args: string[]) => awsCli(server, args, { v2: hasAwsCliV2() });
const json = <T = Record<string, unknown>>(args: string[]) => awsJson<T>(server, args);

const TEMPLATE = `Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /drift/app
      RetentionInDays: 7
      Tags: [{Key: team, Value: blue}]
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.33.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.33.1.0/24}
  TaskSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: tasks
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 8080, ToPort: 8080, CidrIp: 10.33.0.0/16}
        - {IpProtocol: tcp, FromPort: 9090, ToPort: 9090, CidrIp: 10.33.0.0/16}
  ExecRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: 'sts:AssumeRole'}]
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy']
  Namespace:
    Type: AWS::ServiceDiscovery::PrivateDnsNamespace
    Properties: {Name: drift.internal, Vpc: !Ref Vpc}
  Discovery:
    Type: AWS::ServiceDiscovery::Service
    Properties:
      Name: app
      NamespaceId: !Ref Namespace
      DnsConfig: {DnsRecords: [{Type: SRV, TTL: 10}]}
      HealthCheckCustomConfig: {FailureThreshold: 1}
  Cluster:
    Type: AWS::ECS::Cluster
    Properties: {ClusterName: drift-cluster}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: drift-app
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      Cpu: 256
      Memory: 512
      ExecutionRoleArn: !GetAtt ExecRole.Arn
      ContainerDefinitions:
        - Name: app
          Image: busybox
          Command: [sh, -c, 'exec sleep 600']
          PortMappings: [{ContainerPort: 8080}]
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref Task
      DesiredCount: 1
      LaunchType: FARGATE
      NetworkConfiguration:
        AwsvpcConfiguration: {Subnets: [!Ref Subnet], SecurityGroups: [!Ref TaskSg]}
      ServiceRegistries: [{RegistryArn: !GetAtt Discovery.Arn, Port: 8080}]
  Link:
    Type: AWS::ApiGatewayV2::VpcLink
    Properties: {Name: drift-link, SubnetIds: [!Ref Subnet], SecurityGroupIds: [!Ref TaskSg]}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: drift-api, ProtocolType: HTTP}
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
  ServiceArn: {Value: !Ref Service}
  SecurityGroup: {Value: !Ref TaskSg}
  ApiId: {Value: !Ref Api}
  RouteId: {Value: !Ref Route}
`;

interface Drift {
  LogicalResourceId: string;
  StackResourceDriftStatus: string;
  PropertyDifferences?: Array<{ PropertyPath: string; ExpectedValue: string; ActualValue: string; DifferenceType: string }>;
}

/** Runs detect-stack-drift and waits (describe-stack-drift-detection-status) for it to end. */
async function detect(stack: string): Promise<{ DetectionStatus: string; StackDriftStatus: string; DriftedStackResourceCount: number }> {
  const { StackDriftDetectionId: id } = await json<{ StackDriftDetectionId: string }>(['cloudformation', 'detect-stack-drift', '--stack-name', stack]);
  return waitFor('the drift detection', async () => {
    const s = await json<{ DetectionStatus: string; StackDriftStatus: string; DriftedStackResourceCount: number }>([
      'cloudformation',
      'describe-stack-drift-detection-status',
      '--stack-drift-detection-id',
      id,
    ]);
    return s.DetectionStatus === 'DETECTION_IN_PROGRESS' ? undefined : s;
  });
}

const drifts = async (stack: string) =>
  (await json<{ StackResourceDrifts: Drift[] }>(['cloudformation', 'describe-stack-resource-drifts', '--stack-name', stack])).StackResourceDrifts;

test('drift: untouched resources are IN_SYNC; out-of-band changes are MODIFIED with their differences, a deleted one DELETED', async () => {
  const deployed = await cli(['cloudformation', 'deploy', '--stack-name', 'drifty', '--template-file', templateFile(TEMPLATE), '--capabilities', 'CAPABILITY_IAM']);
  assert.equal(deployed.code, 0, deployed.stderr);
  const stack = await describeStack(server, 'drifty');

  // Before any detection: NOT_CHECKED everywhere.
  const before = await json<{ Stacks: Array<{ DriftInformation: { StackDriftStatus: string } }> }>(['cloudformation', 'describe-stacks', '--stack-name', 'drifty']);
  assert.equal(before.Stacks[0]!.DriftInformation.StackDriftStatus, 'NOT_CHECKED');

  // 1. Nothing changed: the stack and every checked resource are IN_SYNC.
  const clean = await detect('drifty');
  assert.equal(clean.DetectionStatus, 'DETECTION_COMPLETE');
  const cleanDrifts = await drifts('drifty');
  assert.deepEqual(
    cleanDrifts.filter((d) => d.StackResourceDriftStatus !== 'IN_SYNC').map((d) => ({ id: d.LogicalResourceId, diffs: d.PropertyDifferences })),
    [],
  );
  assert.deepEqual(cleanDrifts.map((d) => d.LogicalResourceId).sort(), [
    'Api',
    'Cluster',
    'Discovery',
    'ExecRole',
    'Integration',
    'Link',
    'Logs',
    'Namespace',
    'Route',
    'Service',
    'Stage',
    'Subnet',
    'Task',
    'TaskSg',
    'Vpc',
  ]);
  assert.equal(clean.StackDriftStatus, 'IN_SYNC');
  assert.equal(clean.DriftedStackResourceCount, 0);

  // 2. Out of band, with the CLI.
  assert.equal((await cli(['logs', 'put-retention-policy', '--log-group-name', '/drift/app', '--retention-in-days', '30'])).code, 0);
  const scaled = await cli(['ecs', 'update-service', '--cluster', 'drift-cluster', '--service', output(stack, 'ServiceArn'), '--desired-count', '2']);
  assert.equal(scaled.code, 0, scaled.stderr);
  const revoked = await cli([
    'ec2',
    'revoke-security-group-ingress',
    '--group-id',
    output(stack, 'SecurityGroup'),
    '--protocol',
    'tcp',
    '--port',
    '9090',
    '--cidr',
    '10.33.0.0/16',
  ]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal((await cli(['apigatewayv2', 'delete-route', '--api-id', output(stack, 'ApiId'), '--route-id', output(stack, 'RouteId')])).code, 0);

  const dirty = await detect('drifty');
  assert.equal(dirty.DetectionStatus, 'DETECTION_COMPLETE');
  assert.equal(dirty.StackDriftStatus, 'DRIFTED');
  assert.equal(dirty.DriftedStackResourceCount, 4);
  const byId = new Map((await drifts('drifty')).map((d) => [d.LogicalResourceId, d]));
  assert.deepEqual(byId.get('Logs')?.PropertyDifferences, [{ PropertyPath: '/RetentionInDays', ExpectedValue: '7', ActualValue: '30', DifferenceType: 'NOT_EQUAL' }]);
  assert.equal(byId.get('Logs')?.StackResourceDriftStatus, 'MODIFIED');
  assert.deepEqual(byId.get('Service')?.PropertyDifferences, [{ PropertyPath: '/DesiredCount', ExpectedValue: '1', ActualValue: '2', DifferenceType: 'NOT_EQUAL' }]);
  const sg = byId.get('TaskSg')!;
  assert.equal(sg.StackResourceDriftStatus, 'MODIFIED');
  assert.deepEqual(
    sg.PropertyDifferences?.map((d) => [d.PropertyPath, d.DifferenceType]),
    [['/SecurityGroupIngress/1', 'REMOVE']],
  );
  assert.equal(byId.get('Route')?.StackResourceDriftStatus, 'DELETED');
  for (const id of ['Vpc', 'Subnet', 'ExecRole', 'Cluster', 'Task', 'Namespace', 'Discovery', 'Api', 'Integration', 'Stage', 'Link']) {
    assert.equal(byId.get(id)?.StackResourceDriftStatus, 'IN_SYNC', id);
  }

  // The filter, the single-resource call and the drift fields of the other reads.
  const onlyModified = await json<{ StackResourceDrifts: Drift[] }>([
    'cloudformation',
    'describe-stack-resource-drifts',
    '--stack-name',
    'drifty',
    '--stack-resource-drift-status-filters',
    'DELETED',
  ]);
  assert.deepEqual(
    onlyModified.StackResourceDrifts.map((d) => d.LogicalResourceId),
    ['Route'],
  );
  const one = await json<{ StackResourceDrift: Drift }>(['cloudformation', 'detect-stack-resource-drift', '--stack-name', 'drifty', '--logical-resource-id', 'Logs']);
  assert.equal(one.StackResourceDrift.StackResourceDriftStatus, 'MODIFIED');
  const described = await json<{ Stacks: Array<{ DriftInformation: { StackDriftStatus: string; LastCheckTimestamp?: string } }> }>([
    'cloudformation',
    'describe-stacks',
    '--stack-name',
    'drifty',
  ]);
  assert.equal(described.Stacks[0]!.DriftInformation.StackDriftStatus, 'DRIFTED');
  assert.ok(described.Stacks[0]!.DriftInformation.LastCheckTimestamp);
  const resource = await json<{ StackResourceDetail: { DriftInformation: { StackResourceDriftStatus: string } } }>([
    'cloudformation',
    'describe-stack-resource',
    '--stack-name',
    'drifty',
    '--logical-resource-id',
    'Route',
  ]);
  assert.equal(resource.StackResourceDetail.DriftInformation.StackResourceDriftStatus, 'DELETED');
  const listed = await json<{ StackResourceSummaries: Array<{ LogicalResourceId: string; DriftInformation: { StackResourceDriftStatus: string } }> }>([
    'cloudformation',
    'list-stack-resources',
    '--stack-name',
    'drifty',
  ]);
  assert.equal(listed.StackResourceSummaries.find((r) => r.LogicalResourceId === 'Service')?.DriftInformation.StackResourceDriftStatus, 'MODIFIED');

  // An unknown detection id and an unknown resource get AWS's ValidationError.
  const unknown = await cli(['cloudformation', 'describe-stack-drift-detection-status', '--stack-drift-detection-id', '00000000-0000-0000-0000-000000000000']);
  assert.match(unknown.stderr, /ValidationError/);
  const noResource = await cli(['cloudformation', 'detect-stack-resource-drift', '--stack-name', 'drifty', '--logical-resource-id', 'Nope']);
  assert.match(noResource.stderr, /ValidationError/);

  // Delete still leaves nothing (the out-of-band route is already gone).
  assert.equal((await cli(['cloudformation', 'delete-stack', '--stack-name', 'drifty'])).code, 0);
  assert.equal((await cli(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'drifty'])).code, 0);
  assert.deepEqual((await json<{ logGroups: unknown[] }>(['logs', 'describe-log-groups', '--log-group-name-prefix', '/drift'])).logGroups, []);
});

test('drift of a nested stack: its resource in the parent is MODIFIED when the child drifted, DELETED when the child is gone', async () => {
  const child = templateFile(`Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: /drift/nested, RetentionInDays: 5}
`);
  const parent = `Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: ${child}}
`;
  assert.equal((await cli(['cloudformation', 'create-stack', '--stack-name', 'drift-parent', '--template-body', parent])).code, 0);
  await cli(['cloudformation', 'wait', 'stack-create-complete', '--stack-name', 'drift-parent']);
  assert.equal((await detect('drift-parent')).StackDriftStatus, 'IN_SYNC');
  assert.equal((await cli(['logs', 'put-retention-policy', '--log-group-name', '/drift/nested', '--retention-in-days', '1'])).code, 0);
  const d = await detect('drift-parent');
  assert.deepEqual([d.StackDriftStatus, d.DriftedStackResourceCount], ['DRIFTED', 1]);
  const [nested] = await drifts('drift-parent');
  assert.equal(nested?.StackResourceDriftStatus, 'MODIFIED');
  const childId = (await json<{ StackResources: Array<{ PhysicalResourceId: string }> }>(['cloudformation', 'describe-stack-resources', '--stack-name', 'drift-parent']))
    .StackResources[0]!.PhysicalResourceId;
  const [logs] = await drifts(childId);
  assert.deepEqual(logs?.PropertyDifferences, [{ PropertyPath: '/RetentionInDays', ExpectedValue: '5', ActualValue: '1', DifferenceType: 'NOT_EQUAL' }]);

  // The child deleted directly (allowed: the root is not protected): the parent's resource is DELETED.
  assert.equal((await cli(['cloudformation', 'delete-stack', '--stack-name', childId])).code, 0);
  await cli(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', childId]);
  await detect('drift-parent');
  assert.equal((await drifts('drift-parent'))[0]?.StackResourceDriftStatus, 'DELETED');
  assert.equal((await cli(['cloudformation', 'delete-stack', '--stack-name', 'drift-parent'])).code, 0);
  await cli(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'drift-parent']);
  assert.equal((await describeStack(server, childId)).StackStatus, 'DELETE_COMPLETE');
});
