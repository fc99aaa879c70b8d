// A restart during a stack's create: the stack is found CREATE_IN_PROGRESS at the next start and
// rolled back (ROLLBACK_COMPLETE, nothing left), never left stuck _IN_PROGRESS; with a nested stack,
// the child is rolled back first and then deleted by its parent's rollback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startTestServer } from '../support/server.js';
import { awsCli, awsJson, creationInitiated, describeStack, settledStatus, templateFile } from '../support/cloudformation.js';
import { waitFor } from '../support/ecs.js';

const TEMPLATE = `Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.90.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.90.1.0/24}
  Link:
    Type: AWS::ApiGatewayV2::VpcLink
    Properties: {Name: slow-link, SubnetIds: [!Ref Subnet]}
`;

test('a restart while a resource stabilises rolls the stack back at the next start', async () => {
  // The VPC link stays PENDING for ten minutes: the stack waits on it when the server stops.
  const first = await startTestServer({ vpcLinkDelayMs: 600_000 });
  const dataDir = first.dataDir;
  let stopped = false;
  try {
    const created = await awsCli(first, ['cloudformation', 'create-stack', '--stack-name', 'slow', '--template-body', TEMPLATE]);
    assert.equal(created.code, 0, created.stderr);
    await waitFor('the VPC link to be made', () => creationInitiated(first, 'slow', 'Link'));
    assert.equal((await describeStack(first, 'slow')).StackStatus, 'CREATE_IN_PROGRESS');
    await first.close();
    stopped = true;
  } finally {
    if (!stopped) await first.destroy();
  }

  const second = await startTestServer({ vpcLinkDelayMs: 0 }, dataDir);
  try {
    // (The CLI's stack-rollback-complete waiter waits for UPDATE_ROLLBACK_COMPLETE, so poll instead.)
    const status = await waitFor('the rollback', () => settledStatus(second, 'slow'));
    assert.equal(status, 'ROLLBACK_COMPLETE');
    const events = await awsJson<{ StackEvents: Array<{ ResourceStatus: string; ResourceStatusReason?: string }> }>(second, [
      'cloudformation',
      'describe-stack-events',
      '--stack-name',
      'slow',
    ]);
    assert.ok(events.StackEvents.some((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS' && e.ResourceStatusReason === 'Wayfinder restarted during the operation'));
    assert.deepEqual((await awsJson<{ Items?: unknown[] }>(second, ['apigatewayv2', 'get-vpc-links'])).Items ?? [], []);
    const vpcs = await awsJson<{ Vpcs: Array<{ CidrBlock: string }> }>(second, ['ec2', 'describe-vpcs']);
    assert.ok(!vpcs.Vpcs.some((v) => v.CidrBlock === '10.90.0.0/16'));
  } finally {
    await second.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a restart while a nested stack is being created rolls back the child and the parent, nothing left _IN_PROGRESS', async () => {
  const child = templateFile(TEMPLATE.replace(/10\.90\./g, '10.91.').replace('slow-link', 'nested-slow-link'));
  const parent = `Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: /restart/nested}
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: ${child}}
`;
  const first = await startTestServer({ vpcLinkDelayMs: 600_000 });
  const dataDir = first.dataDir;
  let stopped = false;
  let childId = '';
  try {
    const created = await awsCli(first, ['cloudformation', 'create-stack', '--stack-name', 'nest-slow', '--template-body', parent]);
    assert.equal(created.code, 0, created.stderr);
    childId = await waitFor('the nested stack to wait on its VPC link', async () => {
      const rs = await awsJson<{ StackResources: Array<{ LogicalResourceId: string; PhysicalResourceId?: string }> }>(first, [
        'cloudformation',
        'describe-stack-resources',
        '--stack-name',
        'nest-slow',
      ]);
      const id = rs.StackResources.find((r) => r.LogicalResourceId === 'Child')?.PhysicalResourceId;
      if (!id) return undefined;
      return (await creationInitiated(first, id, 'Link')) ? id : undefined;
    });
    assert.equal((await describeStack(first, childId)).StackStatus, 'CREATE_IN_PROGRESS');
    assert.equal((await describeStack(first, 'nest-slow')).StackStatus, 'CREATE_IN_PROGRESS');
    await first.close();
    stopped = true;
  } finally {
    if (!stopped) await first.destroy();
  }

  const second = await startTestServer({ vpcLinkDelayMs: 0 }, dataDir);
  try {
    const status = await waitFor('the parent rollback', () => settledStatus(second, 'nest-slow'));
    assert.equal(status, 'ROLLBACK_COMPLETE');
    assert.equal((await describeStack(second, childId)).StackStatus, 'DELETE_COMPLETE');
    const all = await awsJson<{ StackSummaries: Array<{ StackName: string; StackStatus: string }> }>(second, ['cloudformation', 'list-stacks']);
    assert.deepEqual(
      all.StackSummaries.filter((s) => s.StackStatus.endsWith('_IN_PROGRESS')),
      [],
    );
    assert.deepEqual((await awsJson<{ Items?: unknown[] }>(second, ['apigatewayv2', 'get-vpc-links'])).Items ?? [], []);
    assert.deepEqual((await awsJson<{ logGroups: unknown[] }>(second, ['logs', 'describe-log-groups', '--log-group-name-prefix', '/restart'])).logGroups, []);
    const vpcs = await awsJson<{ Vpcs: Array<{ CidrBlock: string }> }>(second, ['ec2', 'describe-vpcs']);
    assert.ok(!vpcs.Vpcs.some((v) => v.CidrBlock === '10.91.0.0/16'));
  } finally {
    await second.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
