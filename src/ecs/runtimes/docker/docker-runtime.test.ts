// The docker runtime against the shared conformance suite, plus what only it promises: a missing
// image fails with CannotPullContainerError, and containers carry this Wayfinder's labels so another
// instance never sees them. Runs only with WAYFINDER_TEST_DOCKER=1 (then an engine must answer: the
// suite fails, it does not skip); the image comes from scripts/docker-test-image.sh.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runtimeConformance } from '../../../../test/support/runtime-conformance.js';
import { StartError } from '../api.js';
import { DockerRuntime } from './docker-runtime.js';
import { DockerEngine } from './engine-client.js';

const wanted = process.env.WAYFINDER_TEST_DOCKER === '1';
const skip = wanted ? undefined : 'docker-runtime suites run only with WAYFINDER_TEST_DOCKER=1 (needs a Docker engine and scripts/docker-test-image.sh)';
export const TEST_IMAGE = process.env.WAYFINDER_TEST_IMAGE ?? 'wayfinder-test/busybox:latest';
const instance = `conformance${process.pid}`;

before(async () => {
  if (!wanted) return;
  const engine = new DockerEngine();
  const up = await engine.ping(3000);
  engine.close();
  if (!up) throw new Error('WAYFINDER_TEST_DOCKER=1 but no Docker engine answers (DOCKER_HOST or /var/run/docker.sock)');
  execFileSync(fileURLToPath(new URL('../../../../../scripts/docker-test-image.sh', import.meta.url)), { stdio: 'inherit' });
});

runtimeConformance({
  name: 'docker',
  runtime: () => new DockerRuntime(new DockerEngine(), instance),
  fresh: () => new DockerRuntime(new DockerEngine(), instance),
  image: TEST_IMAGE,
  httpServer: (port) => ({ command: ['sh', '-c', `exec httpd -f -p ${port} -h /www`], environment: {} }),
  adopts: true,
  ...(skip ? { skip } : {}),
});

test('docker runtime: a missing image fails to start with CannotPullContainerError', { skip }, async () => {
  const rt = new DockerRuntime(new DockerEngine(), instance);
  await assert.rejects(
    rt.start({ taskId: 'd1', cluster: 'c', name: 'web', image: 'wayfinder-test/does-not-exist:never', environment: {}, ports: [] }),
    (e: unknown) => e instanceof StartError && e.reason.startsWith('CannotPullContainerError: '),
  );
  await rt.close();
});

test('docker runtime: another Wayfinder instance neither lists nor adopts this one’s containers', { skip }, async () => {
  const mine = new DockerRuntime(new DockerEngine(), instance);
  const theirs = new DockerRuntime(new DockerEngine(), `${instance}-other`);
  const s = await mine.start({ taskId: 'd2', cluster: 'c', name: 'web', image: TEST_IMAGE, command: ['sh', '-c', 'while true; do sleep 0.2; done'], environment: {}, ports: [] });
  try {
    assert.ok(!(await theirs.owned()).some((o) => o.handle.id === s.handle.id));
    const r = await theirs.recover(JSON.parse(JSON.stringify(s.handle)));
    assert.equal(r.state, 'exited');
    assert.ok((await mine.owned()).some((o) => o.handle.id === s.handle.id));
  } finally {
    await mine.stop(s.handle, 0);
    await mine.remove(s.handle);
    await mine.close();
    await theirs.close();
  }
});
