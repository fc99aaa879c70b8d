// The process runtime against the shared conformance suite, plus what only it promises: PORT and
// PORT_<containerPort> point at free loopback ports, and a container without entryPoint and command
// fails to start with a clear reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runtimeConformance } from '../conformance.js';
import { StartError } from '../api.js';
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
  const s = await rt.start({ taskId: 'p3', cluster: 'c', name: 'web', image: 'x', command: ['sh', '-c', 'sleep 1000 & echo $!; wait'], environment: {}, ports: [], onLine: (_s, l) => lines.push(l) });
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
