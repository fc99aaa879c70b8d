// Health checks with Docker's semantics, driven by a scripted probe on short intervals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerHealthCheck, healthCheckConfig, type ContainerHealth } from './health-check.js';

function scripted(results: number[]) {
  let i = 0;
  return async () => ({ exitCode: results[Math.min(i++, results.length - 1)]! });
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), what);
}

test('CMD-SHELL runs through /bin/sh, CMD runs as given, AWS’s defaults apply', () => {
  assert.deepEqual(healthCheckConfig({ command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] }), {
    argv: ['/bin/sh', '-c', 'curl -f http://localhost/ || exit 1'],
    intervalMs: 30000,
    timeoutMs: 5000,
    retries: 3,
    startPeriodMs: 0,
  });
  assert.deepEqual(healthCheckConfig({ command: ['CMD', 'wget', '-q', 'http://localhost/'], interval: 5, retries: 1 })!.argv, ['wget', '-q', 'http://localhost/']);
  assert.equal(healthCheckConfig({ command: ['NONE'] }), undefined);
});

test('one success makes it HEALTHY; `retries` consecutive failures make it UNHEALTHY', async () => {
  const seen: ContainerHealth[] = [];
  const hc = new ContainerHealthCheck({ argv: ['x'], intervalMs: 5, timeoutMs: 100, retries: 2, startPeriodMs: 0 }, scripted([0, 1, 0, 1, 1]), (s) => seen.push(s));
  hc.start();
  await until('unhealthy', () => seen.includes('UNHEALTHY'));
  hc.stop();
  assert.deepEqual(seen, ['HEALTHY', 'UNHEALTHY']);
});

test('failures inside startPeriod do not count', async () => {
  const seen: ContainerHealth[] = [];
  let t = 0;
  const hc = new ContainerHealthCheck(
    { argv: ['x'], intervalMs: 5, timeoutMs: 100, retries: 1, startPeriodMs: 1_000_000 },
    scripted([1, 1, 1, 0]),
    (s) => seen.push(s),
    () => t,
  );
  hc.start();
  await until('healthy', () => seen.includes('HEALTHY'));
  hc.stop();
  assert.deepEqual(seen, ['HEALTHY'], 'three failures during the start period were ignored');
  t += 1;
});
