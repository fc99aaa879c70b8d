// What ECS writes to Cloud Map (docs/aws-behavior.md §5.6), against an in-test fake CloudMapApi: the attribute set,
// the port per registry form, initial custom health, pushes, deregistration, restart clean-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../kernel/log.js';
import { FakeCloudMap } from '../../test/support/fake-cloudmap.js';
import { Registration, instanceAttributes } from './registration.js';
import type { TaskRecord } from './store.js';

function task(over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    region: 'us-east-1',
    accountId: '000000000000',
    cluster: 'prod',
    taskId: 'a'.repeat(32),
    arn: 'a',
    clusterArn: 'c',
    taskDefinitionArn: 'td',
    family: 'web',
    service: 'api',
    group: 'service:api',
    launchType: 'FARGATE',
    availabilityZone: 'us-east-1b',
    networkMode: 'awsvpc',
    serviceRegistries: [],
    lastStatus: 'ACTIVATING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    version: 1,
    createdAt: 0,
    containers: [
      {
        name: 'web',
        arn: 'x',
        image: 'i',
        essential: true,
        lastStatus: 'RUNNING',
        healthStatus: 'UNKNOWN',
        hasHealthCheck: false,
        networkBindings: [{ bindIP: '127.0.0.1', containerPort: 80, hostPort: 41000, protocol: 'tcp' }],
      },
      {
        name: 'side',
        arn: 'y',
        image: 'i',
        essential: false,
        lastStatus: 'RUNNING',
        healthStatus: 'UNKNOWN',
        hasHealthCheck: false,
        networkBindings: [{ bindIP: '127.0.0.1', containerPort: 9000, hostPort: 41001, protocol: 'tcp' }],
      },
    ],
    overrides: {},
    tags: [],
    enableExecuteCommand: false,
    registrations: [],
    ...over,
  };
}

test('the attribute set: reachable 127.0.0.1 and the host port of the mapping the registry names', () => {
  const info = { health: 'none' as const };
  assert.deepEqual(instanceAttributes(task(), { registryArn: 'r', port: 80 }, info), {
    AWS_INSTANCE_IPV4: '127.0.0.1',
    AWS_INSTANCE_PORT: '41000',
    AVAILABILITY_ZONE: 'us-east-1b',
    REGION: 'us-east-1',
    ECS_CLUSTER_NAME: 'prod',
    ECS_SERVICE_NAME: 'api',
    ECS_TASK_DEFINITION_FAMILY: 'web',
  });
  assert.equal(instanceAttributes(task(), { registryArn: 'r', containerName: 'side', containerPort: 9000 }, info).AWS_INSTANCE_PORT, '41001');
  assert.equal(instanceAttributes(task(), { registryArn: 'r' }, info).AWS_INSTANCE_PORT, undefined, 'A-only: no port');
  assert.equal(instanceAttributes(task(), { registryArn: 'r', port: 8443 }, info).AWS_INSTANCE_PORT, '8443', 'a port nothing maps is registered as given');
});

test('custom health: UNHEALTHY first when an essential container has a health check, then pushed once healthy', () => {
  const cm = new FakeCloudMap();
  const svc = cm.addService('srv-a', ['SRV'], 'custom');
  const reg = new Registration(cm, silentLogger);
  const checked = task({ serviceRegistries: [{ registryArn: svc.arn, port: 80 }] });
  checked.containers[0]!.hasHealthCheck = true;
  const regs = reg.register(checked);
  assert.deepEqual(regs, [{ serviceId: 'srv-a', instanceId: checked.taskId, custom: true, pushed: 'UNHEALTHY', pushedAt: 0 }]);
  assert.equal(cm.instances.get('srv-a')!.get(checked.taskId)!.attributes.AWS_INIT_HEALTH_STATUS, 'UNHEALTHY');
  assert.equal(reg.pushHealth({ ...checked, registrations: regs }), undefined, 'nothing to say while health is unknown');
  const pushed = reg.pushHealth({ ...checked, registrations: regs, healthStatus: 'HEALTHY' })!;
  assert.equal(pushed[0]!.pushed, 'HEALTHY');
  assert.deepEqual(cm.healthy('srv-a'), [checked.taskId]);
  assert.equal(reg.pushHealth({ ...checked, registrations: pushed, healthStatus: 'HEALTHY' }), undefined, 'no repeated pushes');
  reg.deregister({ ...checked, registrations: pushed });
  assert.deepEqual(cm.instanceIds('srv-a'), []);

  const plain = task({ taskId: 'b'.repeat(32), serviceRegistries: [{ registryArn: svc.arn, port: 80 }] });
  reg.register(plain);
  assert.equal(cm.instances.get('srv-a')!.get(plain.taskId)!.health, 'HEALTHY', 'no health checks: HEALTHY from the start');
});

test('after a restart, instances of ECS tasks that are no longer live are removed; live ones and instances registered by users stay', () => {
  const cm = new FakeCloudMap();
  cm.addService('srv-a');
  const reg = new Registration(cm, silentLogger);
  const live = task({ taskId: '1'.repeat(32), lastStatus: 'RUNNING', registrations: [{ serviceId: 'srv-a', instanceId: '1'.repeat(32), custom: true }] });
  const stopped = task({ taskId: '2'.repeat(32), lastStatus: 'STOPPED', registrations: [] });
  for (const id of [live.taskId, stopped.taskId, '3'.repeat(32), 'manual-instance']) cm.registerInstance({ serviceId: 'srv-a', instanceId: id, attributes: {} });
  const removed = reg.reconcile(
    ['srv-a'],
    new Map([
      [live.taskId, live],
      [stopped.taskId, stopped],
    ]),
  );
  assert.equal(removed, 1);
  // '3…3' looks like a task id but no ECS task ever had it: a user registered it, it stays.
  assert.deepEqual(cm.instanceIds('srv-a').sort(), [live.taskId, '3'.repeat(32), 'manual-instance'].sort());
});
