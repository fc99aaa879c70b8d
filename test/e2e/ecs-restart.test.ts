// ECS across restarts and resets on the process runtime: a graceful stop stops the task processes and
// deregisters them; with --keep-tasks they keep running and the next start re-adopts them (same task,
// same pid, its log stream continued exactly once, traffic and health checks as before); a kill -9 of
// `wayfinder up` leaves orphans that the next start finds, kills and replaces; Cloud Map ends up
// listing exactly the live tasks; a reset leaves nothing running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as ECS from '@aws-sdk/client-ecs';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { rawRequest, sdkConfig, startTestServer } from '../support/server.js';
import { startCli } from '../support/cli.js';
import {
  clients,
  cloudMapService,
  defaultNetwork,
  describeService,
  discover,
  privateHttpApi,
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

test('--keep-tasks: a graceful stop leaves process tasks running, the next start re-adopts them: same task and pid, every log line once, traffic and health checks go on, StopTask ends it and the service replaces it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-ecs-keep-'));
  const args = ['--port', '0', '--dns-port', '0', '--data-dir', dir, '--runtime', 'process', '--health-delay-ms', '0', '--operation-delay-ms', '0', '--task-stable-ms', '300'];
  const checks = join(dir, 'health-checks'); // each health check run adds a line
  const logGroup = '/ecs/keep';
  const streamOf = (t: ECS.Task) => `ecs/web/${taskIdOf(t)}`;
  const ticks = async (logs: L.CloudWatchLogsClient, stream: string): Promise<string[]> =>
    (await logs.send(new L.GetLogEventsCommand({ logGroupName: logGroup, logStreamName: stream, startFromHead: true }))).events!.map((e) => e.message!);
  const checkRuns = () => (existsSync(checks) ? readFileSync(checks, 'utf8').split('\n').length - 1 : 0);
  try {
    const a = await startCli([...args, '--keep-tasks']);
    const ca = clients(a);
    const apigw = new AG.ApiGatewayV2Client(sdkConfig(a));
    const net = await defaultNetwork(ca.ec2);
    const reg = await cloudMapService(ca.sd, net.vpcId);
    const apiId = await privateHttpApi(apigw, 'keep', net.subnets, reg.serviceArn);
    apigw.destroy();
    await ca.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'r' }));
    await ca.ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'r-keep',
        containerDefinitions: [
          {
            name: 'web',
            image: 'x',
            memory: 32,
            // Serves HTTP and writes a numbered line every 50 ms, whether or not a server reads it.
            command: ['sh', '-c', `busybox httpd -f -p "127.0.0.1:$PORT" -h "${www}" & i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done`],
            portMappings: [{ containerPort: 8080 }],
            healthCheck: { command: ['CMD-SHELL', `echo ran >> "${checks}"`], interval: 5, timeout: 2, retries: 3 },
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': logGroup, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' },
            },
          },
        ],
      }),
    );
    await ca.ecs.send(
      new ECS.CreateServiceCommand({
        cluster: 'r',
        serviceName: 'web',
        taskDefinition: 'r-keep',
        desiredCount: 1,
        serviceRegistries: [{ registryArn: reg.serviceArn, containerName: 'web', containerPort: 8080 }],
      }),
    );
    const [before] = await consistent(ca, 1);
    const pid = Number(before!.containers![0]!.runtimeId);
    const la = new L.CloudWatchLogsClient(sdkConfig(a));
    await waitFor('log lines', async () => (await ticks(la, streamOf(before!))).length >= 5);
    la.destroy();
    ca.destroy();
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0);
    assert.ok(processRuns(pid), 'the task outlives the server');

    const b = await startCli(args);
    const cb = clients(b);
    const lb = new L.CloudWatchLogsClient(sdkConfig(b));
    try {
      assert.match(b.output(), /runtime\s+process/);
      const [after] = await consistent(cb, 1);
      assert.equal(after!.taskArn, before!.taskArn, 'the same task');
      assert.equal(after!.containers![0]!.runtimeId, String(pid), 'the same process');
      assert.equal(after!.containers![0]!.networkBindings![0]!.hostPort, before!.containers![0]!.networkBindings![0]!.hostPort);
      const viaGateway = await waitFor('traffic through the gateway and Cloud Map', async () => {
        const res = await fetch(`http://127.0.0.1:${b.port}/_aws/execute-api/${apiId}/$default/index.html`);
        return res.status === 200 ? res.text() : undefined;
      });
      assert.equal(viaGateway, 'restart\n');
      const ranBefore = checkRuns();
      await waitFor('health checks run again', () => checkRuns() > ranBefore);

      await cb.ecs.send(new ECS.StopTaskCommand({ cluster: 'r', task: after!.taskArn!, reason: 'done' }));
      const stopped = await waitFor('stopped', async () => {
        const t = (await cb.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'r', tasks: [after!.taskArn!] }))).tasks![0]!;
        return t.lastStatus === 'STOPPED' ? t : undefined;
      });
      assert.equal(stopped.containers![0]!.exitCode, 143, 'SIGTERM: 128+15, as for a task this server started');
      assert.equal(stopped.stopCode, 'UserInitiated');
      assert.ok(!processRuns(pid), 'the process is gone');
      // Every line once, in order: those read before the stop, those written while no server ran, and after.
      const lines = await ticks(lb, streamOf(after!));
      assert.deepEqual(
        lines,
        lines.map((_, i) => `tick ${i + 1}`),
      );
      assert.ok(lines.length >= 20, `${lines.length} lines`);
      const replaced = await consistent(cb, 1);
      assert.notEqual(replaced[0]!.taskArn, before!.taskArn, 'the service replaced it');
    } finally {
      lb.destroy();
      cb.destroy();
      b.child.kill('SIGTERM');
      await b.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
