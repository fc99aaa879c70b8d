// The AWS variables a task starts with: region and endpoint always, the credentials pair only with a task
// role, and the shared-config files hidden only for process tasks with a role.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsEnvironment } from './task-environment.js';
import type { TaskRecord } from './store.js';

const task = (over: Partial<TaskRecord> = {}) => ({ region: 'eu-west-1', launchType: 'FARGATE', ...over }) as TaskRecord;
const grant = { id: 'i'.repeat(43), token: 't'.repeat(43), roleArn: 'arn:aws:iam::000000000000:role/app' };

test('without an endpoint (not yet known) only the region and execution env', () => {
  assert.deepEqual(awsEnvironment(task(), undefined), { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' });
});

test('every task gets AWS_ENDPOINT_URL; no credentials variables without a role', () => {
  const env = awsEnvironment(task(), { url: 'http://169.254.170.2:4566' });
  assert.equal(env.AWS_ENDPOINT_URL, 'http://169.254.170.2:4566');
  assert.equal(env.AWS_CONTAINER_CREDENTIALS_FULL_URI, undefined);
  assert.equal(env.AWS_CONTAINER_AUTHORIZATION_TOKEN, undefined);
  assert.equal(env.AWS_SHARED_CREDENTIALS_FILE, undefined);
});

test('a task with a role gets the FULL_URI and token; process tasks also point the SDKs at no shared files', () => {
  const docker = awsEnvironment(task({ credentials: grant }), { url: 'http://169.254.170.2:4566' });
  assert.equal(docker.AWS_CONTAINER_CREDENTIALS_FULL_URI, `http://169.254.170.2:4566/_wayfinder/ecs/credentials/${grant.id}`);
  assert.equal(docker.AWS_CONTAINER_AUTHORIZATION_TOKEN, grant.token);
  assert.equal(docker.AWS_CONFIG_FILE, undefined);
  const proc = awsEnvironment(task({ credentials: grant }), { url: 'http://127.0.0.1:4566', hidesSharedConfig: true });
  assert.equal(proc.AWS_CONTAINER_CREDENTIALS_FULL_URI, `http://127.0.0.1:4566/_wayfinder/ecs/credentials/${grant.id}`);
  assert.equal(proc.AWS_SHARED_CREDENTIALS_FILE, '/dev/null');
  assert.equal(proc.AWS_CONFIG_FILE, '/dev/null');
});
