// The scheduler and the task engine together, on the in-tree fake runtime and a fake CloudMapApi
// (real SQLite, real EC2 and Logs): convergence, replacement, rolling updates that never drop below
// the desired healthy count in Cloud Map, the circuit breaker with and without rollback, draining.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../kernel/log.js';
import { Store } from '../../store/store.js';
import { ec2Product } from '../../ec2/index.js';
import { logsProduct } from '../../logs/index.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { testContext } from '../../../test/support/context.js';
import { FakeCloudMap } from '../../../test/support/fake-cloudmap.js';
import { FakeRuntime } from '../../../test/support/fake-runtime.js';
import { TestIam } from '../../../test/support/test-iam.js';
import { ecsProduct } from '../index.js';
import { ECS_TABLES, serviceKey, type ServiceRecord } from '../store.js';

type Handler = (input: unknown, ctx: RequestContext) => unknown;

async function harness() {
  const store = Store.open(':memory:', [...ec2Product.migrations, ...logsProduct.migrations, ...ecsProduct.migrations], silentLogger);
  const ec2 = ec2Product.create({ store, logger: silentLogger });
  const logs = logsProduct.create({ store, logger: silentLogger });
  const cm = new FakeCloudMap();
  const registry = cm.addService('srv-web');
  const fake = new FakeRuntime();
  const ecs = ecsProduct.create({
    store,
    logger: silentLogger,
    ec2: ec2.api,
    iam: new TestIam(),
    logs: logs.api,
    cloudMap: cm,
    runtime: 'process',
    healthDelayMs: 0,
    taskStableMs: 100,
    runtimeOverride: fake,
  });
  await ecs.start!();
  ecs.onListening!({ host: '127.0.0.1', port: 4566 });
  const ctx = testContext({ service: 'ecs' });
  const handlers = ecs.services[0]!.table;
  const call = <T>(op: keyof Ecs.EcsOperations, input: unknown): T => (handlers[op] as Handler)(input, ctx) as T;
  call('CreateCluster', { clusterName: 'c' });
  const register = (command: string[]) =>
    call<Ecs.RegisterTaskDefinitionResponse>('RegisterTaskDefinition', {
      family: 'web',
      containerDefinitions: [{ name: 'app', image: 'img', memory: 64, command, portMappings: [{ containerPort: 80 }] }],
    }).taskDefinition!.taskDefinitionArn!;
  const service = () => call<Ecs.DescribeServicesResponse>('DescribeServices', { cluster: 'c', services: ['web'] }).services![0]!;
  const tasks = (desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING') => {
    const arns = call<Ecs.ListTasksResponse>('ListTasks', { cluster: 'c', desiredStatus }).taskArns!;
    return arns.length ? call<Ecs.DescribeTasksResponse>('DescribeTasks', { cluster: 'c', tasks: arns }).tasks! : [];
  };
  return {
    store,
    ctx,
    ecs,
    cm,
    registry,
    fake,
    call,
    register,
    service,
    tasks,
    async close() {
      await ecs.stop!();
      store.close();
    },
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const steady = (s: Ecs.Service, n: number) => s.runningCount === n && s.pendingCount === 0 && s.deployments!.length === 1 && s.deployments![0]!.rolloutState === 'COMPLETED';

test('a service converges to its desired count, registers each task, and says it reached a steady state', async () => {
  const h = await harness();
  try {
    const td = h.register(['serve']);
    h.call('CreateService', {
      cluster: 'c',
      serviceName: 'web',
      taskDefinition: td,
      desiredCount: 3,
      serviceRegistries: [{ registryArn: h.registry.arn, containerName: 'app', containerPort: 80 }],
    });
    const s = await waitFor('steady', () => steady(h.service(), 3) && h.service());
    const msgs = s.events!.map((e) => e.message!);
    assert.match(msgs[msgs.length - 1]!, /^\(service web\) has started 3 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/);
    assert.equal(msgs[0], '(service web) has reached a steady state.');
    assert.ok(msgs.some((m) => /^\(service web\) \(deployment ecs-svc\/\d{19}\) deployment completed\.$/.test(m)));
    const ids = h.tasks().map((t) => t.taskArn!.split('/').pop()!);
    assert.deepEqual(h.cm.instanceIds('srv-web').sort(), ids.sort());
    const attrs = h.cm.instances.get('srv-web')!.get(ids[0]!)!.attributes;
    const task = h.tasks().find((t) => t.taskArn!.endsWith(ids[0]!))!;
    assert.equal(attrs.AWS_INSTANCE_IPV4, '127.0.0.1');
    assert.equal(attrs.AWS_INSTANCE_PORT, String(task.containers![0]!.networkBindings![0]!.hostPort));
    assert.equal(attrs.ECS_SERVICE_NAME, 'web');

    h.call('UpdateService', { cluster: 'c', service: 'web', desiredCount: 1 });
    await waitFor('scaled in', () => h.service().runningCount === 1 && h.cm.instanceIds('srv-web').length === 1);
    assert.ok(h.service().events!.some((e) => /has stopped 2 running tasks/.test(e.message!)));
    const stopped = h.tasks('STOPPED');
    assert.equal(stopped.length, 2);
    assert.ok(stopped.every((t) => t.stopCode === 'ServiceSchedulerInitiated' && /^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/.test(t.stoppedReason!)));
  } finally {
    await h.close();
  }
});

test('a task whose essential container exits is replaced, and Cloud Map follows', async () => {
  const h = await harness();
  try {
    h.call('CreateService', {
      cluster: 'c',
      serviceName: 'web',
      taskDefinition: h.register(['serve']),
      desiredCount: 2,
      serviceRegistries: [{ registryArn: h.registry.arn, containerName: 'app', containerPort: 80 }],
    });
    await waitFor('steady', () => steady(h.service(), 2));
    const victim = h.tasks()[0]!;
    const id = victim.taskArn!.split('/').pop()!;
    h.fake.exit(h.fake.ofTask(id)[0]!.id, 2);
    const dead = await waitFor('stopped', () => h.tasks('STOPPED').find((t) => t.taskArn === victim.taskArn && t.lastStatus === 'STOPPED'));
    assert.equal(dead.stopCode, 'EssentialContainerExited');
    assert.equal(dead.stoppedReason, 'Essential container in task exited');
    assert.equal(dead.containers![0]!.exitCode, 2);
    await waitFor('replaced', () => h.service().runningCount === 2 && !h.cm.instanceIds('srv-web').includes(id) && h.cm.instanceIds('srv-web').length === 2);
  } finally {
    await h.close();
  }
});

test('a rolling update with minimumHealthyPercent 100 starts new tasks and keeps the desired count healthy in Cloud Map throughout', async () => {
  const h = await harness();
  try {
    h.call('CreateService', {
      cluster: 'c',
      serviceName: 'web',
      taskDefinition: h.register(['serve', 'v1']),
      desiredCount: 3,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      serviceRegistries: [{ registryArn: h.registry.arn, containerName: 'app', containerPort: 80 }],
    });
    await waitFor('steady', () => steady(h.service(), 3));
    let lowest = Infinity;
    const deregister = h.cm.deregisterInstance.bind(h.cm);
    h.cm.deregisterInstance = (svc, id) => {
      deregister(svc, id);
      lowest = Math.min(lowest, h.cm.healthy('srv-web').length);
    };
    const v2 = h.register(['serve', 'v2']);
    h.call('UpdateService', { cluster: 'c', service: 'web', taskDefinition: v2 });
    const during = h.service();
    assert.equal(during.deployments!.length, 2);
    assert.deepEqual(
      during.deployments!.map((d) => d.status),
      ['PRIMARY', 'ACTIVE'],
    );
    await waitFor('rolled', () => steady(h.service(), 3) && h.service().taskDefinition === v2 && h.cm.instanceIds('srv-web').length === 3);
    assert.ok(lowest >= 3, `healthy instances dropped to ${lowest}`);
    assert.ok(h.tasks().every((t) => t.taskDefinitionArn === v2));
  } finally {
    await h.close();
  }
});

test('a deployment configuration that allows no move says so in an event', async () => {
  const h = await harness();
  try {
    h.call('CreateService', {
      cluster: 'c',
      serviceName: 'web',
      taskDefinition: h.register(['serve']),
      desiredCount: 1,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100 },
    });
    await waitFor('steady', () => steady(h.service(), 1));
    h.call('UpdateService', { cluster: 'c', service: 'web', taskDefinition: h.register(['serve', 'v2']) });
    await waitFor('blocked event', () =>
      h.service().events![0]!.message!.includes('was unable to stop or start tasks during a deployment because of the service deployment configuration'),
    );
  } finally {
    await h.close();
  }
});

test('the circuit breaker fails a crashing deployment and rolls back to the last completed one', async () => {
  const h = await harness();
  try {
    const good = h.register(['serve']);
    h.call('CreateService', {
      cluster: 'c',
      serviceName: 'web',
      taskDefinition: good,
      desiredCount: 1,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    await waitFor('steady', () => steady(h.service(), 1));
    const bad = h.register(['crash']);
    h.call('UpdateService', { cluster: 'c', service: 'web', taskDefinition: bad });
    const s = await waitFor('rolled back', () => {
      const x = h.service();
      return x.deployments!.length === 1 && x.deployments![0]!.taskDefinition === good && x.deployments![0]!.rolloutState === 'COMPLETED' && x.runningCount === 1 && x;
    });
    const msgs = s.events!.map((e) => e.message!);
    assert.ok(
      msgs.some((m) => /\(deployment ecs-svc\/\d+\) deployment failed: tasks failed to start\./.test(m)),
      msgs.join('\n'),
    );
    const crashed = h.tasks('STOPPED').filter((t) => t.taskDefinitionArn === bad);
    assert.ok(crashed.length >= 3, `threshold is 3 failed tasks (got ${crashed.length})`);
    assert.equal(s.taskDefinition, good);
  } finally {
    await h.close();
  }
});

test('without rollback a tripped circuit breaker leaves the deployment FAILED and launches nothing more', async () => {
  const h = await harness();
  try {
    h.call('CreateService', {
      cluster: 'c',
      serviceName: 'web',
      taskDefinition: h.register(['crash']),
      desiredCount: 2,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
    });
    const s = await waitFor('failed', () => h.service().deployments![0]!.rolloutState === 'FAILED' && h.service());
    assert.equal(s.deployments![0]!.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
    await waitFor('all stopped', () => h.tasks().length === 0 && h.tasks('STOPPED').every((t) => t.lastStatus === 'STOPPED'));
    const launched = h.tasks('STOPPED').length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.tasks('STOPPED').length, launched, 'nothing launched after the breaker tripped');
    assert.ok(s.deployments![0]!.failedTasks! >= 3);
  } finally {
    await h.close();
  }
});

test('a container that cannot start stops its task with TaskFailedToStart and the runtime’s reason', async () => {
  const h = await harness();
  try {
    h.fake.failingImages.set('img', 'CannotPullContainerError: pull access denied for img');
    const run = h.call<Ecs.RunTaskResponse>('RunTask', { cluster: 'c', taskDefinition: h.register(['serve']) });
    const arn = run.tasks![0]!.taskArn!;
    const t = await waitFor('stopped', () => h.tasks('STOPPED').find((x) => x.taskArn === arn && x.lastStatus === 'STOPPED'));
    assert.equal(t.stopCode, 'TaskFailedToStart');
    assert.equal(t.stoppedReason, 'CannotPullContainerError: pull access denied for img');
    assert.ok(t.version! >= 6, 'every lifecycle step bumped the version');
  } finally {
    await h.close();
  }
});

test('deleting a service with force drains it: tasks stop, Cloud Map empties, the service turns INACTIVE', async () => {
  const h = await harness();
  try {
    h.call('CreateService', {
      cluster: 'c',
      serviceName: 'web',
      taskDefinition: h.register(['serve']),
      desiredCount: 2,
      serviceRegistries: [{ registryArn: h.registry.arn, containerName: 'app', containerPort: 80 }],
    });
    await waitFor('steady', () => steady(h.service(), 2));
    const draining = h.call<Ecs.DeleteServiceResponse>('DeleteService', { cluster: 'c', service: 'web', force: true }).service!;
    assert.equal(draining.status, 'DRAINING');
    await waitFor('inactive', () => h.service().status === 'INACTIVE');
    assert.deepEqual(h.cm.instanceIds('srv-web'), []);
    assert.equal(h.fake.running().length, 0);
  } finally {
    await h.close();
  }
});

test('a new service without tasks is created, completed and steady in one commit, which wakes no second pass', async () => {
  const h = await harness();
  try {
    const td = h.register(['serve']);
    const serviceWrites: string[] = [];
    h.store.subscribe((changes) => {
      for (const c of changes) if (c.table === ECS_TABLES.services) serviceWrites.push(c.op);
    });
    let transactions = 0;
    const withTx = h.store.withTx.bind(h.store);
    h.store.withTx = ((fn, durability) => {
      if (!h.store.inTransaction) transactions++;
      return withTx(fn, durability);
    }) as typeof h.store.withTx;
    // A pass reads the stored service first (getDoc); the first pass is handed it instead.
    const services = h.store.table(ECS_TABLES.services);
    const getDoc = services.getDoc.bind(services);
    let passReads = 0;
    services.getDoc = ((key) => {
      passReads++;
      return getDoc(key);
    }) as typeof services.getDoc;
    const created = h.call<Ecs.CreateServiceResponse>('CreateService', { cluster: 'c', serviceName: 'web', taskDefinition: td, desiredCount: 0 }).service!;
    assert.equal(passReads, 0, 'the commit of a first pass that settled the service wakes no pass');
    assert.equal(created.deployments![0]!.rolloutState, 'IN_PROGRESS');
    assert.deepEqual(created.events, []);
    const s = await waitFor('steady', () => h.service().events!.length >= 2 && h.service());
    // Long enough for any further pass to have run (the controller reconciles in the same turn as the write).
    await new Promise((r) => setTimeout(r, 50));
    const msgs = h.service().events!.map((e) => e.message!);
    assert.equal(msgs.length, 2);
    assert.equal(msgs[0], '(service web) has reached a steady state.');
    assert.match(msgs[1]!, /^\(service web\) \(deployment ecs-svc\/\d{19}\) deployment completed\.$/);
    assert.equal(s.deployments![0]!.rolloutState, 'COMPLETED');
    assert.deepEqual(serviceWrites, ['put'], 'one write: the service with the first pass’s answer');
    assert.equal(transactions, 1, 'one commit for both, and no pass after it');
    assert.equal(passReads, 0);

    // The scheduler's next pass after a real change is a full one: the service scales out.
    h.call('UpdateService', { cluster: 'c', service: 'web', desiredCount: 1 });
    await waitFor('one task running', () => h.service().runningCount === 1);
    assert.equal(h.tasks().length, 1);

    // A create whose transaction rolls back after its first pass leaves nothing that skips a later pass: the next
    // change of that service, by another transaction, is reconciled (here it starts a task).
    assert.throws(() =>
      h.store.withTx(() => {
        h.call('CreateService', { cluster: 'c', serviceName: 'web2', taskDefinition: td, desiredCount: 0 });
        throw new Error('the commit fails');
      }),
    );
    const key2 = serviceKey(h.ctx, 'c', 'web2');
    assert.equal(services.get(key2), undefined);
    const record = { ...(services.get(serviceKey(h.ctx, 'c', 'web')) as ServiceRecord), name: 'web2', arn: created.serviceArn!.replace(/web$/, 'web2'), desiredCount: 1 };
    h.store.withTx(() => services.putTx(key2, record));
    await waitFor('web2 runs a task', () => h.call<Ecs.DescribeServicesResponse>('DescribeServices', { cluster: 'c', services: ['web2'] }).services![0]!.runningCount === 1);
  } finally {
    await h.close();
  }
});

test('a first pass that starts tasks works on its own copy: the answer is the service as created, the tasks exist at once', async () => {
  const h = await harness();
  try {
    const td = h.register(['serve']);
    // Each commit's changes, by transaction: a listener that commits publishes its own before the outer one's.
    const commits = new Map<number, string[]>();
    h.store.subscribe((changes) =>
      commits.set(
        h.store.publishingTransaction,
        changes.map((c) => `${c.table} ${c.op}`),
      ),
    );
    const created = h.call<Ecs.CreateServiceResponse>('CreateService', {
      cluster: 'c',
      serviceName: 'web',
      taskDefinition: td,
      desiredCount: 2,
      serviceRegistries: [{ registryArn: h.registry.arn, containerName: 'app', containerPort: 80 }],
      deploymentConfiguration: { maximumPercent: 150, minimumHealthyPercent: 50 },
      tags: [{ key: 'team', value: 'a' }],
    }).service!;
    // The pass ran in the creating call's commit (its tasks with the service) and changed none of the creator's
    // record, which the answer shows (a pass that completes the deployment, desiredCount 0, is the test above).
    assert.deepEqual(commits.get(Math.min(...commits.keys()))?.sort(), [`${ECS_TABLES.services} put`, `${ECS_TABLES.tasks} put`, `${ECS_TABLES.tasks} put`].sort());
    assert.equal(created.deployments!.length, 1);
    assert.equal(created.deployments![0]!.rolloutState, 'IN_PROGRESS');
    assert.deepEqual(created.events, []);
    assert.deepEqual(created.deploymentConfiguration, { maximumPercent: 150, minimumHealthyPercent: 50, deploymentCircuitBreaker: { enable: false, rollback: false } });
    assert.deepEqual(created.serviceRegistries, [{ registryArn: h.registry.arn, containerName: 'app', containerPort: 80 }]);
    assert.deepEqual(created.tags, [{ key: 'team', value: 'a' }]);
    const stored = h.service();
    assert.match(stored.events![0]!.message!, /has started 2 tasks/);
  } finally {
    await h.close();
  }
});

test('a first pass that fails leaves the service created as asked; the pass its commit wakes starts the tasks', async () => {
  const h = await harness();
  try {
    const td = h.register(['serve']);
    // The first pass's task write fails once (as a full disk would): its savepoint is undone, not the service.
    const tasks = h.store.table(ECS_TABLES.tasks);
    const put = tasks.putTx.bind(tasks);
    let failures = 0;
    tasks.putTx = ((key, value, doc) => {
      if (failures++ === 0) throw new Error('no space left on device');
      return put(key, value, doc);
    }) as typeof tasks.putTx;
    const created = h.call<Ecs.CreateServiceResponse>('CreateService', { cluster: 'c', serviceName: 'web', taskDefinition: td, desiredCount: 1 }).service!;
    assert.equal(created.status, 'ACTIVE');
    assert.equal(h.service().serviceArn, created.serviceArn, 'the service is stored although its first pass failed');
    await waitFor('one task running', () => h.service().runningCount === 1);
    assert.ok(failures >= 2, 'the task was written by a later pass');
  } finally {
    await h.close();
  }
});
