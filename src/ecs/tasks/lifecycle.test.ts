// The lifecycle table: every state reaches STOPPED, forward walks are AWS's order, moves stamp the
// times AWS reports and bump the version, and moves outside the table are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRecord } from '../store.js';
import { IllegalTransition, LIFECYCLE, ORDER, canMove, moveTo, requestStop, type LastStatus } from './lifecycle.js';

function task(lastStatus: LastStatus = 'PROVISIONING'): TaskRecord {
  return {
    region: 'us-east-1',
    accountId: '000000000000',
    cluster: 'c',
    taskId: 't',
    arn: 'a',
    clusterArn: 'c',
    taskDefinitionArn: 'td',
    family: 'f',
    group: 'family:f',
    launchType: 'FARGATE',
    availabilityZone: 'us-east-1a',
    networkMode: 'awsvpc',
    serviceRegistries: [],
    lastStatus,
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    version: 1,
    createdAt: 0,
    containers: [{ name: 'app', arn: 'x', image: 'i', essential: true, lastStatus: 'RUNNING', healthStatus: 'UNKNOWN', hasHealthCheck: false, networkBindings: [] }],
    overrides: {},
    tags: [],
    enableExecuteCommand: false,
    registrations: [],
  };
}

test('following `forward` from PROVISIONING walks AWS’s lastStatus order up to RUNNING, and `stop` from RUNNING the rest', () => {
  const walk: LastStatus[] = ['PROVISIONING'];
  let s: LastStatus = 'PROVISIONING';
  while (LIFECYCLE[s].forward) walk.push((s = LIFECYCLE[s].forward!));
  for (s = LIFECYCLE[s].stop!; s; s = LIFECYCLE[s].forward!) {
    walk.push(s);
    if (s === 'STOPPED') break;
  }
  assert.deepEqual(walk, [...ORDER]);
});

test('from every state a task can always reach STOPPED, and STOPPED is final', () => {
  for (const from of ORDER) {
    let s = from;
    for (let i = 0; i < ORDER.length && s !== 'STOPPED'; i++) s = (LIFECYCLE[s].stop ?? LIFECYCLE[s].forward)!;
    assert.equal(s, 'STOPPED', `${from} cannot stop`);
  }
  assert.equal(LIFECYCLE.STOPPED.forward, undefined);
  assert.equal(LIFECYCLE.STOPPED.stop, undefined);
});

test('moves stamp AWS’s times and bump the version; illegal moves throw', () => {
  const t = task();
  moveTo(t, 'PENDING', 10);
  moveTo(t, 'ACTIVATING', 20);
  moveTo(t, 'RUNNING', 30);
  assert.equal(t.connectivityAt, 10);
  assert.equal(t.startedAt, 30);
  assert.equal(t.version, 4);
  assert.throws(() => moveTo(t, 'PENDING', 40), IllegalTransition);
  assert.equal(canMove('RUNNING', 'STOPPED'), false);
  requestStop(t, 'UserInitiated', 'because', 50);
  requestStop(t, 'ServiceSchedulerInitiated', 'later reason is ignored', 55);
  assert.equal(t.stopCode, 'UserInitiated');
  assert.equal(t.stoppedReason, 'because');
  assert.equal(t.stoppingAt, 50);
  moveTo(t, 'DEACTIVATING', 60);
  moveTo(t, 'STOPPING', 70);
  moveTo(t, 'DEPROVISIONING', 80);
  moveTo(t, 'STOPPED', 90);
  assert.equal(t.executionStoppedAt, 80);
  assert.equal(t.stoppedAt, 90);
  assert.equal(t.desiredStatus, 'STOPPED');
  assert.equal(t.containers[0]!.lastStatus, 'STOPPED');
});
