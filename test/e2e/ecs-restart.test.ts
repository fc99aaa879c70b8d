// ECS across restarts and resets on the process runtime: a graceful stop stops the task processes and
// deregisters them; a kill -9 of `wayfinder up` leaves orphans that the next start finds, kills and
// replaces; Cloud Map ends up listing exactly the live tasks; a reset leaves nothing running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ECS from '@aws-sdk/client-ecs';
import { rawRequest, startTestServer } from '../support/server.js';
import { startCli } from '../support/cli.js';
import {
  clients,
  cloudMapService,
  defaultNetwork,
  describeService,
  discover,
  processRuns,
  runningTasks,
  taskIdOf,
  waitFor,
  wwwDir,
  httpCommand,
  type Clients,
} from '../support/ecs.js';

const www = wwwDir('restart');

async function deploy(c: Clients, registryArn: string, count = 2): Promise<ECS.Task[]> {
  await c.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'r' }));
  await c.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'r-web',
      containerDefinitions: [{ name: 'web', image: 'x', memory: 32, command: httpCommand(www), portMappings: [{ containerPort: 8080 }] }],
    }),
  );
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'r',
      serviceName: 'web',
      taskDefinition: 'r-web',
      desiredCount: count,
      serviceRegistries: [{ registryArn, containerName: 'web', containerPort: 8080 }],
    }),
  );
  return waitFor('running', async () => {
    const tasks = await runningTasks(c.ecs, 'r', 'web');
    return tasks.length === count && tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
  });
}

async function consistent(c: Clients, count: number): Promise<ECS.Task[]> {
  return waitFor('tasks and Cloud Map agree', async () => {
    const tasks = (await runningTasks(c.ecs, 'r', 'web')).filter((t) => t.lastStatus === 'RUNNING');
    const ids = (await discover(c.sd, 'internal', 'api', 'ALL')).map((i) => i.InstanceId!).sort();
    return tasks.length === count && JSON.stringify(ids) === JSON.stringify(tasks.map(taskIdOf).sort()) ? tasks : undefined;
  });
}

test('graceful restart: process tasks are stopped and deregistered, and the next start replaces them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-ecs-restart-'));
  try {
    const a = await startTestServer({ taskStableMs: 300 }, dir);
    const ca = clients(a);
    const net = await defaultNetwork(ca.ec2);
    const reg = await cloudMapService(ca.sd, net.vpcId);
    const before = await deploy(ca, reg.serviceArn);
    await consistent(ca, 2);
    const pids = before.map((t) => Number(t.containers![0]!.runtimeId));
    ca.destroy();
    await a.close();
    assert.ok(
      pids.every((p) => !processRuns(p)),
      'process tasks do not outlive the server',
    );

    const b = await startTestServer({ taskStableMs: 300 }, dir);
    const cb = clients(b);
    try {
      const old = (await cb.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'r', tasks: before.map((t) => t.taskArn!) }))).tasks!;
      assert.ok(old.every((t) => t.lastStatus === 'STOPPED' && t.stopCode === 'TerminationNotice' && /Wayfinder stopped/.test(t.stoppedReason!)));
      const after = await consistent(cb, 2);
      assert.ok(
        after.every((t) => !before.some((o) => o.taskArn === t.taskArn)),
        'new tasks',
      );
      const body = await waitFor('traffic', async () => (await fetch(`http://127.0.0.1:${after[0]!.containers![0]!.networkBindings![0]!.hostPort}/`)).text());
      assert.equal(body, 'restart\n');
    } finally {
      cb.destroy();
      await b.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kill -9 of `wayfinder up`: the next start finds the orphaned processes, kills them, replaces the tasks, and cleans Cloud Map', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-ecs-kill9-'));
  const args = ['--port', '0', '--dns-port', '0', '--data-dir', dir, '--runtime', 'process', '--health-delay-ms', '0', '--operation-delay-ms', '0', '--task-stable-ms', '300'];
  try {
    const a = await startCli(args);
    assert.match(a.output(), /runtime\s+process/);
    const ca = clients(a);
    const net = await defaultNetwork(ca.ec2);
    const reg = await cloudMapService(ca.sd, net.vpcId);
    const before = await deploy(ca, reg.serviceArn);
    await consistent(ca, 2);
    const pids = before.map((t) => Number(t.containers![0]!.runtimeId));
    ca.destroy();
    a.child.kill('SIGKILL');
    await a.exited;

    const b = await startCli(args);
    const cb = clients(b);
    try {
      const after = await consistent(cb, 2);
      assert.ok(after.every((t) => !before.some((o) => o.taskArn === t.taskArn)));
      const old = (await cb.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'r', tasks: before.map((t) => t.taskArn!) }))).tasks!;
      assert.ok(
        old.every((t) => t.lastStatus === 'STOPPED' && t.stopCode === 'TerminationNotice'),
        JSON.stringify(old.map((t) => [t.lastStatus, t.stopCode, t.stoppedReason])),
      );
      await waitFor('orphans killed', () => pids.every((p) => !processRuns(p)));
      const svc = await describeService(cb.ecs, 'r', 'web');
      assert.equal(svc.runningCount, 2);
    } finally {
      cb.destroy();
      b.child.kill('SIGTERM');
      await b.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reset stops every task at once and leaves nothing running or registered', async () => {
  const server = await startTestServer({ taskStableMs: 300 });
  const c = clients(server);
  try {
    const net = await defaultNetwork(c.ec2);
    const reg = await cloudMapService(c.sd, net.vpcId);
    const tasks = await deploy(c, reg.serviceArn, 3);
    const run = await c.ecs.send(new ECS.RunTaskCommand({ cluster: 'r', taskDefinition: 'r-web' }));
    const standalone = await waitFor('standalone running', async () => {
      const t = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'r', tasks: [run.tasks![0]!.taskArn!] }))).tasks![0]!;
      return t.lastStatus === 'RUNNING' ? t : undefined;
    });
    const pids = [...tasks, standalone].map((t) => Number(t.containers![0]!.runtimeId));
    assert.ok(pids.every(processRuns));
    const r = await rawRequest(server, { method: 'POST', path: '/_wayfinder/reset' });
    assert.equal(r.status, 200);
    await waitFor('all task processes gone', () => pids.every((p) => !processRuns(p)));
    assert.deepEqual((await c.ecs.send(new ECS.ListClustersCommand({}))).clusterArns, []);
    // Still usable after the reset, from a clean slate.
    const net2 = await defaultNetwork(c.ec2);
    const reg2 = await cloudMapService(c.sd, net2.vpcId);
    await deploy(c, reg2.serviceArn, 1);
    await consistent(c, 1);
  } finally {
    c.destroy();
    await server.destroy();
  }
});
