// RegisterTaskDefinition and `user` on a server that can never honour it (the process runtime while
// Wayfinder is not root): refused up front with ClientException instead of failing every start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../kernel/errors.js';
import { ProcessRuntime } from '../runtimes/process/process-runtime.js';
import { normaliseTaskDefinition } from './task-definition-rules.js';

const input = (user?: string) => ({ family: 'f', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 32, command: ['true'], ...(user ? { user } : {}) }] });

test('a server that cannot switch users refuses a container with another user at registration', async () => {
  const rt = new ProcessRuntime({ server: { uid: 1000, gid: 1000 } });
  const problem = (c: string, u: string) => rt.userProblem(c, u);
  assert.throws(
    () => normaliseTaskDefinition(input('nobody'), problem),
    (e: unknown) =>
      e instanceof AwsError &&
      e.code === 'ClientException' &&
      /^Invalid setting for container 'web': container 'web' asks for user 'nobody' \(65534:65534\) but Wayfinder runs as 1000:1000, not root, and cannot switch users; run it as root, use the docker runtime, or drop 'user'\.$/.test(
        e.message,
      ),
  );
  assert.equal(normaliseTaskDefinition(input(), problem).containerDefinitions![0]!.user, undefined, 'no user: accepted');
  await rt.close();
});

test('a server that can switch (root, or another runtime) registers the user as given', async () => {
  const rt = new ProcessRuntime({ server: { uid: 0, gid: 0 } });
  assert.equal(normaliseTaskDefinition(input('nobody'), (c, u) => rt.userProblem(c, u)).containerDefinitions![0]!.user, 'nobody');
  assert.equal(normaliseTaskDefinition(input('nobody')).containerDefinitions![0]!.user, 'nobody');
  await rt.close();
});
