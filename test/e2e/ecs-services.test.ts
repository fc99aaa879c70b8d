// ECS services end to end on the process runtime, with the real Cloud Map: the seed's flow (awsvpc,
// port 80, SRV registry with port 80), instances in DiscoverInstances and DNS, a task killed by hand
// is replaced and Cloud Map follows, a rolling update never drops below the desired healthy count,
// failing health checks and crashing commands, and nothing left after scale-to-zero and delete.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import * as ECS from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../support/server.js';
import { clients, cloudMapService, defaultNetwork, describeService, discover, httpCommand, runningTasks, taskIdOf, waitFor, wwwDir, type Clients } from '../support/ecs.js';

let server: TestServer;
let c: Clients;
let net: { vpcId: string; subnets: string[] };
let registry: Awaited<ReturnType<typeof cloudMapService>>;
const www = wwwDir('served by wayfinder');

before(async () => {
  server = await startTestServer({ taskStableMs: 1000, healthDelayMs: 300 });
  c = clients(server);
  net = await defaultNetwork(c.ec2);
  registry = await cloudMapService(c.sd, net.vpcId, { namespace: 'internal', service: 'api' });
  await c.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'prod' }));
});

after(async () => {
  c.destroy();
  await server.destroy();
});

const awsvpc = () => ({ awsvpcConfiguration: { subnets: [net.subnets[0]!], assignPublicIp: 'DISABLED' as const } });

async function registerWeb(family: string, extra: Partial<ECS.ContainerDefinition> = {}): Promise<string> {
  const { taskDefinition } = await c.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: 'flask-app-fargate', command: httpCommand(www), portMappings: [{ containerPort: 80 }], ...extra }],
    }),
  );
  return taskDefinition!.taskDefinitionArn!;
}

async function settled(name: string, count: number, taskDefinition?: string): Promise<ECS.Service> {
  return waitFor(`${name} steady at ${count}`, async () => {
    const s = await describeService(c.ecs, 'prod', name);
    const d = s.deployments ?? [];
    return s.runningCount === count && s.pendingCount === 0 && d.length === 1 && d[0]!.rolloutState === 'COMPLETED' && (!taskDefinition || s.taskDefinition === taskDefinition)
      ? s
      : undefined;
  });
}

test('the seed: awsvpc task on port 80, SRV registry port 80 → runningCount, DiscoverInstances, DNS and real traffic', async () => {
  const td = await registerWeb('seed-web');
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'seed',
      taskDefinition: td,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc(),
      serviceRegistries: [{ registryArn: registry.serviceArn, port: 80 }],
    }),
  );
  const svc = await settled('seed', 2);
  assert.equal(svc.events![0]!.message, '(service seed) has reached a steady state.');
  const tasks = await runningTasks(c.ecs, 'prod', 'seed');
  const instances = await waitFor('2 healthy instances', async () => {
    const i = await discover(c.sd, 'internal', 'api');
    return i.length === 2 ? i : undefined;
  });
  assert.deepEqual(instances.map((i) => i.InstanceId).sort(), tasks.map(taskIdOf).sort(), 'instance id = task id');
  for (const i of instances) {
    const task = tasks.find((t) => taskIdOf(t) === i.InstanceId)!;
    const eni = task.attachments![0]!;
    assert.equal(eni.type, 'ElasticNetworkInterface');
    assert.equal(eni.status, 'ATTACHED');
    const ip = eni.details!.find((d) => d.name === 'privateIPv4Address')!.value!;
    assert.match(ip, /^172\.31\.\d+\.\d+$/, 'the ENI has an address of the subnet');
    assert.equal(task.containers![0]!.networkInterfaces![0]!.privateIpv4Address, ip);
    assert.equal(i.Attributes!.AWS_INSTANCE_IPV4, '127.0.0.1');
    assert.equal(i.Attributes!.AWS_INSTANCE_PORT, String(task.containers![0]!.networkBindings![0]!.hostPort));
    assert.equal(i.Attributes!.ECS_CLUSTER_NAME, 'prod');
    assert.equal(i.Attributes!.ECS_SERVICE_NAME, 'seed');
    assert.equal(i.Attributes!.ECS_TASK_DEFINITION_FAMILY, 'seed-web');
    assert.equal(i.Attributes!.AVAILABILITY_ZONE, task.availabilityZone);
    const body = await waitFor('traffic', async () => (await fetch(`http://127.0.0.1:${i.Attributes!.AWS_INSTANCE_PORT}/`)).text());
    assert.equal(body, 'served by wayfinder\n');
  }
  const dnsPort = server.facts().dnsPort as number;
  const resolver = new Resolver();
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  const srv = await resolver.resolveSrv('api.internal');
  assert.deepEqual(srv.map((r) => r.port).sort(), instances.map((i) => Number(i.Attributes!.AWS_INSTANCE_PORT)).sort());

  await c.ecs.send(new ECS.UpdateServiceCommand({ cluster: 'prod', service: 'seed', desiredCount: 0 }));
  await waitFor('scaled to zero', async () => (await describeService(c.ecs, 'prod', 'seed')).runningCount === 0 && (await discover(c.sd, 'internal', 'api', 'ALL')).length === 0);
  const del = await c.ecs.send(new ECS.DeleteServiceCommand({ cluster: 'prod', service: 'seed' }));
  assert.equal(del.service!.status, 'DRAINING');
  await waitFor('inactive', async () => (await describeService(c.ecs, 'prod', 'seed')).status === 'INACTIVE');
  for (const t of tasks) {
    const pid = Number(t.containers![0]!.runtimeId);
    assert.throws(() => process.kill(pid, 0), 'the task process is gone');
  }
});

test('a task process killed by hand is replaced, and Cloud Map follows', async () => {
  const td = await registerWeb('killable');
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'killable',
      taskDefinition: td,
      desiredCount: 2,
      networkConfiguration: awsvpc(),
      launchType: 'FARGATE',
      serviceRegistries: [{ registryArn: registry.serviceArn, containerName: 'web', containerPort: 80 }],
    }),
  );
  await settled('killable', 2);
  const [victim] = await runningTasks(c.ecs, 'prod', 'killable');
  const victimId = taskIdOf(victim!);
  await waitFor('victim registered', async () => (await discover(c.sd, 'internal', 'api')).some((i) => i.InstanceId === victimId));
  process.kill(Number(victim!.containers![0]!.runtimeId), 'SIGKILL');
  const stopped = await waitFor('victim stopped', async () => {
    const t = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'prod', tasks: [victim!.taskArn!] }))).tasks![0]!;
    return t.lastStatus === 'STOPPED' ? t : undefined;
  });
  assert.equal(stopped.stopCode, 'EssentialContainerExited');
  assert.equal(stopped.containers![0]!.exitCode, 137);
  const after = await waitFor('replaced and registered', async () => {
    const tasks = await runningTasks(c.ecs, 'prod', 'killable');
    const ids = (await discover(c.sd, 'internal', 'api')).map((i) => i.InstanceId!);
    return tasks.length === 2 && tasks.every((t) => t.lastStatus === 'RUNNING' && ids.includes(taskIdOf(t))) && !ids.includes(victimId) ? tasks : undefined;
  });
  assert.ok(!after.some((t) => taskIdOf(t) === victimId));
  await c.ecs.send(new ECS.DeleteServiceCommand({ cluster: 'prod', service: 'killable', force: true }));
  await waitFor('drained', async () => (await describeService(c.ecs, 'prod', 'killable')).status === 'INACTIVE');
});

test('update-service to a new revision with minimumHealthyPercent 100 never drops below the desired healthy count in Cloud Map', async () => {
  // Health checks make "healthy" mean something: new tasks must pass them (and show HEALTHY in Cloud
  // Map) before an old one is deregistered and stopped.
  const healthCheck = { command: ['CMD-SHELL', 'wget -q -O /dev/null "http://127.0.0.1:$PORT/"'], interval: 5, timeout: 2, retries: 2, startPeriod: 30 };
  const v1 = await registerWeb('rolling', { healthCheck });
  const rolling = await cloudMapService(c.sd, net.vpcId, { namespace: 'rolling.internal', service: 'web' });
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'rolling',
      taskDefinition: v1,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc(),
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      serviceRegistries: [{ registryArn: rolling.serviceArn, port: 80 }],
    }),
  );
  await settled('rolling', 2);
  await waitFor('2 healthy', async () => (await discover(c.sd, 'rolling.internal', 'web')).length === 2);
  const v2 = await registerWeb('rolling', { healthCheck, environment: [{ name: 'VERSION', value: '2' }] });
  await c.ecs.send(new ECS.UpdateServiceCommand({ cluster: 'prod', service: 'rolling', taskDefinition: v2 }));
  // Sample DiscoverInstances(HEALTHY) continuously until the rollout completes.
  const samples: number[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      samples.push((await discover(c.sd, 'rolling.internal', 'web')).length);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const final = await settled('rolling', 2, v2);
  done = true;
  await sampler;
  assert.ok(samples.length > 20, `sampled ${samples.length} times`);
  assert.ok(Math.min(...samples) >= 2, `healthy instances during the rollout: min ${Math.min(...samples)}`);
  const tasks = await runningTasks(c.ecs, 'prod', 'rolling');
  assert.ok(tasks.every((t) => t.taskDefinitionArn === v2 && t.healthStatus === 'HEALTHY'));
  const ids = (await discover(c.sd, 'rolling.internal', 'web')).map((i) => i.InstanceId).sort();
  assert.deepEqual(ids, tasks.map(taskIdOf).sort());
  assert.ok(final.events!.some((e) => /\(deployment ecs-svc\/\d+\) deployment completed\./.test(e.message!)));
  await c.ecs.send(new ECS.DeleteServiceCommand({ cluster: 'prod', service: 'rolling', force: true }));
});

test('a task failing its container health checks is stopped with AWS’s reason and replaced', async () => {
  const flag = `${wwwDir()}/sick`;
  const td = await registerWeb('sickly', { healthCheck: { command: ['CMD-SHELL', `test ! -e ${flag}`], interval: 5, timeout: 2, retries: 1, startPeriod: 10 } });
  await c.ecs.send(
    new ECS.CreateServiceCommand({ cluster: 'prod', serviceName: 'sickly', taskDefinition: td, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: awsvpc() }),
  );
  await settled('sickly', 1);
  const [first] = await runningTasks(c.ecs, 'prod', 'sickly');
  assert.equal(first!.healthStatus, 'HEALTHY');
  const { writeFileSync, rmSync } = await import('node:fs');
  writeFileSync(flag, 'x');
  const sick = await waitFor('stopped as unhealthy', async () => {
    const t = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'prod', tasks: [first!.taskArn!] }))).tasks![0]!;
    return t.desiredStatus === 'STOPPED' ? t : undefined;
  });
  assert.equal(sick.stoppedReason, 'Task failed container health checks');
  assert.equal(sick.stopCode, 'ServiceSchedulerInitiated');
  assert.equal(sick.healthStatus, 'UNHEALTHY');
  rmSync(flag);
  const s = await settled('sickly', 1);
  assert.ok(s.events!.some((e) => e.message === `(service sickly) (task ${taskIdOf(first!)}) failed container health checks.`));
  await c.ecs.send(new ECS.DeleteServiceCommand({ cluster: 'prod', service: 'sickly', force: true }));
});

test('a health check of ["NONE"] means no health check: the service settles and its instance is HEALTHY', async () => {
  const { serviceArn, serviceName, namespace } = await cloudMapService(c.sd, net.vpcId, { namespace: 'none.internal', service: 'nocheck' });
  const td = await registerWeb('nocheck', { healthCheck: { command: ['NONE'] } });
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'nocheck',
      taskDefinition: td,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc(),
      serviceRegistries: [{ registryArn: serviceArn, port: 80 }],
    }),
  );
  await settled('nocheck', 1);
  const instances = await waitFor('a HEALTHY instance', async () => {
    const found = await discover(c.sd, namespace, serviceName);
    return found.length === 1 ? found : undefined;
  });
  assert.equal(instances[0]!.HealthStatus, 'HEALTHY');
  await c.ecs.send(new ECS.DeleteServiceCommand({ cluster: 'prod', service: 'nocheck', force: true }));
});

test('healthCheckGracePeriodSeconds keeps an unhealthy task running until the grace period ends', async () => {
  const td = await registerWeb('graceful', { healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, timeout: 2, retries: 1 } });
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'graceful',
      taskDefinition: td,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc(),
      healthCheckGracePeriodSeconds: 300,
    }),
  );
  const unhealthy = await waitFor('UNHEALTHY', async () => (await runningTasks(c.ecs, 'prod', 'graceful')).find((t) => t.healthStatus === 'UNHEALTHY'));
  await new Promise((r) => setTimeout(r, 500));
  const t = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'prod', tasks: [unhealthy.taskArn!] }))).tasks![0]!;
  assert.equal(t.desiredStatus, 'RUNNING', 'inside the grace period an unhealthy task is not replaced');
  await c.ecs.send(new ECS.UpdateServiceCommand({ cluster: 'prod', service: 'graceful', healthCheckGracePeriodSeconds: 0 }));
  const stopped = await waitFor('replaced once the grace period is over', async () => {
    const x = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'prod', tasks: [unhealthy.taskArn!] }))).tasks![0]!;
    return x.desiredStatus === 'STOPPED' ? x : undefined;
  });
  assert.equal(stopped.stoppedReason, 'Task failed container health checks');
  await c.ecs.send(new ECS.DeleteServiceCommand({ cluster: 'prod', service: 'graceful', force: true }));
});

test('a crashing command trips the circuit breaker, which rolls back to the last completed deployment', async () => {
  const good = await registerWeb('crashy');
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'crashy',
      taskDefinition: good,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: awsvpc(),
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    }),
  );
  await settled('crashy', 1);
  const bad = await registerWeb('crashy', { command: ['sh', '-c', 'echo starting; exit 1'] });
  await c.ecs.send(new ECS.UpdateServiceCommand({ cluster: 'prod', service: 'crashy', taskDefinition: bad }));
  const s = await settled('crashy', 1, good);
  const failed = s.events!.find((e) => /deployment failed: tasks failed to start\.$/.test(e.message!));
  assert.ok(failed, s.events!.map((e) => e.message).join('\n'));
  assert.match(s.deployments![0]!.rolloutStateReason!, /^ECS deployment ecs-svc\/\d+ completed\.$/);
  const stopped = (await c.ecs.send(new ECS.ListTasksCommand({ cluster: 'prod', serviceName: 'crashy', desiredStatus: 'STOPPED' }))).taskArns!;
  const crashed = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'prod', tasks: stopped }))).tasks!.filter((t) => t.taskDefinitionArn === bad);
  assert.ok(crashed.length >= 3, `the breaker needs 3 failed tasks (saw ${crashed.length})`);
  assert.ok(crashed.every((t) => t.stopCode === 'EssentialContainerExited' && t.containers![0]!.exitCode === 1));
  await c.ecs.send(new ECS.DeleteServiceCommand({ cluster: 'prod', service: 'crashy', force: true }));
});
