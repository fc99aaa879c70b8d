#!/usr/bin/env node
// Server CPU per process-runtime container start, for two builds side by side in one run (the cost of
// what a start does: ports, working directory, output pipes, cgroup, the spawn). Each build starts N
// containers (`sleep 100`) one at a time in a fresh Node process that carries a server-sized heap
// (forks cost more in a large process), then stops them; REPS alternating rounds, medians.
// Usage:  flock -x /work/wt/bench.lock node bench/process-start.mjs <dist-a> <dist-b> [N=100] [REPS=3]
//         e.g. node bench/process-start.mjs /work/main/dist dist
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [, , a, b, nArg = '100', repsArg = '3'] = process.argv;
if (!a || !b) {
  console.error('usage: node bench/process-start.mjs <dist-a> <dist-b> [N] [REPS]');
  process.exit(2);
}

if (process.env.PROCESS_START_CHILD) {
  const { ProcessRuntime } = await import(resolve(a, 'src/ecs/runtimes/process/process-runtime.js'));
  const { mkdtempSync, rmSync } = await import('node:fs');
  const n = Number(nArg);
  const dir = mkdtempSync('/tmp/wf-process-start-');
  const rt = new ProcessRuntime({ tasksDir: dir });
  const heap = Array.from({ length: 1_500_000 }, (_, i) => ({ i, s: `x${i}` })); // ~190 MiB RSS, as a server at scale
  const before = process.cpuUsage();
  const handles = [];
  for (let i = 0; i < n; i++)
    handles.push((await rt.start({ taskId: `t${i}`, cluster: 'c', name: 'w', image: 'x', command: ['sleep', '100'], environment: {}, ports: [] })).handle);
  const used = process.cpuUsage(before);
  for (const h of handles) {
    await rt.stop(h, 5);
    await rt.remove(h);
  }
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(((used.user + used.system) / 1000 / n).toFixed(3));
  heap.length = 0; // held until here
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const run = (dist) =>
  Number(
    execFileSync(process.execPath, [self, dist, 'x', nArg], { env: { ...process.env, PROCESS_START_CHILD: '1' } })
      .toString()
      .trim(),
  );
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const ra = [];
const rb = [];
for (let r = 0; r < Number(repsArg); r++) {
  ra.push(run(a));
  rb.push(run(b));
}
console.log(`process-runtime start, server CPU ms per container (N=${nArg}, ${repsArg} alternating reps, median)`);
console.log(`  a ${a}: ${median(ra).toFixed(2)}  (${ra.join(' ')})`);
console.log(`  b ${b}: ${median(rb).toFixed(2)}  (${rb.join(' ')})`);
console.log(`  b ÷ a: ${(median(rb) / median(ra)).toFixed(2)}×`);
