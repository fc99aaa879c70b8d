// ECS and IAM roles on the process runtime: RegisterTaskDefinition and RunTask check the roles they name,
// every task gets AWS_ENDPOINT_URL and its region (its own environment winning), and a task with a task
// role runs an unconfigured AWS SDK for JavaScript v3 that lists clusters through Wayfinder as that role,
// printing what it saw to its awslogs stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as EC2 from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import * as IAM from '@aws-sdk/client-iam';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { failureOf } from '../support/errors.js';
import { defaultNetwork, taskIdOf, waitFor } from '../support/ecs.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));
const ACCOUNT = '000000000000';

let server: TestServer;
let ecs: ECS.ECSClient;
let logs: L.CloudWatchLogsClient;
/** Whether the IAM product answers (the role-credential tests need it, and fail without it rather than skip). */
let iamServed = false;

before(async () => {
  server = await startTestServer({ taskStableMs: 500 });
  ecs = new ECS.ECSClient(sdkConfig(server));
  logs = new L.CloudWatchLogsClient(sdkConfig(server));
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'roles' }));
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'second' }));
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/ecs/roles' }));
  const health = (await (await fetch(`${server.endpoint}/_wayfinder/health`)).json()) as { services: Record<string, string> };
  iamServed = health.services.iam === 'running';
});
after(async () => {
  ecs.destroy();
  logs.destroy();
  await server.destroy();
});

const awslogs = (prefix: string): ECS.LogConfiguration => ({
  logDriver: 'awslogs',
  options: { 'awslogs-group': '/ecs/roles', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': prefix },
});

function register(family: string, container: Partial<ECS.ContainerDefinition>, roles: { taskRoleArn?: string; executionRoleArn?: string } = {}) {
  return ecs.send(new ECS.RegisterTaskDefinitionCommand({ family, ...roles, containerDefinitions: [{ name: 'main', image: 'node', memory: 64, ...container }] }));
}

/** Runs a task to its end and returns the lines of its awslogs stream. */
async function runToEnd(taskDefinition: string, prefix: string, overrides?: ECS.TaskOverride): Promise<{ task: ECS.Task; lines: string[] }> {
  const run = await ecs.send(new ECS.RunTaskCommand({ cluster: 'roles', taskDefinition, ...(overrides ? { overrides } : {}) }));
  const arn = run.tasks![0]!.taskArn!;
  const task = await waitFor(
    'STOPPED',
    async () => {
      const t = (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'roles', tasks: [arn] }))).tasks![0]!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    },
    60_000,
  );
  const stream = `${prefix}/main/${taskIdOf(task)}`;
  const lines = await waitFor('log lines', async () => {
    const out = await logs.send(new L.GetLogEventsCommand({ logGroupName: '/ecs/roles', logStreamName: stream, startFromHead: true }));
    const l = out.events!.map((e) => e.message!);
    return l.some((x) => x.startsWith('done')) ? l : undefined;
  });
  return { task, lines };
}

test('roles a task definition names: the caller’s own must exist, another account’s is taken as given, a malformed one is refused', async () => {
  const invalid = { name: 'ClientException', message: 'Role is not valid' };
  assert.deepEqual(await failureOf(register('bad-task-role', { command: ['true'] }, { taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/does-not-exist` })), invalid);
  assert.deepEqual(await failureOf(register('bad-exec-role', { command: ['true'] }, { executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/does-not-exist` })), invalid);
  assert.deepEqual(await failureOf(register('bad-short', { command: ['true'] }, { taskRoleArn: 'does-not-exist' })), invalid);
  assert.deepEqual(await failureOf(register('malformed', { command: ['true'] }, { taskRoleArn: `arn:aws:iam::${ACCOUNT}:user/alice` })), invalid);
  assert.deepEqual(await failureOf(register('malformed2', { command: ['true'] }, { executionRoleArn: 'arn:aws:iam::12:role/x' })), invalid);
  const other = await register('other-account', { command: ['true'] }, { taskRoleArn: 'arn:aws:iam::111122223333:role/elsewhere' });
  assert.equal(other.taskDefinition!.taskRoleArn, 'arn:aws:iam::111122223333:role/elsewhere');
  // RunTask's overrides are checked the same way.
  const td = (await register('override-role', { command: ['true'] })).taskDefinition!.taskDefinitionArn!;
  assert.deepEqual(
    await failureOf(ecs.send(new ECS.RunTaskCommand({ cluster: 'roles', taskDefinition: td, overrides: { taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/does-not-exist` } }))),
    invalid,
  );
  const listed = await ecs.send(new ECS.ListTaskDefinitionFamiliesCommand({ familyPrefix: 'bad' }));
  assert.deepEqual(listed.families, []);
});

test('CreateService refuses a load balancer role for an awsvpc service, which uses the service-linked role', async () => {
  const ec2 = new EC2.EC2Client(sdkConfig(server));
  try {
    const { subnets } = await defaultNetwork(ec2);
    const td = (
      await ecs.send(
        new ECS.RegisterTaskDefinitionCommand({
          family: 'vpc-svc',
          networkMode: 'awsvpc',
          containerDefinitions: [{ name: 'main', image: 'x', memory: 32, command: ['sleep', '30'] }],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    assert.deepEqual(
      await failureOf(
        ecs.send(
          new ECS.CreateServiceCommand({
            cluster: 'roles',
            serviceName: 'with-role',
            taskDefinition: td,
            desiredCount: 0,
            role: 'ecsServiceRole',
            networkConfiguration: { awsvpcConfiguration: { subnets } },
          }),
        ),
      ),
      { name: 'InvalidParameterException', message: 'You cannot specify an IAM role for services that require a service linked role.' },
    );
  } finally {
    ec2.destroy();
  }
});

test('every task gets AWS_ENDPOINT_URL and its region; without a task role no credentials variables; its own environment wins', async () => {
  const script =
    'for v in AWS_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN; do eval "echo $v=\\${$v-unset}"; done; echo done';
  const td = (await register('env-plain', { command: ['sh', '-c', script], environment: [{ name: 'AWS_DEFAULT_REGION', value: 'eu-west-3' }], logConfiguration: awslogs('env') }))
    .taskDefinition!.taskDefinitionArn!;
  const { lines } = await runToEnd(td, 'env');
  assert.deepEqual(lines, [
    `AWS_ENDPOINT_URL=http://127.0.0.1:${server.port}`,
    'AWS_REGION=us-east-1',
    'AWS_DEFAULT_REGION=eu-west-3',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI=unset',
    'AWS_CONTAINER_AUTHORIZATION_TOKEN=unset',
    'done',
  ]);
});

/** The task's program: an AWS SDK for JavaScript v3 with no configuration at all. */
const SDK_SCRIPT = `
const { ECSClient, ListClustersCommand } = require('@aws-sdk/client-ecs');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
(async () => {
  const out = await new ECSClient({}).send(new ListClustersCommand({}));
  console.log('clusters ' + out.clusterArns.map((a) => a.split('/').pop()).sort().join(','));
  const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  console.log('caller ' + me.Arn);
  console.log('key ' + (await new ECSClient({}).config.credentials()).accessKeyId.slice(0, 4));
  console.log('done');
})().catch((e) => { console.log('done with ' + e.name + ': ' + e.message); process.exitCode = 1; });
`;

test('a task with a task role lists clusters through Wayfinder with an unconfigured AWS SDK, as the assumed role', async () => {
  assert.ok(iamServed, 'the IAM product answers (/_wayfinder/health): IAM is part of every build, so its absence is a failure');
  const iam = new IAM.IAMClient(sdkConfig(server));
  try {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const role = (await iam.send(new IAM.CreateRoleCommand({ RoleName: 'lister', AssumeRolePolicyDocument: trust }))).Role!;
    const td = (
      await register(
        'sdk-lister',
        { command: ['node', '-e', SDK_SCRIPT], environment: [{ name: 'NODE_PATH', value: NODE_MODULES }], logConfiguration: awslogs('sdk') },
        { taskRoleArn: role.Arn! },
      )
    ).taskDefinition!.taskDefinitionArn!;
    const { task, lines } = await runToEnd(td, 'sdk');
    // The SDK may also print warnings (Node version notices) to stderr: only the script's own lines count.
    const said = lines.filter((l) => /^(clusters|caller|key|done)\b/.test(l));
    assert.deepEqual(said, ['clusters roles,second', `caller arn:aws:sts::${ACCOUNT}:assumed-role/lister/${taskIdOf(task)}`, 'key ASIA', 'done']);
    assert.equal(task.containers![0]!.exitCode, 0);
  } finally {
    iam.destroy();
  }
});

test('the credentials endpoint answers only its own task, and never a browser', async () => {
  assert.ok(iamServed, 'the IAM product answers (/_wayfinder/health): IAM is part of every build, so its absence is a failure');
  const iam = new IAM.IAMClient(sdkConfig(server));
  try {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const role = (await iam.send(new IAM.CreateRoleCommand({ RoleName: 'printer', AssumeRolePolicyDocument: trust }))).Role!;
    const td = (
      await register(
        'printer',
        { command: ['sh', '-c', 'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; echo done; sleep 30'], logConfiguration: awslogs('printer') },
        { taskRoleArn: role.Arn! },
      )
    ).taskDefinition!.taskDefinitionArn!;
    const runs = await Promise.all([0, 1].map(() => ecs.send(new ECS.RunTaskCommand({ cluster: 'roles', taskDefinition: td }))));
    const grants = await Promise.all(
      runs.map(async (r) => {
        const id = taskIdOf(r.tasks![0]!);
        const line = await waitFor('grant line', async () => {
          const out = await logs.send(new L.GetLogEventsCommand({ logGroupName: '/ecs/roles', logStreamName: `printer/main/${id}`, startFromHead: true })).catch(() => undefined);
          return out?.events?.[0]?.message;
        });
        const [uri, token] = line.split(' ') as [string, string];
        return { uri, token };
      }),
    );
    const [a, b] = grants as [{ uri: string; token: string }, { uri: string; token: string }];
    assert.match(a.uri, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/_wayfinder/ecs/credentials/[A-Za-z0-9_-]{43}$`));
    assert.notEqual(a.uri, b.uri);
    const own = await fetch(a.uri, { headers: { authorization: a.token } });
    assert.equal(own.status, 200);
    assert.equal(((await own.json()) as { RoleArn: string }).RoleArn, role.Arn);
    // Another task's token, no token, a browser page (even a loopback one) get nothing.
    assert.equal((await fetch(a.uri, { headers: { authorization: b.token } })).status, 400);
    assert.equal((await fetch(a.uri)).status, 400);
    assert.equal((await fetch(a.uri, { headers: { authorization: a.token, origin: 'http://localhost:3000' } })).status, 403);
    assert.equal((await fetch(a.uri, { headers: { authorization: a.token, origin: 'https://evil.example' } })).status, 403);
    // A stopped task's grant ends with it.
    const arn = runs[0]!.tasks![0]!.taskArn!;
    await ecs.send(new ECS.StopTaskCommand({ cluster: 'roles', task: arn }));
    await waitFor('stopped', async () => (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'roles', tasks: [arn] }))).tasks![0]!.lastStatus === 'STOPPED', 60_000);
    assert.equal((await fetch(a.uri, { headers: { authorization: a.token } })).status, 400);
  } finally {
    iam.destroy();
  }
});
