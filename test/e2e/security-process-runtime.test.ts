// What a process-runtime task cannot do to the host it runs on, through the real ECS API:
//   - a container with `user` runs as that user (not as the server's root), in its own working
//     directory under the data dir, owned by that user and removed with the task;
//   - a `user` the host does not know stops the task before anything of it runs;
//   - processes that leave the task's process group and session (`setsid`, a daemon that
//     double-forks) still end with StopTask, with the server's shutdown, and (after a kill -9 of
//     the server) at its next start on the same data dir.
// These tests need the server to run as root (it does in CI and in the dev container).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ECS from '@aws-sdk/client-ecs';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { startCli } from '../support/cli.js';
import { processRuns, taskIdOf, waitFor } from '../support/ecs.js';

const asRoot = process.getuid?.() === 0;

describe('process runtime containment', { skip: asRoot ? undefined : 'needs root: the server switches users only as root' }, () => {
  let server: TestServer;
  let ecs: ECS.ECSClient;
  let logs: L.CloudWatchLogsClient;
  let scratch: string;

  before(async () => {
    server = await startTestServer({ taskStableMs: 500 });
    ecs = new ECS.ECSClient(sdkConfig(server));
    logs = new L.CloudWatchLogsClient(sdkConfig(server));
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'jail' }));
    scratch = mkdtempSync(join(tmpdir(), 'wf-contain-'));
  });
  after(async () => {
    ecs.destroy();
    logs.destroy();
    await server.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  const awslogs = (group: string): ECS.LogConfiguration => ({
    logDriver: 'awslogs',
    options: { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'p', 'awslogs-create-group': 'true' },
  });

  async function run(family: string, container: ECS.ContainerDefinition): Promise<string> {
    const td = (await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: 'main', image: 'busybox', memory: 32, ...container }] })))
      .taskDefinition!.taskDefinitionArn!;
    const run = await ecs.send(new ECS.RunTaskCommand({ cluster: 'jail', taskDefinition: td }));
    assert.deepEqual(run.failures, []);
    return run.tasks![0]!.taskArn!;
  }

  async function task(arn: string): Promise<ECS.Task> {
    return (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'jail', tasks: [arn] }))).tasks![0]!;
  }

  async function lines(group: string, arn: string, atLeast: number): Promise<string[]> {
    return waitFor(`${atLeast} log lines`, async () => {
      const r = await logs.send(new L.GetLogEventsCommand({ logGroupName: group, logStreamName: `p/main/${taskIdOf({ taskArn: arn })}`, startFromHead: true }));
      return r.events!.length >= atLeast ? r.events!.map((e) => e.message!) : undefined;
    });
  }

  async function stopAndWait(arn: string): Promise<ECS.Task> {
    await ecs.send(new ECS.StopTaskCommand({ cluster: 'jail', task: arn, reason: 'test over' }));
    return waitFor('STOPPED', async () => {
      const t = await task(arn);
      return t.lastStatus === 'STOPPED' ? t : undefined;
    });
  }

  test('user "nobody": the task runs as nobody, in its own 0700 directory under the data dir, removed with the task', async () => {
    const arn = await run('as-nobody', {
      user: 'nobody',
      command: ['sh', '-c', 'echo "uid=$(id -u) gid=$(id -g) home=$HOME"; pwd; touch written-here && echo wrote; exec sleep 1000'],
      logConfiguration: awslogs('/ecs/as-nobody'),
    });
    const [who, cwd, wrote] = await lines('/ecs/as-nobody', arn, 3);
    assert.equal(who, 'uid=65534 gid=65534 home=/nonexistent');
    assert.equal(cwd, join(server.dataDir, 'tasks', taskIdOf({ taskArn: arn }), 'main'));
    assert.equal(wrote, 'wrote', 'the task can write in its own directory');
    const st = statSync(cwd);
    assert.equal(st.uid, 65534);
    assert.equal(st.gid, 65534);
    assert.equal(st.mode & 0o777, 0o700, 'no other user may enter it');
    assert.equal(statSync(join(cwd, 'written-here')).uid, 65534);
    await stopAndWait(arn);
    await waitFor('the working directory removed', () => !existsSync(cwd));
  });

  test('user "uid:gid" without a passwd entry runs with exactly those ids', async () => {
    const arn = await run('as-numbers', { user: '4321:8765', command: ['sh', '-c', 'echo "$(id -u):$(id -g):$(id -G)"'], logConfiguration: awslogs('/ecs/as-numbers') });
    assert.deepEqual(await lines('/ecs/as-numbers', arn, 1), ['4321:8765:8765'], 'no supplementary groups of the server (root) either');
  });

  test('a user the host does not know: the task stops before anything runs, saying why', async () => {
    const marker = join(scratch, 'unknown-user-ran');
    const arn = await run('as-unknown', { user: 'no-such-user-wf', command: ['sh', '-c', `touch ${marker}`] });
    const t = await waitFor('STOPPED', async () => {
      const x = await task(arn);
      return x.lastStatus === 'STOPPED' ? x : undefined;
    });
    assert.equal(t.stopCode, 'TaskFailedToStart');
    assert.equal(t.stoppedReason, 'CannotStartContainerError: unable to find user no-such-user-wf: no matching entries in passwd file');
    assert.equal(t.containers![0]!.reason, t.stoppedReason);
    assert.equal(existsSync(marker), false, 'the command never ran (as root or anyone)');
  });

  test('user "nobody" with a workingDirectory only root can reach: the task fails to start and reads nothing there', async () => {
    // scratch is root's and 0700; the directory inside it is open, so a process that somehow got in
    // (Node chdirs as root, before switching users) could read the file through a relative path.
    const inner = join(scratch, 'root-only-inner');
    mkdirSync(inner, { mode: 0o755 });
    chmodSync(scratch, 0o700);
    writeFileSync(join(inner, 'secret'), 'root-only-secret\n', { mode: 0o644 });
    const arn = await run('cwd-root-only', {
      user: 'nobody',
      workingDirectory: inner,
      command: ['sh', '-c', 'cat secret; pwd'],
      logConfiguration: awslogs('/ecs/cwd-root-only'),
    });
    const t = await waitFor('STOPPED', async () => {
      const x = await task(arn);
      return x.lastStatus === 'STOPPED' ? x : undefined;
    });
    assert.equal(t.stopCode, 'TaskFailedToStart', `stopped as ${t.stopCode}: ${t.stoppedReason}`);
    assert.equal(t.stoppedReason, `CannotStartContainerError: working directory '${inner}' does not exist or user 65534:65534 cannot enter it`);
    const events = await logs
      .send(new L.GetLogEventsCommand({ logGroupName: '/ecs/cwd-root-only', logStreamName: `p/main/${taskIdOf({ taskArn: arn })}`, startFromHead: true }))
      .then((r) => r.events ?? [])
      .catch(() => []);
    assert.ok(!events.some((e) => e.message?.includes('root-only-secret')), 'the secret was never read');
  });

  test('StopTask ends processes that escaped with setsid and a double-forking daemon; nothing survives', async () => {
    const escaped = join(scratch, 'escaped.pid');
    const daemon = join(scratch, 'daemon.pid');
    const arn = await run('escape', {
      command: [
        'sh',
        '-c',
        // A new session that stays a child of the task, and one whose parent exits at once (re-parented away from the task).
        `setsid sleep 1000 & echo $! > ${escaped}; sh -c 'setsid sleep 1001 & echo $! > ${daemon}' ; echo started; wait`,
      ],
      logConfiguration: awslogs('/ecs/escape'),
    });
    await lines('/ecs/escape', arn, 1);
    const pids = [escaped, daemon].map((f) => Number(readFileSync(f, 'utf8')));
    for (const pid of pids) assert.ok(processRuns(pid), `pid ${pid} runs before the stop`);
    const sid = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[3]);
    const leader = Number((await task(arn)).containers![0]!.runtimeId);
    for (const pid of pids) assert.notEqual(sid(pid), sid(leader), 'it really left the task’s session');
    const t = await stopAndWait(arn);
    assert.equal(t.stoppedReason, 'test over');
    for (const pid of pids) assert.equal(processRuns(pid), false, `pid ${pid} was ended with the task`);
  });

  test('a health check of a user task runs as that user', async () => {
    const arn = await run('check-as', {
      user: 'nobody',
      command: ['sleep', '1000'],
      healthCheck: { command: ['CMD-SHELL', 'test "$(id -u)" = 65534'], interval: 5, timeout: 2, retries: 1, startPeriod: 0 },
    });
    const healthy = await waitFor('health', async () => {
      const t = await task(arn);
      return t.healthStatus !== 'UNKNOWN' ? t.healthStatus : undefined;
    });
    assert.equal(healthy, 'HEALTHY');
    await stopAndWait(arn);
  });
});

describe('process runtime containment at shutdown', { skip: asRoot ? undefined : 'needs root' }, () => {
  test('the server shutting down ends a task’s escaped processes too', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'wf-contain-'));
    const server = await startTestServer({ taskStableMs: 500 });
    const ecs = new ECS.ECSClient(sdkConfig(server));
    try {
      await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'jail' }));
      const file = join(scratch, 'escaped.pid');
      const td = (
        await ecs.send(
          new ECS.RegisterTaskDefinitionCommand({
            family: 'escape-at-shutdown',
            containerDefinitions: [
              { name: 'main', image: 'busybox', memory: 32, command: ['sh', '-c', `sh -c 'setsid sleep 1002 & echo $! > ${file}.tmp; mv ${file}.tmp ${file}'; wait; sleep 1000`] },
            ],
          }),
        )
      ).taskDefinition!.taskDefinitionArn!;
      await ecs.send(new ECS.RunTaskCommand({ cluster: 'jail', taskDefinition: td }));
      const pid = await waitFor('the escaped pid', () => existsSync(file) && Number(readFileSync(file, 'utf8')));
      assert.ok(processRuns(pid));
      ecs.destroy();
      await server.destroy();
      assert.equal(processRuns(pid), false, 'nothing of the task outlives the server');
    } finally {
      ecs.destroy();
      await server.destroy().catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('process runtime containment after a crash', { skip: asRoot ? undefined : 'needs root' }, () => {
  test('kill -9 of `wayfinder up`: the next start on the data dir ends the escaped processes and removes the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-contain-kill9-'));
    const args = ['--port', '0', '--dns-port', '0', '--data-dir', dir, '--runtime', 'process', '--health-delay-ms', '0', '--operation-delay-ms', '0', '--task-stable-ms', '300'];
    try {
      const a = await startCli(args);
      const ea = new ECS.ECSClient(sdkConfig(a));
      await ea.send(new ECS.CreateClusterCommand({ clusterName: 'jail' }));
      const td = (
        await ea.send(
          new ECS.RegisterTaskDefinitionCommand({
            family: 'escape-crash',
            containerDefinitions: [{ name: 'main', image: 'busybox', memory: 32, user: 'nobody', command: ['sh', '-c', `sh -c 'setsid sleep 1003 & echo $!' > pid; sleep 1000`] }],
          }),
        )
      ).taskDefinition!.taskDefinitionArn!;
      const arn = (await ea.send(new ECS.RunTaskCommand({ cluster: 'jail', taskDefinition: td }))).tasks![0]!.taskArn!;
      const workDir = join(dir, 'tasks', taskIdOf({ taskArn: arn }), 'main');
      const pid = await waitFor('the escaped pid', () => existsSync(join(workDir, 'pid')) && Number(readFileSync(join(workDir, 'pid'), 'utf8')));
      ea.destroy();
      a.child.kill('SIGKILL');
      await a.exited;
      assert.ok(processRuns(pid), 'a crashed server cannot end anything: the escaped process still runs');

      const b = await startCli(args);
      try {
        await waitFor('the escaped process ended', () => !processRuns(pid));
        await waitFor('the working directory removed', () => !existsSync(workDir));
      } finally {
        b.child.kill('SIGTERM');
        await b.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
