// The awslogs driver opens the task's log stream when the container starts, before it writes anything, as
// Docker's driver does; `awslogs-create-group: "true"` creates a missing group, and without it a missing
// group keeps the container from starting, with the error ECS shows. Process runtime, and the Docker
// runtime with WAYFINDER_TEST_DOCKER=1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ECS from '@aws-sdk/client-ecs';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { taskIdOf, waitFor } from '../support/ecs.js';

const MISSING_GROUP =
  'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.';

const runtimes = [
  { runtime: 'process' as const, image: 'unused' },
  ...(process.env.WAYFINDER_TEST_DOCKER === '1' ? [{ runtime: 'docker' as const, image: 'wayfinder-test/busybox' }] : []),
];

for (const { runtime, image } of runtimes) {
  describe(`awslogs on the ${runtime} runtime`, () => {
    let server: TestServer;
    let ecs: ECS.ECSClient;
    let logs: L.CloudWatchLogsClient;

    before(async () => {
      server = await startTestServer({ runtime, taskStableMs: 500 });
      ecs = new ECS.ECSClient(sdkConfig(server));
      logs = new L.CloudWatchLogsClient(sdkConfig(server));
      await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'quiet' }));
      await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/ecs/quiet' }));
    });
    after(async () => {
      ecs.destroy();
      logs.destroy();
      await server.destroy();
    });

    async function run(family: string, options: Record<string, string>): Promise<ECS.Task> {
      const td = await ecs.send(
        new ECS.RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sleep', '30'], logConfiguration: { logDriver: 'awslogs', options } }],
        }),
      );
      return (await ecs.send(new ECS.RunTaskCommand({ cluster: 'quiet', taskDefinition: td.taskDefinition!.taskDefinitionArn! }))).tasks![0]!;
    }

    const describeTask = async (arn: string) => (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'quiet', tasks: [arn] }))).tasks![0]!;
    const streams = async (group: string) => (await logs.send(new L.DescribeLogStreamsCommand({ logGroupName: group }))).logStreams!;

    async function stop(arn: string): Promise<void> {
      await ecs.send(new ECS.StopTaskCommand({ cluster: 'quiet', task: arn }));
    }

    test('a silent container has its stream as soon as it runs', async () => {
      const task = await run('silent', { 'awslogs-group': '/ecs/quiet', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' });
      const running = await waitFor('RUNNING', async () => ((await describeTask(task.taskArn!)).lastStatus === 'RUNNING' ? true : undefined), 60_000);
      assert.ok(running);
      const found = (await streams('/ecs/quiet')).filter((s) => s.logStreamName === `app/main/${taskIdOf(task)}`);
      assert.equal(found.length, 1);
      assert.equal(found[0]!.storedBytes ?? 0, 0);
      const events = await logs.send(new L.GetLogEventsCommand({ logGroupName: '/ecs/quiet', logStreamName: `app/main/${taskIdOf(task)}` }));
      assert.deepEqual(events.events, []);
      await stop(task.taskArn!);
    });

    test('awslogs-create-group "true" creates a missing group; without a prefix the stream is named after the container’s runtime id', async () => {
      const task = await run('creates', { 'awslogs-group': `/ecs/new-${runtime}`, 'awslogs-create-group': 'true' });
      const running = await waitFor('RUNNING', async () => {
        const t = await describeTask(task.taskArn!);
        return t.lastStatus === 'RUNNING' ? t : undefined;
      });
      const names = (await streams(`/ecs/new-${runtime}`)).map((s) => s.logStreamName);
      assert.deepEqual(names, [running.containers![0]!.runtimeId]);
      await stop(task.taskArn!);
    });

    test('a missing group without awslogs-create-group stops the task before the container runs, with the error ECS shows', async () => {
      const task = await run('no-group', { 'awslogs-group': '/ecs/missing', 'awslogs-stream-prefix': 'app' });
      const stopped = await waitFor(
        'STOPPED',
        async () => {
          const t = await describeTask(task.taskArn!);
          return t.lastStatus === 'STOPPED' ? t : undefined;
        },
        60_000,
      );
      assert.equal(stopped.stopCode, 'TaskFailedToStart');
      assert.equal(stopped.stoppedReason, MISSING_GROUP);
      assert.equal(stopped.containers![0]!.reason, MISSING_GROUP);
      assert.equal(stopped.containers![0]!.runtimeId, undefined);
      const groups = await logs.send(new L.DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/missing' }));
      assert.deepEqual(groups.logGroups, []);
    });
  });
}
