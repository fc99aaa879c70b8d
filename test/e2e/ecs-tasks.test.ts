// Standalone tasks on the process runtime: RunTask → the full lastStatus walk, StopTask (SIGTERM,
// SIGKILL after stopTimeout), essential semantics, DescribeTasks failures, ListTasks filters,
// StartTask without container instances, a container without command, and awslogs into CloudWatch Logs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ECS from '@aws-sdk/client-ecs';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { codeOf, failureOf } from '../support/errors.js';
import { processRuns, taskIdOf, waitFor } from '../support/ecs.js';

let server: TestServer;
let ecs: ECS.ECSClient;
let logs: L.CloudWatchLogsClient;

before(async () => {
  server = await startTestServer({ taskStableMs: 500 });
  ecs = new ECS.ECSClient(sdkConfig(server));
  logs = new L.CloudWatchLogsClient(sdkConfig(server));
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'jobs' }));
});
after(async () => {
  ecs.destroy();
  logs.destroy();
  await server.destroy();
});

async function register(family: string, containers: ECS.ContainerDefinition[]): Promise<string> {
  return (await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family, containerDefinitions: containers.map((c) => ({ image: 'busybox', memory: 32, ...c })) }))).taskDefinition!
    .taskDefinitionArn!;
}

async function task(arn: string): Promise<ECS.Task> {
  return (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'jobs', tasks: [arn] }))).tasks![0]!;
}

async function stopped(arn: string): Promise<ECS.Task> {
  return waitFor('STOPPED', async () => {
    const t = await task(arn);
    return t.lastStatus === 'STOPPED' ? t : undefined;
  });
}

test('RunTask walks PROVISIONING … RUNNING; StopTask walks on to STOPPED with the user’s reason', async () => {
  const td = await register('job-sleep', [{ name: 'main', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'] }]);
  const run = await ecs.send(new ECS.RunTaskCommand({ cluster: 'jobs', taskDefinition: td, startedBy: 'test-suite', tags: [{ key: 'k', value: 'v' }] }));
  assert.deepEqual(run.failures, []);
  const first = run.tasks![0]!;
  assert.equal(first.lastStatus, 'PROVISIONING');
  assert.equal(first.desiredStatus, 'RUNNING');
  assert.equal(first.group, 'family:job-sleep');
  assert.match(taskIdOf(first), /^[0-9a-f]{32}$/);
  const running = await waitFor('RUNNING', async () => {
    const t = await task(first.taskArn!);
    return t.lastStatus === 'RUNNING' ? t : undefined;
  });
  assert.ok(running.startedAt && running.pullStartedAt && running.connectivityAt);
  assert.ok(running.version! >= 4);
  const pid = Number(running.containers![0]!.runtimeId);
  assert.ok(processRuns(pid));
  const stop = await ecs.send(new ECS.StopTaskCommand({ cluster: 'jobs', task: taskIdOf(first), reason: 'done for today' }));
  assert.equal(stop.task!.desiredStatus, 'STOPPED');
  const t = await stopped(first.taskArn!);
  assert.equal(t.stopCode, 'UserInitiated');
  assert.equal(t.stoppedReason, 'done for today');
  assert.equal(t.containers![0]!.exitCode, 0, 'the trap handled SIGTERM');
  assert.ok(t.stoppedAt && t.stoppingAt && t.executionStoppedAt);
  assert.ok(!processRuns(pid));
  const withTags = (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'jobs', tasks: [first.taskArn!], include: ['TAGS'] }))).tasks![0]!;
  assert.deepEqual(withTags.tags, [{ key: 'k', value: 'v' }]);
});

test('a container ignoring SIGTERM is killed after its stopTimeout', async () => {
  const td = await register('job-stubborn', [{ name: 'main', stopTimeout: 1, command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'] }]);
  const arn = (await ecs.send(new ECS.RunTaskCommand({ cluster: 'jobs', taskDefinition: td }))).tasks![0]!.taskArn!;
  await waitFor('RUNNING', async () => (await task(arn)).lastStatus === 'RUNNING');
  await ecs.send(new ECS.StopTaskCommand({ cluster: 'jobs', task: arn }));
  const t = await stopped(arn);
  assert.equal(t.containers![0]!.exitCode, 137);
  assert.equal(t.stoppedReason, 'Task stopped by user');
});

test('essential semantics: a non-essential container may exit; the essential one’s exit stops the task', async () => {
  const td = await register('job-pair', [
    { name: 'main', command: ['sh', '-c', 'sleep 1; exit 4'] },
    { name: 'side', essential: false, command: ['sh', '-c', 'exit 0'] },
  ]);
  const arn = (await ecs.send(new ECS.RunTaskCommand({ cluster: 'jobs', taskDefinition: td }))).tasks![0]!.taskArn!;
  const mid = await waitFor('side exited while main runs', async () => {
    const t = await task(arn);
    const side = t.containers!.find((c) => c.name === 'side')!;
    return side.lastStatus === 'STOPPED' ? t : undefined;
  });
  assert.equal(mid.desiredStatus, 'RUNNING');
  assert.equal(mid.containers!.find((c) => c.name === 'side')!.exitCode, 0);
  const t = await stopped(arn);
  assert.equal(t.stopCode, 'EssentialContainerExited');
  assert.equal(t.stoppedReason, 'Essential container in task exited');
  assert.equal(t.containers!.find((c) => c.name === 'main')!.exitCode, 4);
});

test('a container with neither entryPoint nor command fails to start, and stoppedReason says why', async () => {
  const td = await register('job-empty', [{ name: 'main', image: 'nginx:latest' }]);
  const arn = (await ecs.send(new ECS.RunTaskCommand({ cluster: 'jobs', taskDefinition: td }))).tasks![0]!.taskArn!;
  const t = await stopped(arn);
  assert.equal(t.stopCode, 'TaskFailedToStart');
  assert.match(t.stoppedReason!, /^CannotStartContainerError: container 'main' has neither entryPoint nor command/);
});

test('awslogs: every stdout/stderr line lands in <prefix>/<container>/<taskId>, the group created on demand', async () => {
  const td = await register('job-logs', [
    {
      name: 'app',
      command: ['sh', '-c', 'echo line one; echo line two >&2; echo "$GREETING"'],
      environment: [{ name: 'GREETING', value: 'from the environment' }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/job-logs', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' },
      },
    },
  ]);
  const arn = (await ecs.send(new ECS.RunTaskCommand({ cluster: 'jobs', taskDefinition: td }))).tasks![0]!.taskArn!;
  await stopped(arn);
  const stream = `ecs/app/${arn.split('/').pop()}`;
  const events = await waitFor('log events', async () => {
    const r = await logs.send(new L.GetLogEventsCommand({ logGroupName: '/ecs/job-logs', logStreamName: stream, startFromHead: true }));
    return r.events!.length === 3 ? r.events! : undefined;
  });
  assert.deepEqual(events.map((e) => e.message).sort(), ['from the environment', 'line one', 'line two']);
});

test('DescribeTasks reports unknown tasks as MISSING; ListTasks filters; StartTask has no container instances', async () => {
  const td = await register('job-list', [{ name: 'main', command: ['sleep', '1000'] }]);
  const a = (await ecs.send(new ECS.RunTaskCommand({ cluster: 'jobs', taskDefinition: td, startedBy: 'batch-7', count: 2 }))).tasks!;
  assert.equal(a.length, 2);
  const d = await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'jobs', tasks: [a[0]!.taskArn!, '0123456789abcdef0123456789abcdef'] }));
  assert.equal(d.tasks!.length, 1);
  assert.deepEqual(d.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:task/jobs/0123456789abcdef0123456789abcdef', reason: 'MISSING' }]);
  const byStarter = await ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', startedBy: 'batch-7' }));
  assert.deepEqual(byStarter.taskArns!.sort(), a.map((t) => t.taskArn!).sort());
  assert.deepEqual((await ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', family: 'job-list' }))).taskArns!.sort(), a.map((t) => t.taskArn!).sort());
  assert.deepEqual((await ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', desiredStatus: 'PENDING' }))).taskArns, []);
  const page1 = await ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', family: 'job-list', maxResults: 1 }));
  assert.equal(page1.taskArns!.length, 1);
  const page2 = await ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', family: 'job-list', maxResults: 1, nextToken: page1.nextToken }));
  assert.notEqual(page2.taskArns![0], page1.taskArns![0]);
  assert.equal(await codeOf(ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', startedBy: 'x', family: 'job-list' }))), 'InvalidParameterException');
  assert.equal(await codeOf(ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', serviceName: 'nope' }))), 'ServiceNotFoundException');
  assert.deepEqual(await failureOf(ecs.send(new ECS.StopTaskCommand({ cluster: 'jobs', task: '0123456789abcdef0123456789abcdef' }))), {
    name: 'InvalidParameterException',
    message: 'The referenced task was not found.',
  });
  assert.equal(await codeOf(ecs.send(new ECS.RunTaskCommand({ cluster: 'jobs', taskDefinition: td, count: 11 }))), 'InvalidParameterException');
  assert.equal(
    await codeOf(ecs.send(new ECS.RunTaskCommand({ cluster: 'jobs', taskDefinition: td, overrides: { containerOverrides: [{ name: 'ghost' }] } }))),
    'InvalidParameterException',
  );
  const start = await ecs.send(new ECS.StartTaskCommand({ cluster: 'jobs', taskDefinition: td, containerInstances: ['ci-1'] }));
  assert.deepEqual(start.tasks, []);
  assert.equal(start.failures![0]!.reason, 'MISSING');
  for (const t of a) await ecs.send(new ECS.StopTaskCommand({ cluster: 'jobs', task: t.taskArn! }));
  for (const t of a) await stopped(t.taskArn!);
  assert.deepEqual((await ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', startedBy: 'batch-7' }))).taskArns, []);
  assert.equal((await ecs.send(new ECS.ListTasksCommand({ cluster: 'jobs', startedBy: 'batch-7', desiredStatus: 'STOPPED' }))).taskArns!.length, 2);
});

test('overrides: a container override’s command and environment win', async () => {
  const td = await register('job-override', [
    {
      name: 'main',
      command: ['sh', '-c', 'echo default'],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/override', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'o', 'awslogs-create-group': 'true' },
      },
    },
  ]);
  const arn = (
    await ecs.send(
      new ECS.RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: td,
        overrides: { containerOverrides: [{ name: 'main', command: ['sh', '-c', 'echo "$WHO overrides"'], environment: [{ name: 'WHO', value: 'the caller' }] }] },
      }),
    )
  ).tasks![0]!.taskArn!;
  await stopped(arn);
  const events = await waitFor(
    'log',
    async () => (await logs.send(new L.GetLogEventsCommand({ logGroupName: '/ecs/override', logStreamName: `o/main/${arn.split('/').pop()}` }))).events?.[0],
  );
  assert.equal(events.message, 'the caller overrides');
});
