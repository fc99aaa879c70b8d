// The process runtime against the shared conformance suite, plus what only it promises: PORT and
// PORT_<containerPort> point at free loopback ports, a container without entryPoint and command
// fails to start with a clear reason, a server that is not root refuses other users, a stop ends
// processes that left the session (cgroup and /proc tracking), and each container has its own
// working directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runtimeConformance } from '../../../../test/support/runtime-conformance.js';
import { StartError, type ContainerHandle } from '../api.js';
import { ProcessRuntime } from './process-runtime.js';

runtimeConformance({
  name: 'process',
  runtime: () => new ProcessRuntime(),
  fresh: () => new ProcessRuntime(),
  image: 'ignored-by-the-process-runtime',
  httpServer: () => ({ command: ['sh', '-c', 'd=$(mktemp -d) && echo hello > "$d/index.html" && exec busybox httpd -f -p "127.0.0.1:$PORT" -h "$d"'], environment: {} }),
  adopts: false,
});

test('process runtime: PORT is the first mapping’s host port and PORT_<containerPort> names each', async () => {
  const rt = new ProcessRuntime();
  const lines: string[] = [];
  const s = await rt.start({
    taskId: 'p1',
    cluster: 'c',
    name: 'web',
    image: 'x',
    command: ['sh', '-c', 'echo "$PORT $PORT_80 $PORT_9000"'],
    environment: { PORT: 'overridden' },
    ports: [
      { containerPort: 80, protocol: 'tcp' },
      { containerPort: 9000, protocol: 'tcp' },
    ],
    onLine: (_s, l) => lines.push(l),
  });
  await rt.wait(s.handle);
  const [a, b] = s.bindings.map((x) => x.hostPort);
  assert.notEqual(a, b);
  assert.deepEqual(lines, [`${a} ${a} ${b}`]);
  await rt.close();
});

test('process runtime: a container with neither entryPoint nor command does not start, and says why', async () => {
  const rt = new ProcessRuntime();
  await assert.rejects(
    rt.start({ taskId: 'p2', cluster: 'c', name: 'web', image: 'nginx', environment: {}, ports: [] }),
    (e: unknown) => e instanceof StartError && /neither entryPoint nor command/.test(e.reason) && e.reason.startsWith('CannotStartContainerError: '),
  );
  await rt.close();
});

test('process runtime: a stop reaches every process the container started', async () => {
  const rt = new ProcessRuntime();
  const lines: string[] = [];
  const s = await rt.start({
    taskId: 'p3',
    cluster: 'c',
    name: 'web',
    image: 'x',
    command: ['sh', '-c', 'sleep 1000 & echo $!; wait'],
    environment: {},
    ports: [],
    onLine: (_s, l) => lines.push(l),
  });
  for (let i = 0; i < 100 && !lines.length; i++) await new Promise((r) => setTimeout(r, 20));
  const child = Number(lines[0]);
  await rt.stop(s.handle, 5);
  let alive = true;
  for (let i = 0; i < 50 && alive; i++) {
    // Gone, or a zombie waiting for init to reap it (it no longer runs).
    const state = (() => {
      try {
        const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      } catch {
        return 'gone';
      }
    })();
    if (state === 'gone' || state === 'Z') alive = false;
    else await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(alive, false, 'the background sleep was stopped too');
  await rt.close();
});

test('process runtime not running as root: a container with another user does not start, and RegisterTaskDefinition can say so up front', async () => {
  const rt = new ProcessRuntime({ server: { uid: 1000, gid: 1000 } });
  await assert.rejects(
    rt.start({ taskId: 'p4', cluster: 'c', name: 'web', image: 'x', user: 'nobody', command: ['sh', '-c', 'exit 0'], environment: {}, ports: [] }),
    (e: unknown) =>
      e instanceof StartError && /^CannotStartContainerError: container 'web' asks for user 'nobody' \(65534:65534\) but Wayfinder runs as 1000:1000, not root/.test(e.reason),
  );
  assert.match(rt.userProblem('web', 'nobody') ?? '', /^container 'web' asks for user 'nobody'/);
  assert.equal(rt.userProblem('web', 'no-such-user-wf'), undefined, 'an unknown name is the start’s business (the host’s accounts may change)');
  assert.equal(rt.userProblem('web', undefined), undefined);
  await rt.close();
});

/** Starts a container that leaves its session twice (one child stays, one daemon re-parents away). */
async function escapingContainer(rt: ProcessRuntime): Promise<{ handle: ContainerHandle; pids: number[] }> {
  const lines: string[] = [];
  const s = await rt.start({
    taskId: `esc${Math.random().toString(16).slice(2, 10)}`,
    cluster: 'c',
    name: 'web',
    image: 'x',
    command: ['sh', '-c', `setsid sleep 1000 & echo $!; sh -c 'setsid sleep 1001 & echo $!'; wait`],
    environment: {},
    ports: [],
    onLine: (_s, l) => lines.push(l),
  });
  for (let i = 0; i < 200 && lines.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  return { handle: s.handle, pids: lines.map(Number) };
}

function runs(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

for (const cgroups of [true, false]) {
  const mode = cgroups ? 'a cgroup' : '/proc tracking';
  test(`process runtime with ${mode}: a stop ends processes that left the session, even a daemon whose parent is gone`, async (t) => {
    const rt = new ProcessRuntime({ cgroups });
    if (cgroups && rt.containment !== 'cgroup') return t.skip('no usable cgroup v2 hierarchy here');
    const { handle, pids } = await escapingContainer(rt);
    assert.equal(pids.length, 2);
    for (const pid of pids) assert.ok(runs(pid), `${pid} runs before the stop`);
    if (cgroups) assert.match(readFileSync(`/proc/${pids[1]}/cgroup`, 'utf8'), /\/wayfinder-[0-9a-f]{12}\/esc/, 'the daemon was born in the container’s cgroup');
    await rt.stop(handle, 5);
    for (const pid of pids) assert.equal(runs(pid), false, `${pid} ended with the container`);
    await rt.remove(handle);
    await rt.close();
  });
}

test('process runtime: each container gets its own working directory, gone after remove', async () => {
  const rt = new ProcessRuntime();
  const lines: string[] = [];
  const s = await rt.start({
    taskId: 'wd1',
    cluster: 'c',
    name: 'web',
    image: 'x',
    command: ['sh', '-c', 'pwd; ls -A | wc -l'],
    environment: {},
    ports: [],
    onLine: (_s, l) => lines.push(l),
  });
  await rt.wait(s.handle);
  assert.match(lines[0]!, /\/wayfinder-tasks-[^/]+\/wd1\/web$/);
  assert.equal(lines[1]!.trim(), '0', 'it starts empty');
  assert.notEqual(lines[0], process.cwd());
  await rt.remove(s.handle);
  assert.equal(existsSync(lines[0]!), false);
  await rt.close();
});

test('process runtime with /proc tracking: recover after a crash ends the processes that carry the container’s marker', async () => {
  // A survivor of an earlier server: its leader is long gone, it left the session, and only its
  // environment still says which container it belonged to.
  const marker = `WAYFINDER_TASK_TREE=${Math.random().toString(16).slice(2)}`;
  const survivor = spawn('sleep', ['1000'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WAYFINDER_TASK_TREE: marker.split('=')[1]! }, detached: true, stdio: 'ignore' });
  await new Promise((r) => survivor.once('spawn', r));
  const bystander = spawn('sleep', ['1000'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WAYFINDER_TASK_TREE: 'another' }, detached: true, stdio: 'ignore' });
  await new Promise((r) => bystander.once('spawn', r));
  try {
    const rt = new ProcessRuntime({ cgroups: false });
    const handle = { runtime: 'process', pid: 2 ** 22 + 1, startTime: 'gone', marker } as ContainerHandle;
    const r = await rt.recover(handle);
    assert.equal(r.state, 'exited');
    for (let i = 0; i < 100 && runs(survivor.pid!); i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(runs(survivor.pid!), false, 'the marked survivor was ended');
    assert.equal(runs(bystander.pid!), true, 'a process with another marker was left alone');
    await rt.close();
  } finally {
    survivor.kill('SIGKILL');
    bystander.kill('SIGKILL');
  }
});

test('process runtime: a container name of 255 characters (ECS allows it) still gets a cgroup', async (t) => {
  const rt = new ProcessRuntime();
  if (rt.containment !== 'cgroup') return t.skip('no usable cgroup v2 hierarchy here');
  const name = 'n'.repeat(255);
  const s = await rt.start({ taskId: 'f'.repeat(32), cluster: 'c', name, image: 'x', command: ['sh', '-c', 'exit 0'], environment: {}, ports: [] });
  const cgroup = (s.handle as ContainerHandle & { cgroup?: string }).cgroup;
  assert.ok(cgroup, 'it has a cgroup, not the /proc fallback');
  assert.ok(cgroup.split('/').pop()!.length <= 255);
  await rt.wait(s.handle);
  await rt.remove(s.handle);
  await rt.close();
});

test('process runtime: removing a container of an earlier run removes that run’s parent cgroup too', async (t) => {
  const dirs = [mkdtempSync(join(tmpdir(), 'wf-cg-a-')), mkdtempSync(join(tmpdir(), 'wf-cg-b-'))];
  const earlier = new ProcessRuntime({ tasksDir: dirs[0] });
  const now = new ProcessRuntime({ tasksDir: dirs[1] });
  try {
    if (earlier.containment !== 'cgroup') return t.skip('no usable cgroup v2 hierarchy here');
    const s = await earlier.start({ taskId: 'cgp', cluster: 'c', name: 'web', image: 'x', command: ['sleep', '1000'], environment: {}, ports: [] });
    const cgroup = (s.handle as ContainerHandle & { cgroup?: string }).cgroup!;
    assert.equal((await now.recover(s.handle)).state, 'exited');
    await earlier.wait(s.handle); // the earlier run learns its container died (it does not remove it: it "crashed")
    await now.remove(s.handle);
    assert.equal(existsSync(cgroup), false);
    assert.equal(existsSync(dirname(cgroup)), false, 'the earlier run’s parent cgroup is gone');
  } finally {
    await earlier.close();
    await now.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

// ---- --keep-tasks: a graceful stop lets containers go (detachAll), the next runtime on the data dir re-adopts them ----

const until = async (what: string, ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ok(), what);
};

/** A container that counts lines (one every 50 ms, each written in two parts) and started a daemon that left its session. */
function counter(taskId: string, onLine: (l: string) => void) {
  return {
    taskId,
    cluster: 'c',
    name: 'web',
    image: 'x',
    command: ['sh', '-c', `setsid sleep 1000 & echo "daemon $!"; i=0; while :; do i=$((i+1)); printf 'n %s' $i; sleep 0.05; echo ' end'; done`],
    environment: { MARK: 'kept' },
    ports: [],
    onLine: (_s: string, l: string) => onLine(l),
  };
}

/** The counted lines in order: each exactly once, whichever runtime read it, none cut in two (but the last, which the stop may cut). */
function assertCountedOnce(lines: string[]): void {
  const counted = lines.filter((l) => l.startsWith('n '));
  for (const [i, l] of counted.entries()) {
    if (i === counted.length - 1 && l === `n ${i + 1}`) continue;
    assert.equal(l, `n ${i + 1} end`, `line ${i + 1} once and whole`);
  }
}

for (const cgroups of [true, false]) {
  const mode = cgroups ? 'a cgroup' : '/proc tracking';
  test(`process runtime with ${mode}: a container let go by detachAll is re-adopted by the next runtime on the tasks dir, its output continues exactly once, and a stop ends its whole tree`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-keep-'));
    const first = new ProcessRuntime({ tasksDir: dir, cgroups });
    let next: ProcessRuntime | undefined;
    try {
      if (cgroups && first.containment !== 'cgroup') return t.skip('no usable cgroup v2 hierarchy here');
      const lines: string[] = [];
      const s = await first.start(counter('keep1', (l) => lines.push(l)));
      const pid = Number(s.runtimeId);
      await until('lines flow', () => lines.filter((l) => l.startsWith('n ')).length >= 3);
      const daemon = Number(lines.find((l) => l.startsWith('daemon '))!.split(' ')[1]);
      first.detachAll();
      const atDetach = lines.length;
      await new Promise((r) => setTimeout(r, 300)); // the container keeps writing while no runtime reads
      assert.equal(lines.length, atDetach, 'a detached runtime reads nothing more');
      assert.ok(runs(pid) && runs(daemon), 'detachAll leaves the container and its daemon running');

      next = new ProcessRuntime({ tasksDir: dir, cgroups }); // its start-up sweep leaves the kept container alone
      assert.ok(runs(pid) && runs(daemon), 'the sweep of a new runtime spares a kept container');
      assert.deepEqual(
        (await next.owned()).map((o) => o.taskId),
        ['keep1'],
        'a kept container is listed until recovered',
      );
      const stored = JSON.parse(JSON.stringify(s.handle)) as ContainerHandle;
      assert.equal((await next.recover(stored, (_s, l) => lines.push(l))).state, 'running');
      assert.deepEqual(await next.owned(), [], 'recovered: no longer a stray candidate');
      await until('lines written while no runtime read, and after, arrive', () => lines.filter((l) => l.startsWith('n ')).length >= atDetach + 10);
      assert.deepEqual(await next.exec(stored, ['sh', '-c', 'echo "$MARK"'], 5000), { exitCode: 0, output: 'kept\n' }, 'health checks run in the container again');
      await next.stop(stored, 5);
      assert.equal((await next.wait(stored)).exitCode, 143, 'SIGTERM ended the command: 128+15, recorded by the wrapper');
      assert.ok(!runs(pid) && !runs(daemon), 'the stop ended the whole tree');
      assertCountedOnce(lines);
      await next.remove(stored);
      assert.equal(existsSync((stored as ContainerHandle & { outDir: string }).outDir), false, 'its output directory went with it');
    } finally {
      await next?.close();
      await first.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('process runtime: a kept container that exited while no runtime ran reports its recorded exit code and its last lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-keep-'));
  const first = new ProcessRuntime({ tasksDir: dir });
  const next = () => new ProcessRuntime({ tasksDir: dir });
  let second: ProcessRuntime | undefined;
  try {
    const s = await first.start({
      taskId: 'keep2',
      cluster: 'c',
      name: 'web',
      image: 'x',
      command: ['sh', '-c', 'read _ < /dev/null; sleep 0.3; echo last words; exit 3'],
      environment: {},
      ports: [],
    });
    first.detachAll();
    await new Promise((r) => setTimeout(r, 600)); // it exits meanwhile (its wrapper stays, holding the pipes)
    second = next();
    const lines: string[] = [];
    const stored = JSON.parse(JSON.stringify(s.handle)) as ContainerHandle;
    await second.recover(stored, (_s, l) => lines.push(l));
    assert.deepEqual(await second.wait(stored), { exitCode: 3 }, 'the exit code the wrapper recorded');
    assert.deepEqual(lines, ['last words'], 'written before it exited, read after the restart');
  } finally {
    await second?.close();
    await first.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('process runtime: a kept container no task claims is removed as a stray, and one re-adopted is not kept past a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-keep-'));
  const first = new ProcessRuntime({ tasksDir: dir });
  const runtimes: ProcessRuntime[] = [first];
  try {
    const a = await first.start({ taskId: 'stray', cluster: 'c', name: 'web', image: 'x', command: ['sleep', '1000'], environment: {}, ports: [] });
    const b = await first.start({ taskId: 'crash', cluster: 'c', name: 'web', image: 'x', command: ['sleep', '1000'], environment: {}, ports: [] });
    first.detachAll();
    const second = new ProcessRuntime({ tasksDir: dir });
    runtimes.push(second);
    const owned = await second.owned();
    assert.deepEqual(owned.map((o) => o.taskId).sort(), ['crash', 'stray']);
    await second.remove(owned.find((o) => o.taskId === 'stray')!.handle);
    assert.equal(runs(Number(a.runtimeId)), false, 'the stray was killed');
    assert.equal((await second.recover(b.handle)).state, 'running');
    // `second` "crashes" (it is never stopped): the next runtime must not take the container for a kept one.
    const third = new ProcessRuntime({ tasksDir: dir });
    runtimes.push(third);
    const r = await third.recover(b.handle);
    assert.equal(r.state, 'exited');
    await until('the survivor of a crash is killed', () => !runs(Number(b.runtimeId)));
  } finally {
    for (const rt of runtimes) await rt.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
