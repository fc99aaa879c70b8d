// CloudMapApi and DiscoveryView as ECS and the gateway use them: a real (in-memory) SQLite store,
// the product's own handlers to set things up, no HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAwsError } from '../kernel/errors.js';
import { silentLogger } from '../kernel/log.js';
import { createCloudMap } from './index.js';
import { cloudMapWorld } from '../../test/support/cloudmap-world.js';
import { testContext } from '../../test/support/context.js';

const ctx = testContext({ service: 'servicediscovery' });

async function setup(options = { healthDelayMs: 0, operationDelayMs: 0 }) {
  const w = await cloudMapWorld(options);
  return { ...w, mk: w.service };
}

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isAwsError(e) ? e.code : `not an AwsError: ${String(e)}`;
  }
  return 'no error';
}

test('service(): by id or ARN, with what ECS validates serviceRegistries against', async () => {
  const { cm, nsId, mk, close } = await setup();
  const srv = mk('api', {
    DnsConfig: {
      DnsRecords: [
        { Type: 'SRV', TTL: 10 },
        { Type: 'A', TTL: 10 },
      ],
    },
    HealthCheckCustomConfig: {},
  });
  const plain = mk('plain', { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } });
  const info = cm.api.registry.service(srv.Id)!;
  assert.deepEqual(info, {
    id: srv.Id,
    arn: srv.Arn,
    name: 'api',
    region: 'us-east-1',
    accountId: '000000000000',
    namespaceId: nsId,
    namespaceName: 'internal',
    namespaceType: 'DNS_PRIVATE',
    recordTypes: ['SRV', 'A'],
    health: 'custom',
  });
  assert.deepEqual(cm.api.registry.service(srv.Arn), info);
  assert.equal(cm.api.registry.service(plain.Id)!.health, 'none');
  assert.equal(cm.api.registry.service('srv-nope'), undefined);
  assert.equal(cm.api.registry.service(srv.Arn.replace('us-east-1', 'eu-west-1')), undefined);
  await close();
});

test('registerInstance is visible to the view before it returns; routable() follows health; deregister is idempotent', async () => {
  const { cm, mk, close } = await setup();
  const srv = mk('api', { DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: {} });
  let notified = 0;
  const off = cm.api.discovery.onChange(() => notified++);
  const rev0 = cm.api.discovery.revision;
  cm.api.registry.registerInstance({ serviceId: srv.Id, instanceId: 'a1b2', attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: '8080', ECS_CLUSTER_NAME: 'c' } });
  assert.ok(cm.api.discovery.revision > rev0);
  assert.ok(notified > 0);
  const [inst] = cm.api.discovery.routable(srv.Id);
  assert.deepEqual(
    { ...inst, attributes: { ...inst!.attributes } },
    {
      instanceId: 'a1b2',
      attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: '8080', ECS_CLUSTER_NAME: 'c' },
      health: 'HEALTHY',
      ipv4: '127.0.0.1',
      port: 8080,
    },
  );
  assert.equal(cm.api.discovery.routable(srv.Arn).length, 1, 'by ARN too');
  assert.equal(cm.api.discovery.routable(srv.Id, { ECS_CLUSTER_NAME: 'other' }).length, 0);

  cm.api.registry.registerInstance({
    serviceId: srv.Arn,
    instanceId: 'c3d4',
    attributes: { AWS_INSTANCE_IPV4: '127.0.0.2', AWS_INSTANCE_PORT: '8080', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' },
  });
  assert.deepEqual(
    cm.api.discovery.routable(srv.Id).map((i) => i.instanceId),
    ['a1b2'],
  );
  assert.deepEqual(cm.api.registry.instanceIds(srv.Id), ['a1b2', 'c3d4']);
  cm.api.registry.setCustomHealth(srv.Id, 'c3d4', 'HEALTHY');
  assert.deepEqual(
    cm.api.discovery.routable(srv.Id).map((i) => i.instanceId),
    ['a1b2', 'c3d4'],
  );
  cm.api.registry.setCustomHealth(srv.Id, 'a1b2', 'UNHEALTHY');
  assert.deepEqual(
    cm.api.discovery.routable(srv.Id).map((i) => i.instanceId),
    ['c3d4'],
  );

  const before = cm.api.discovery.revision;
  cm.api.registry.registerInstance({
    serviceId: srv.Id,
    instanceId: 'c3d4',
    attributes: { AWS_INSTANCE_IPV4: '127.0.0.2', AWS_INSTANCE_PORT: '8080', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' },
  });
  assert.equal(cm.api.discovery.revision, before, 'an identical re-registration changes nothing (health kept)');

  cm.api.registry.deregisterInstance(srv.Id, 'c3d4');
  cm.api.registry.deregisterInstance(srv.Id, 'c3d4');
  cm.api.registry.deregisterInstance('srv-unknown', 'x');
  assert.deepEqual(cm.api.registry.instanceIds(srv.Id), ['a1b2']);
  assert.deepEqual(cm.api.discovery.routable(srv.Id), []);
  off();
  await close();
});

test('registerInstance validates like RegisterInstance; setCustomHealth answers AWS codes', async () => {
  const { cm, mk, close } = await setup();
  const a = mk('a', { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } });
  assert.equal(
    code(() => cm.api.registry.registerInstance({ serviceId: a.Id, instanceId: 't1', attributes: { AWS_INSTANCE_PORT: '80' } })),
    'InvalidInput',
  );
  assert.equal(
    code(() => cm.api.registry.registerInstance({ serviceId: 'srv-nope', instanceId: 't1', attributes: {} })),
    'ServiceNotFound',
  );
  assert.equal(
    code(() => cm.api.registry.registerInstance({ serviceId: a.Id, instanceId: 'bad id', attributes: { AWS_INSTANCE_IPV4: '127.0.0.1' } })),
    'InvalidInput',
  );
  cm.api.registry.registerInstance({ serviceId: a.Id, instanceId: 't1', attributes: { AWS_INSTANCE_IPV4: '127.0.0.1' } });
  assert.equal(cm.api.discovery.routable(a.Id)[0]!.health, 'UNKNOWN', 'no health config: UNKNOWN and routable');
  assert.equal(cm.api.discovery.routable(a.Id)[0]!.port, undefined);
  assert.equal(
    code(() => cm.api.registry.setCustomHealth(a.Id, 't1', 'HEALTHY')),
    'CustomHealthNotFound',
  );
  assert.equal(
    code(() => cm.api.registry.setCustomHealth(a.Id, 'ghost', 'HEALTHY')),
    'InstanceNotFound',
  );
  await close();
});

test('registerInstance keeps the 1,000-instances-per-service quota, as RegisterInstance does; re-registering still works', async () => {
  const { cm, mk, close } = await setup();
  const s = mk('full', { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } });
  for (let i = 0; i < 1000; i++) cm.api.registry.registerInstance({ serviceId: s.Id, instanceId: `i${i}`, attributes: { AWS_INSTANCE_IPV4: '127.0.0.1' } });
  assert.equal(
    code(() => cm.api.registry.registerInstance({ serviceId: s.Id, instanceId: 'one-more', attributes: { AWS_INSTANCE_IPV4: '127.0.0.1' } })),
    'ResourceLimitExceeded',
  );
  cm.api.registry.registerInstance({ serviceId: s.Id, instanceId: 'i0', attributes: { AWS_INSTANCE_IPV4: '127.0.0.2' } });
  assert.equal(cm.api.registry.instanceIds(s.Id).length, 1000);
  await close();
});

test('custom health waits for the health delay, and a repeat inside the window does not speed it up', async () => {
  const { cm, mk, close } = await setup({ healthDelayMs: 150, operationDelayMs: 0 });
  const srv = mk('api', { DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: {} });
  cm.api.registry.registerInstance({ serviceId: srv.Id, instanceId: 't1', attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: '80' } });
  cm.api.registry.setCustomHealth(srv.Id, 't1', 'UNHEALTHY');
  assert.equal(cm.api.discovery.routable(srv.Id).length, 1, 'still healthy right after the report');
  const changed = new Promise<void>((resolve) => {
    const off = cm.api.discovery.onChange(() => {
      if (cm.api.discovery.routable(srv.Id).length === 0) {
        off();
        resolve();
      }
    });
  });
  cm.api.registry.setCustomHealth(srv.Id, 't1', 'UNHEALTHY');
  await within(5000, changed); // the delay is 150 ms
  assert.equal(cm.api.discovery.routable(srv.Id).length, 0);
  await close();
});

test('a new product on the same store sees every instance, and health changes pending at the stop still apply', async () => {
  const { store, cm: first, h } = await cloudMapWorld({ healthDelayMs: 100, operationDelayMs: 0 });
  const nsId = h.GetOperation!({ OperationId: h.CreateHttpNamespace!({ Name: 'keep' }, ctx).OperationId }, ctx).Operation.Targets.NAMESPACE;
  const svc = h.CreateService!({ Name: 's', NamespaceId: nsId, HealthCheckCustomConfig: {} }, ctx).Service.Id as string;
  first.api.registry.registerInstance({ serviceId: svc, instanceId: 'i1', attributes: { AWS_INSTANCE_IPV4: '127.0.0.1' } });
  first.api.registry.setCustomHealth(svc, 'i1', 'UNHEALTHY');
  await first.stop!();

  const second = createCloudMap({ store, logger: silentLogger, ec2: { vpc: () => ({}) as never }, healthDelayMs: 100, operationDelayMs: 0 });
  await second.start!();
  assert.deepEqual(second.api.registry.instanceIds(svc), ['i1']);
  assert.equal(second.api.registry.service(svc)!.namespaceName, 'keep');
  await within(
    5000,
    new Promise<void>((resolve) => {
      if (second.api.discovery.routable(svc).length === 0) return resolve();
      const off = second.api.discovery.onChange(() => second.api.discovery.routable(svc).length === 0 && (off(), resolve()));
    }),
  );
  assert.equal(second.api.discovery.routable(svc).length, 0);
  await second.stop!();
  store.close();
});
