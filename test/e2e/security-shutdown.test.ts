// Stopping means stopped: a graceful stop (SIGTERM to the real `wayfinder up`) stops every task the server started
// as ECS stops one (SIGTERM, then SIGKILL after the container's stopTimeout), so nothing it started keeps running
// behind it, and the next start shows the task STOPPED with how its container ended. `--keep-tasks` leaves tasks
// running (Docker containers and process-runtime ones) for the next start to re-adopt.
// The docker variant runs only with WAYFINDER_TEST_DOCKER=1, like ecs-docker.test.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ECS from '@aws-sdk/client-ecs';
import { DockerEngine, EngineError } from '../../src/ecs/runtimes/docker/engine-client.js';
import { sdkConfig } from '../support/server.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { waitFor } from '../support/ecs.js';

const FAST = ['--port', '0', '--dns-port', '0', '--health-delay-ms', '0', '--operation-delay-ms', '0', '--task-stable-ms', '200'];

/**
 * Whether any live process of the group (the process runtime runs each container as its own process group) is
 * left. Zombies do not count: they are dead, only not yet reaped by whoever inherited them.
 */
function groupRuns(pgid: number): boolean {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

async function runTask(port: number, command: string[], image = 'unused'): Promise<ECS.Task> {
  const ecs = new ECS.ECSClient(sdkConfig({ port }));
  try {
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'stop' }));
    await ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'stop-me',
        networkMode: 'bridge',
        // stopTimeout: how long ECS waits after SIGTERM before SIGKILL.
        containerDefinitions: [{ name: 'app', image, memory: 32, command, stopTimeout: 2 }],
      }),
    );
    const arn = (await ecs.send(new ECS.RunTaskCommand({ cluster: 'stop', taskDefinition: 'stop-me' }))).tasks![0]!.taskArn!;
    return await waitFor('the task to run', async () => {
      const t = (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'stop', tasks: [arn] }))).tasks![0]!;
      return t.lastStatus === 'RUNNING' ? t : undefined;
    });
  } finally {
    ecs.destroy();
  }
}

async function describeTask(port: number, arn: string): Promise<ECS.Task> {
  const ecs = new ECS.ECSClient(sdkConfig({ port }));
  try {
    return (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'stop', tasks: [arn] }))).tasks![0]!;
  } finally {
    ecs.destroy();
  }
}

async function sigterm(cli: RunningCli): Promise<number | null> {
  cli.child.kill('SIGTERM');
  return cli.exited;
}

describe('graceful stop on the process runtime', () => {
  let dir: string;
  before(() => void (dir = mkdtempSync(join(tmpdir(), 'wf-stop-proc-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGTERM to `wayfinder up` stops the task (SIGKILL after stopTimeout when it ignores SIGTERM) and records how it ended', async () => {
    const args = [...FAST, '--data-dir', dir, '--runtime', 'process'];
    const first = await startCli(args);
    // The task ignores SIGTERM, as a stubborn program does; its children inherit that.
    const task = await runTask(first.port, ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done']);
    const pid = Number(task.containers![0]!.runtimeId);
    assert.ok(groupRuns(pid), 'the task runs');
    assert.equal(await sigterm(first), 0, 'wayfinder exits cleanly');
    assert.ok(!groupRuns(pid), 'no process of the task outlives the server');

    const second = await startCli(args);
    try {
      const t = await describeTask(second.port, task.taskArn!);
      assert.equal(t.lastStatus, 'STOPPED');
      assert.equal(t.stopCode, 'TerminationNotice');
      assert.match(t.stoppedReason!, /^Task stopped because Wayfinder stopped/);
      assert.equal(t.containers![0]!.lastStatus, 'STOPPED');
      assert.equal(t.containers![0]!.exitCode, 137, 'SIGKILLed after stopTimeout, as ECS does');
    } finally {
      await sigterm(second);
    }
  });

  it('--keep-tasks leaves a process task running and the next start re-adopts it; a plain stop then stops it', async () => {
    const args = [...FAST, '--data-dir', dir, '--runtime', 'process'];
    const first = await startCli([...args, '--keep-tasks']);
    const task = await runTask(first.port, ['sleep', '600']);
    const pid = Number(task.containers![0]!.runtimeId);
    assert.ok(groupRuns(pid));
    assert.equal(await sigterm(first), 0);
    assert.ok(groupRuns(pid), '--keep-tasks: the process task outlives the server');

    const second = await startCli(args);
    const t = await describeTask(second.port, task.taskArn!);
    assert.equal(t.lastStatus, 'RUNNING', 're-adopted');
    assert.equal(t.containers![0]!.runtimeId, String(pid));
    assert.equal(await sigterm(second), 0);
    assert.ok(!groupRuns(pid), 'without --keep-tasks the re-adopted task is stopped');
  });
});

const wanted = process.env.WAYFINDER_TEST_DOCKER === '1';
const skip = wanted ? undefined : 'docker-runtime suites run only with WAYFINDER_TEST_DOCKER=1 (needs a Docker engine and scripts/docker-test-image.sh)';
const IMAGE = process.env.WAYFINDER_TEST_IMAGE ?? 'wayfinder-test/busybox:latest';

describe('graceful stop on the docker runtime', { skip }, () => {
  const engine = new DockerEngine();
  let dir: string;
  before(async () => {
    if (!(await engine.ping(3000))) throw new Error('WAYFINDER_TEST_DOCKER=1 but no Docker engine answers (DOCKER_HOST or /var/run/docker.sock)');
    execFileSync(fileURLToPath(new URL('../../../scripts/docker-test-image.sh', import.meta.url)), { stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'wf-stop-docker-'));
  });
  after(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The container's state, or 'gone' once it is removed. */
  const containerState = async (id: string): Promise<string> => {
    try {
      return (await engine.call<{ State: { Status: string } }>('GET', `/containers/${id}/json`)).body.State.Status;
    } catch (e) {
      if (e instanceof EngineError && e.status === 404) return 'gone';
      throw e;
    }
  };

  it('--keep-tasks leaves the container running and the next start re-adopts it; a plain stop then removes it', async () => {
    const args = [...FAST, '--data-dir', dir, '--runtime', 'docker'];
    const first = await startCli([...args, '--keep-tasks']);
    // Exits on SIGTERM (once the running `sleep 1` returns), as a well-behaved program does.
    const task = await runTask(first.port, ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'], IMAGE);
    const id = task.containers![0]!.runtimeId!;
    assert.equal(await sigterm(first), 0);
    assert.equal(await containerState(id), 'running', '--keep-tasks: the container outlives the server');

    const second = await startCli(args);
    const adopted = await describeTask(second.port, task.taskArn!);
    assert.equal(adopted.lastStatus, 'RUNNING', 're-adopted by the next start');
    assert.equal(adopted.containers![0]!.runtimeId, id, 'the same container');
    assert.equal(await sigterm(second), 0);
    assert.equal(await containerState(id), 'gone', 'without --keep-tasks the container is stopped and removed');

    const third = await startCli(args);
    try {
      const t = await describeTask(third.port, task.taskArn!);
      assert.equal(t.lastStatus, 'STOPPED');
      assert.equal(t.stopCode, 'TerminationNotice');
      assert.equal(t.containers![0]!.exitCode, 0, 'it exited on SIGTERM');
    } finally {
      await sigterm(third);
    }
  });

  it('SIGTERM to `wayfinder up` stops and removes a container that ignores SIGTERM (SIGKILL after stopTimeout)', async () => {
    const cli = await startCli([...FAST, '--data-dir', dir, '--runtime', 'docker']);
    // PID 1 in a container ignores SIGTERM unless it handles it: only the SIGKILL after stopTimeout ends it.
    const task = await runTask(cli.port, ['sleep', '600'], IMAGE);
    const id = task.containers![0]!.runtimeId!;
    assert.equal(await containerState(id), 'running');
    assert.equal(await sigterm(cli), 0);
    assert.equal(await containerState(id), 'gone', 'no container outlives the server');
  });
});
