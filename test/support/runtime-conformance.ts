// The one conformance suite every real runtime passes (process-runtime.test.ts, docker-runtime.test.ts):
// output lines, exit codes, environment and working directory, published ports that answer HTTP,
// SIGTERM then SIGKILL after the timeout, exec for health checks, and what `recover` does with a
// stored handle after a restart (docker re-adopts, process reports the container gone). The in-tree
// fake the scheduler's unit tests run on (fake-runtime.ts) runs it too, with the cases it cannot
// honestly pass marked not applicable, each with its reason.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { StartError, type ContainerHandle, type ContainerRuntime, type ContainerSpec } from '../../src/ecs/runtimes/api.js';

export interface ConformanceTarget {
  name: string;
  /** A runtime; `fresh()` is another instance over the same resources, as after a server restart. */
  runtime(): ContainerRuntime;
  fresh(): ContainerRuntime;
  image: string;
  /** A command serving `index.html` containing "hello" over HTTP on containerPort (or $PORT). */
  httpServer(containerPort: number): Pick<ContainerSpec, 'command' | 'environment'>;
  /** Whether a running container survives a restart and is re-adopted. */
  adopts: boolean;
  /** Skip the whole suite (with this reason) — e.g. no Docker engine and not required. */
  skip?: string;
  /** Cases this runtime does not promise (a fake that runs no program), each with the reason. Real runtimes have none. */
  notApplicable?: Partial<Record<ConformanceCase, string>>;
}

export type ConformanceCase = 'output' | 'environment' | 'ports' | 'sigterm' | 'sigkill' | 'exec' | 'recover' | 'remove' | 'cannot-start';

const BOUND_MS = 20_000;

function spec(t: ConformanceTarget, over: Partial<ContainerSpec>): ContainerSpec {
  return {
    taskId: `conf${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`,
    cluster: 'conformance',
    name: 'c',
    image: t.image,
    environment: {},
    ports: [],
    ...over,
  };
}

async function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function get(url: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(url);
      return await r.text();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

export function runtimeConformance(t: ConformanceTarget): void {
  describe(`${t.name} runtime conformance`, { skip: t.skip }, () => {
    let rt: ContainerRuntime;
    const started: ContainerHandle[] = [];
    const track = (h: ContainerHandle) => (started.push(h), h);
    const applies = (c: ConformanceCase) => ({ skip: t.notApplicable?.[c] ? `not applicable to ${t.name}: ${t.notApplicable[c]}` : undefined });

    before(() => {
      rt = t.runtime();
    });

    after(async () => {
      if (!rt) return;
      for (const h of started) {
        await rt.stop(h, 0).catch(() => undefined);
        await rt.remove(h).catch(() => undefined);
      }
      await rt.close();
    });

    test('runs the command, passes every output line, and reports the exit code', applies('output'), async () => {
      const lines: string[] = [];
      const s = await rt.start(spec(t, { command: ['sh', '-c', 'echo one; echo two >&2; printf "three"; exit 3'], onLine: (stream, l) => lines.push(`${stream}:${l}`) }));
      track(s.handle);
      assert.ok(s.runtimeId, 'has a runtime id');
      const exit = await withDeadline(rt.wait(s.handle), 'wait');
      assert.equal(exit.exitCode, 3);
      assert.deepEqual([...lines].sort(), ['stderr:two', 'stdout:one', 'stdout:three']);
    });

    // Output written while it is already being followed, ending in a line without a newline: Docker's
    // followed log stream drops that line most of the time (moby/moby#43860), so a runtime must read
    // the end of the output again after the exit.
    test('passes a last line without a newline that was written while the output was followed', applies('output'), async () => {
      const lines: string[] = [];
      const s = await rt.start(spec(t, { command: ['sh', '-c', 'sleep 1; echo one; printf "last"'], onLine: (stream, l) => lines.push(`${stream}:${l}`) }));
      track(s.handle);
      assert.equal((await withDeadline(rt.wait(s.handle), 'wait')).exitCode, 0);
      assert.deepEqual(lines, ['stdout:one', 'stdout:last']);
    });

    test('passes the environment and the working directory', applies('environment'), async () => {
      const lines: string[] = [];
      const s = await rt.start(
        spec(t, { command: ['sh', '-c', 'echo "$GREETING from $(pwd)"'], environment: { GREETING: 'hi there' }, workingDirectory: '/tmp', onLine: (_s, l) => lines.push(l) }),
      );
      track(s.handle);
      assert.equal((await withDeadline(rt.wait(s.handle), 'wait')).exitCode, 0);
      assert.deepEqual(lines, ['hi there from /tmp']);
    });

    test('publishes ports on 127.0.0.1 and the container answers there', applies('ports'), async () => {
      const s = await rt.start(spec(t, { ...t.httpServer(8080), ports: [{ containerPort: 8080, protocol: 'tcp' }] }));
      track(s.handle);
      assert.equal(s.bindings.length, 1);
      assert.equal(s.bindings[0]!.containerPort, 8080);
      assert.ok(s.bindings[0]!.hostPort > 0, 'a host port was bound');
      assert.match(await get(`http://127.0.0.1:${s.bindings[0]!.hostPort}/`), /hello/);
      await withDeadline(rt.stop(s.handle, 2), 'stop');
    });

    test('stop sends SIGTERM first: a program that handles it exits cleanly', applies('sigterm'), async () => {
      const lines: string[] = [];
      const s = await rt.start(
        spec(t, { command: ['sh', '-c', 'trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 0.1; done'], onLine: (_s, l) => lines.push(l) }),
      );
      track(s.handle);
      for (let i = 0; i < 100 && !lines.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
      await withDeadline(rt.stop(s.handle, 10), 'stop');
      const exit = await rt.wait(s.handle);
      assert.equal(exit.exitCode, 0);
      assert.ok(lines.includes('got TERM'), `lines: ${lines.join(' | ')}`);
    });

    test('stop sends SIGKILL after the timeout to a program that ignores SIGTERM', applies('sigkill'), async () => {
      const lines: string[] = [];
      const s = await rt.start(spec(t, { command: ['sh', '-c', 'trap "" TERM; echo ready; while true; do sleep 0.1; done'], onLine: (_s, l) => lines.push(l) }));
      track(s.handle);
      for (let i = 0; i < 100 && !lines.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
      await withDeadline(rt.stop(s.handle, 1), 'stop');
      assert.equal((await rt.wait(s.handle)).exitCode, 137);
    });

    test('exec runs health-check commands in the container: exit codes, and a timeout is a failure', applies('exec'), async () => {
      const s = await rt.start(spec(t, { command: ['sh', '-c', 'while true; do sleep 0.2; done'], environment: { MARK: 'present' } }));
      track(s.handle);
      assert.equal((await withDeadline(rt.exec(s.handle, ['sh', '-c', 'test "$MARK" = present'], 5000), 'exec')).exitCode, 0);
      assert.equal((await withDeadline(rt.exec(s.handle, ['sh', '-c', 'exit 7'], 5000), 'exec')).exitCode, 7);
      assert.equal((await withDeadline(rt.exec(s.handle, ['sleep', '5'], 300), 'exec')).exitCode, null);
      await withDeadline(rt.stop(s.handle, 0), 'stop');
    });

    test(
      t.adopts ? 'a restarted runtime re-adopts a running container from its stored handle' : 'a restarted runtime reports a container from a stored handle as gone',
      applies('recover'),
      async () => {
        const s = await rt.start(spec(t, { command: ['sh', '-c', 'while true; do sleep 0.2; done'] }));
        track(s.handle);
        const stored = JSON.parse(JSON.stringify(s.handle)) as ContainerHandle;
        const other = t.fresh();
        try {
          const r = await withDeadline(other.recover(stored), 'recover');
          if (t.adopts) {
            assert.equal(r.state, 'running');
            const owned = await other.owned();
            assert.ok(
              owned.some((o) => o.handle.id === stored.id),
              'listed among its own containers',
            );
            await withDeadline(other.stop(stored, 1), 'stop after adoption');
            assert.notEqual((await other.wait(stored)).exitCode, null);
            await other.remove(stored);
          } else {
            assert.equal(r.state, 'exited');
            assert.ok(r.state === 'exited' && r.reason, 'says why');
          }
        } finally {
          await other.close();
        }
      },
    );

    test('remove is idempotent', applies('remove'), async () => {
      const s = await rt.start(spec(t, { command: ['sh', '-c', 'exit 0'] }));
      await withDeadline(rt.wait(s.handle), 'wait');
      await rt.remove(s.handle);
      await rt.remove(s.handle);
    });

    test('a command that cannot run fails to start with CannotStartContainerError', applies('cannot-start'), async () => {
      await assert.rejects(
        rt.start(spec(t, { command: ['/no/such/program'] })).then(async (s) => {
          // Docker may start the container and only then fail; either way the error names the cause.
          track(s.handle);
          throw new Error('started');
        }),
        (e: unknown) => e instanceof StartError && /^CannotStartContainerError: /.test(e.reason),
      );
    });
  });
}
