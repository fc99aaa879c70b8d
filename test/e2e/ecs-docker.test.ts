// ECS on the docker runtime end to end (only with WAYFINDER_TEST_DOCKER=1; then a missing engine is a
// failure, not a skip): the seed's service on a real container image, a container killed by hand is
// replaced, a restart re-adopts live containers, health checks run through docker exec, a missing
// image answers CannotPullContainerError, and a reset removes this Wayfinder's containers only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ECS from '@aws-sdk/client-ecs';
import { DockerEngine } from '../../src/ecs/runtimes/docker/engine-client.js';
import { rawRequest, startTestServer, type TestServer } from '../support/server.js';
import { clients, cloudMapService, defaultNetwork, discover, runningTasks, taskIdOf, waitFor, type Clients } from '../support/ecs.js';

const wanted = process.env.WAYFINDER_TEST_DOCKER === '1';
const skip = wanted ? undefined : 'docker-runtime suites run only with WAYFINDER_TEST_DOCKER=1 (needs a Docker engine and scripts/docker-test-image.sh)';
const IMAGE = process.env.WAYFINDER_TEST_IMAGE ?? 'wayfinder-test/busybox:latest';
const engine = new DockerEngine();
const dir = mkdtempSync(join(tmpdir(), 'wf-ecs-docker-'));
let server: TestServer;
let c: Clients;
let net: { vpcId: string; subnets: string[] };
let registryArn: string;

async function containersOf(instance?: string): Promise<Array<{ Id: string; Labels: Record<string, string>; State: string }>> {
  const filters = encodeURIComponent(JSON.stringify({ label: [instance ? `wayfinder.instance=${instance}` : 'wayfinder.instance'] }));
  return (await engine.call<Array<{ Id: string; Labels: Record<string, string>; State: string }>>('GET', `/containers/json?all=true&filters=${filters}`)).body;
}

before(async () => {
  if (!wanted) return;
  if (!(await engine.ping(3000))) throw new Error('WAYFINDER_TEST_DOCKER=1 but no Docker engine answers (DOCKER_HOST or /var/run/docker.sock)');
  execFileSync(fileURLToPath(new URL('../../../scripts/docker-test-image.sh', import.meta.url)), { stdio: 'inherit' });
  server = await startTestServer({ runtime: 'docker', taskStableMs: 500, keepTasks: true }, dir);
  c = clients(server);
  net = await defaultNetwork(c.ec2);
  registryArn = (await cloudMapService(c.sd, net.vpcId)).serviceArn;
  await c.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'dk' }));
  await c.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'dk-web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: IMAGE,
          portMappings: [{ containerPort: 80 }],
          healthCheck: { command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:80/'], interval: 5, timeout: 2, retries: 2, startPeriod: 20 },
        },
      ],
    }),
  );
});

after(async () => {
  if (!wanted) return;
  c?.destroy();
  // With keepTasks a graceful stop leaves docker containers for the next start to adopt; a test server is never
  // started again, so reset first (removes this server's containers).
  if (server) await rawRequest(server, { method: 'POST', path: '/_wayfinder/reset' }).catch(() => undefined);
  await server?.destroy();
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `count` tasks healthy and registered, none of them `gone` (a task just killed may still look RUNNING for a moment). */
async function consistent(count: number, gone?: string): Promise<ECS.Task[]> {
  return waitFor(
    'tasks healthy and registered',
    async () => {
      const tasks = (await runningTasks(c.ecs, 'dk', 'web')).filter((t) => t.lastStatus === 'RUNNING' && t.healthStatus === 'HEALTHY');
      const ids = (await discover(c.sd, 'internal', 'api')).map((i) => i.InstanceId!).sort();
      if (gone && tasks.some((t) => t.taskArn === gone)) return undefined;
      return tasks.length === count && JSON.stringify(ids) === JSON.stringify(tasks.map(taskIdOf).sort()) ? tasks : undefined;
    },
    60_000,
  );
}

test('docker: the seed service runs real containers, healthy through docker exec, registered as 127.0.0.1:<host port>', { skip }, async () => {
  assert.equal(server.facts().runtime, 'docker');
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'dk',
      serviceName: 'web',
      taskDefinition: 'dk-web',
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [net.subnets[0]!] } },
      serviceRegistries: [{ registryArn, port: 80 }],
    }),
  );
  const tasks = await consistent(2);
  for (const i of await discover(c.sd, 'internal', 'api')) {
    assert.equal(i.Attributes!.AWS_INSTANCE_IPV4, '127.0.0.1');
    assert.equal(await (await fetch(`http://127.0.0.1:${i.Attributes!.AWS_INSTANCE_PORT}/`)).text(), 'hello from wayfinder-test\n');
  }
  const labelled = await containersOf();
  for (const t of tasks) {
    const ct = labelled.find((x) => x.Id === t.containers![0]!.runtimeId);
    assert.ok(ct, 'the container is labelled');
    assert.equal(ct.Labels['wayfinder.task'], taskIdOf(t));
    assert.equal(ct.Labels['wayfinder.cluster'], 'dk');
    assert.equal(ct.Labels['wayfinder.service'], 'web');
  }
});

test('docker: a container killed by hand is replaced, and Cloud Map follows', { skip }, async () => {
  const [victim] = await consistent(2);
  await engine.call('POST', `/containers/${victim!.containers![0]!.runtimeId}/kill`);
  const after = await consistent(2, victim!.taskArn);
  assert.ok(!after.some((t) => t.taskArn === victim!.taskArn));
  const old = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'dk', tasks: [victim!.taskArn!] }))).tasks![0]!;
  assert.equal(old.stopCode, 'EssentialContainerExited');
  assert.equal(old.containers![0]!.exitCode, 137);
});

test('docker: after a restart on the same data dir, running containers are re-adopted (same tasks, same containers)', { skip }, async () => {
  const before = await consistent(2);
  // A stray: a container of this Wayfinder that no task owns (as if created just before a crash).
  const instance = (await containersOf()).find((x) => x.Id === before[0]!.containers![0]!.runtimeId)!.Labels['wayfinder.instance']!;
  const stray = (
    await engine.call<{ Id: string }>('POST', '/containers/create', {
      Image: IMAGE,
      Cmd: ['sleep', '1000'],
      Labels: { 'wayfinder.instance': instance, 'wayfinder.task': 'f'.repeat(32), 'wayfinder.cluster': 'dk' },
    })
  ).body.Id;
  c.destroy();
  await server.close();
  const stillRunning = (await containersOf()).filter((x) => x.State === 'running' && before.some((t) => t.containers![0]!.runtimeId === x.Id));
  assert.equal(stillRunning.length, 2, 'containers outlive a graceful stop');
  server = await startTestServer({ runtime: 'docker', taskStableMs: 500, keepTasks: true }, dir);
  c = clients(server);
  const after = await consistent(2);
  assert.deepEqual(after.map((t) => t.taskArn).sort(), before.map((t) => t.taskArn).sort());
  assert.deepEqual(after.map((t) => t.containers![0]!.runtimeId).sort(), before.map((t) => t.containers![0]!.runtimeId).sort());
  assert.ok(!(await containersOf(instance)).some((x) => x.Id === stray), 'the stray container was removed');
});

test('docker: a missing image stops the task with CannotPullContainerError', { skip }, async () => {
  await c.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({ family: 'dk-missing', containerDefinitions: [{ name: 'x', image: 'wayfinder-test/does-not-exist:never', memory: 32 }] }),
  );
  const arn = (await c.ecs.send(new ECS.RunTaskCommand({ cluster: 'dk', taskDefinition: 'dk-missing' }))).tasks![0]!.taskArn!;
  const t = await waitFor(
    'stopped',
    async () => {
      const x = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'dk', tasks: [arn] }))).tasks![0]!;
      return x.lastStatus === 'STOPPED' ? x : undefined;
    },
    60_000,
  );
  assert.equal(t.stopCode, 'TaskFailedToStart');
  assert.match(t.stoppedReason!, /^CannotPullContainerError: /);
});

test('docker: a reset removes this Wayfinder’s containers and no other’s', { skip }, async () => {
  const other = await startTestServer({ runtime: 'docker', taskStableMs: 500 });
  const co = clients(other);
  try {
    await co.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'other' }));
    await co.ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'o',
        containerDefinitions: [{ name: 'x', image: IMAGE, memory: 32, command: ['sh', '-c', 'while true; do sleep 1; done'] }],
      }),
    );
    const arn = (await co.ecs.send(new ECS.RunTaskCommand({ cluster: 'other', taskDefinition: 'o' }))).tasks![0]!.taskArn!;
    const otherTask = await waitFor('other running', async () => {
      const t = (await co.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'other', tasks: [arn] }))).tasks![0]!;
      return t.lastStatus === 'RUNNING' ? t : undefined;
    });
    const mine = (await runningTasks(c.ecs, 'dk', 'web')).map((t) => t.containers![0]!.runtimeId!);
    assert.ok(mine.length > 0);
    assert.equal((await rawRequest(server, { method: 'POST', path: '/_wayfinder/reset' })).status, 200);
    const left = (await containersOf()).map((x) => x.Id);
    assert.ok(
      mine.every((id) => !left.includes(id)),
      'this Wayfinder’s containers are gone',
    );
    assert.ok(left.includes(otherTask.containers![0]!.runtimeId!), 'the other Wayfinder’s container is untouched');
  } finally {
    co.destroy();
    await rawRequest(other, { method: 'POST', path: '/_wayfinder/reset' });
    assert.ok(!(await containersOf()).some((x) => x.Labels['wayfinder.cluster'] === 'other'), 'the other server’s reset removed its container');
    await other.destroy();
  }
});
