// Docker tasks reach Wayfinder: they run on the `wayfinder-tasks` network, whose gateway 169.254.170.2
// Wayfinder relays to its edge port, so AWS_ENDPOINT_URL and the task role's credentials URI work from
// inside a container; and a task with a task role runs an unconfigured boto3 that lists clusters through
// Wayfinder as that role. Runs with WAYFINDER_TEST_DOCKER=1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ECS from '@aws-sdk/client-ecs';
import * as IAM from '@aws-sdk/client-iam';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { taskIdOf, waitFor } from '../support/ecs.js';
import { BOTO3_IMAGE, ensureBoto3Image } from '../support/boto3-image.js';

const docker = process.env.WAYFINDER_TEST_DOCKER === '1';
const skip = docker ? false : 'set WAYFINDER_TEST_DOCKER=1 (CI does) to run the docker suites';
const ACCOUNT = '000000000000';
const BUSYBOX = 'wayfinder-test/busybox';

let server: TestServer;
let ecs: ECS.ECSClient;
let logs: L.CloudWatchLogsClient;
let iamServed = false;

before(async () => {
  if (!docker) return;
  server = await startTestServer({ runtime: 'docker', taskStableMs: 500 });
  ecs = new ECS.ECSClient(sdkConfig(server));
  logs = new L.CloudWatchLogsClient(sdkConfig(server));
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'boxes' }));
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'crates' }));
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/ecs/boxes' }));
  const health = (await (await fetch(`${server.endpoint}/_wayfinder/health`)).json()) as { services: Record<string, string> };
  iamServed = health.services.iam === 'running';
});
after(async () => {
  if (!docker) return;
  ecs.destroy();
  logs.destroy();
  await server.destroy();
});

/** Runs a one-container task to its end; its awslogs lines. */
async function runToEnd(family: string, container: Partial<ECS.ContainerDefinition>, taskRoleArn?: string): Promise<{ task: ECS.Task; lines: string[] }> {
  const td = await ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family,
      ...(taskRoleArn ? { taskRoleArn } : {}),
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 64,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/boxes', 'awslogs-stream-prefix': family } },
          ...container,
        },
      ],
    }),
  );
  const arn = (await ecs.send(new ECS.RunTaskCommand({ cluster: 'boxes', taskDefinition: td.taskDefinition!.taskDefinitionArn! }))).tasks![0]!.taskArn!;
  const task = await waitFor(
    'STOPPED',
    async () => {
      const t = (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'boxes', tasks: [arn] }))).tasks![0]!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    },
    90_000,
  );
  const lines = await waitFor('log lines', async () => {
    const out = await logs.send(new L.GetLogEventsCommand({ logGroupName: '/ecs/boxes', logStreamName: `${family}/main/${taskIdOf(task)}`, startFromHead: true }));
    const l = out.events!.map((e) => e.message!);
    return l.some((x) => x.startsWith('done')) ? l : undefined;
  });
  return { task, lines };
}

/** `get URL [TOKEN]`: a GET with busybox nc (its wget cannot send headers), printing the response body. */
const SH_GET =
  `get() { hp=\${1#http://}; path=/\${hp#*/}; hp=\${hp%%/*}; ` +
  `{ printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\n' "$path" "$hp"; [ -n "$2" ] && printf 'Authorization: %s\\r\\n' "$2"; printf '\\r\\n'; } ` +
  `| nc "\${hp%:*}" "\${hp##*:}" | sed '1,/^\\r*$/d'; echo; }; `;

test('a Docker task reaches the control plane at AWS_ENDPOINT_URL (169.254.170.2), with no credentials variables without a task role', { skip }, async () => {
  const script = `${SH_GET} echo "endpoint=$AWS_ENDPOINT_URL region=$AWS_REGION creds=\${AWS_CONTAINER_CREDENTIALS_FULL_URI-unset}"; get "$AWS_ENDPOINT_URL/_wayfinder/health"; echo done`;
  const { lines } = await runToEnd('reach', { command: ['sh', '-c', script] });
  assert.match(lines[0]!, /^endpoint=http:\/\/169\.254\.170\.2:\d+ region=us-east-1 creds=unset$/);
  const health = JSON.parse(lines.find((l) => l.startsWith('{')) ?? JSON.stringify(lines)) as { status: string; runtime: string };
  assert.equal(health.status, 'ok');
  assert.equal(health.runtime, 'docker');
});

test('a Docker task with a task role fetches its credentials from AWS_CONTAINER_CREDENTIALS_FULL_URI', { skip }, async () => {
  assert.ok(iamServed, 'the IAM product answers (/_wayfinder/health): IAM is part of every build, so its absence is a failure');
  const iam = new IAM.IAMClient(sdkConfig(server));
  try {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const role = (await iam.send(new IAM.CreateRoleCommand({ RoleName: 'boxed', AssumeRolePolicyDocument: trust }))).Role!;
    const script = `${SH_GET} echo "uri=$AWS_CONTAINER_CREDENTIALS_FULL_URI"; get "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN"; echo done`;
    const { lines } = await runToEnd('creds', { command: ['sh', '-c', script] }, role.Arn!);
    assert.match(lines[0]!, /^uri=http:\/\/169\.254\.170\.2:\d+\/_wayfinder\/ecs\/credentials\/[A-Za-z0-9_-]{43}$/);
    const body = JSON.parse(lines.find((l) => l.startsWith('{'))!) as Record<string, string>;
    assert.equal(body.RoleArn, role.Arn);
    assert.match(body.AccessKeyId!, /^ASIA/);
  } finally {
    iam.destroy();
  }
});

/** The task's program: boto3 with no configuration at all. */
const BOTO3_SCRIPT = `
import boto3
arns = boto3.client('ecs').list_clusters()['clusterArns']
print('clusters ' + ','.join(sorted(a.split('/')[-1] for a in arns)))
print('caller ' + boto3.client('sts').get_caller_identity()['Arn'])
print('done')
`;

test('a Docker task with a task role lists clusters through Wayfinder with an unconfigured boto3, as the assumed role', { skip }, async (t) => {
  assert.ok(iamServed, 'the IAM product answers (/_wayfinder/health): IAM is part of every build, so its absence is a failure');
  const missing = ensureBoto3Image();
  if (missing) return t.skip(missing);
  const iam = new IAM.IAMClient(sdkConfig(server));
  try {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const role = (await iam.send(new IAM.CreateRoleCommand({ RoleName: 'boto-lister', AssumeRolePolicyDocument: trust }))).Role!;
    const { task, lines } = await runToEnd('boto3', { image: BOTO3_IMAGE, command: ['python3', '-c', BOTO3_SCRIPT] }, role.Arn!);
    assert.deepEqual(
      lines.filter((l) => /^(clusters|caller|done)\b/.test(l)),
      ['clusters boxes,crates', `caller arn:aws:sts::${ACCOUNT}:assumed-role/boto-lister/${taskIdOf(task)}`, 'done'],
      lines.join('\n'),
    );
  } finally {
    iam.destroy();
  }
});
