// DiscoverInstances / DiscoverInstancesRevision through the SDK: health filters, query and optional
// parameters, MaxResults, random order, and a revision that moves with registrations only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as SD from '@aws-sdk/client-servicediscovery';
import { startTestServer, type TestServer } from '../support/server.js';
import { codeOf, httpNamespace, privateNamespace, register, sdClient, waitOperation } from '../support/cloudmap.js';

let server: TestServer;
let sd: SD.ServiceDiscoveryClient;

before(async () => {
  server = await startTestServer();
  sd = sdClient(server);
});
after(async () => {
  sd.destroy();
  await server.destroy();
});

const discover = (input: Partial<SD.DiscoverInstancesRequest> & { ServiceName: string; NamespaceName: string }) => sd.send(new SD.DiscoverInstancesCommand(input));
const ids = (r: SD.DiscoverInstancesResponse) => r.Instances!.map((i) => i.InstanceId!).sort();

test('custom health: HEALTHY by default, UNHEALTHY, ALL and HEALTHY_OR_ELSE_ALL (fail open)', async () => {
  const nsId = await privateNamespace(sd, server, 'disc.test');
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({ Name: 'web', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: { FailureThreshold: 1 } }),
  );
  const svc = Service!.Id!;
  await register(sd, svc, 'good', { AWS_INSTANCE_IPV4: '10.1.0.1', AWS_INSTANCE_PORT: '80', zone: 'a' });
  await register(sd, svc, 'bad', { AWS_INSTANCE_IPV4: '10.1.0.2', AWS_INSTANCE_PORT: '80', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY', zone: 'b' });
  const q = { NamespaceName: 'disc.test', ServiceName: 'web' };

  const healthy = await discover(q);
  assert.deepEqual(ids(healthy), ['good']);
  assert.deepEqual(healthy.Instances![0], {
    InstanceId: 'good',
    NamespaceName: 'disc.test',
    ServiceName: 'web',
    HealthStatus: 'HEALTHY',
    Attributes: { AWS_INSTANCE_IPV4: '10.1.0.1', AWS_INSTANCE_PORT: '80', zone: 'a' },
  });
  assert.deepEqual(ids(await discover({ ...q, HealthStatus: 'UNHEALTHY' })), ['bad']);
  assert.deepEqual(ids(await discover({ ...q, HealthStatus: 'ALL' })), ['bad', 'good']);
  assert.deepEqual(ids(await discover({ ...q, HealthStatus: 'HEALTHY_OR_ELSE_ALL' })), ['good']);

  const revision = healthy.InstancesRevision!;
  await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc, InstanceId: 'good', Status: 'UNHEALTHY' }));
  assert.deepEqual(ids(await discover(q)), []);
  assert.deepEqual(ids(await discover({ ...q, HealthStatus: 'HEALTHY_OR_ELSE_ALL' })), ['bad', 'good'], 'no healthy instance: everything');
  const rev = await sd.send(new SD.DiscoverInstancesRevisionCommand(q));
  assert.equal(rev.InstancesRevision, revision, 'health changes do not move the revision');

  await register(sd, svc, 'third', { AWS_INSTANCE_IPV4: '10.1.0.3', AWS_INSTANCE_PORT: '80' });
  const rev2 = (await sd.send(new SD.DiscoverInstancesRevisionCommand(q))).InstancesRevision!;
  assert.ok(rev2 > revision, 'registration moves it');
  await waitOperation(sd, (await sd.send(new SD.DeregisterInstanceCommand({ ServiceId: svc, InstanceId: 'third' }))).OperationId!);
  assert.ok((await sd.send(new SD.DiscoverInstancesRevisionCommand(q))).InstancesRevision! > rev2, 'deregistration moves it');
  assert.equal((await discover(q)).InstancesRevision, (await sd.send(new SD.DiscoverInstancesRevisionCommand(q))).InstancesRevision);
});

test('no health configuration: every instance, UNKNOWN, whatever HealthStatus asks', async () => {
  const nsId = await httpNamespace(sd, 'plain');
  const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'svc', NamespaceId: nsId }));
  await register(sd, Service!.Id!, 'one', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: '1' });
  await register(sd, Service!.Id!, 'two', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: '2' });
  for (const HealthStatus of [undefined, 'HEALTHY', 'UNHEALTHY', 'ALL'] as const) {
    const r = await discover({ NamespaceName: 'plain', ServiceName: 'svc', HealthStatus });
    assert.deepEqual(ids(r), ['one', 'two']);
    assert.ok(r.Instances!.every((i) => i.HealthStatus === 'UNKNOWN'));
  }
});

test('QueryParameters must all match; OptionalParameters narrow only when something is left; MaxResults; random order', async () => {
  const nsId = await httpNamespace(sd, 'params');
  const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'svc', NamespaceId: nsId }));
  const svc = Service!.Id!;
  for (let i = 0; i < 12; i++) {
    await register(sd, svc, `i${String(i).padStart(2, '0')}`, { AWS_INSTANCE_IPV4: '127.0.0.1', stage: i < 6 ? 'prod' : 'dev', zone: i % 2 ? 'a' : 'b' });
  }
  const base = { NamespaceName: 'params', ServiceName: 'svc' };
  assert.equal((await discover({ ...base, QueryParameters: { stage: 'prod' } })).Instances!.length, 6);
  assert.equal((await discover({ ...base, QueryParameters: { stage: 'prod', zone: 'a' } })).Instances!.length, 3);
  assert.equal((await discover({ ...base, QueryParameters: { stage: 'qa' } })).Instances!.length, 0);
  assert.equal((await discover({ ...base, QueryParameters: { stage: 'prod' }, OptionalParameters: { zone: 'a' } })).Instances!.length, 3);
  assert.equal((await discover({ ...base, QueryParameters: { stage: 'prod' }, OptionalParameters: { zone: 'c' } })).Instances!.length, 6, 'ignored when nothing would be left');
  assert.equal((await discover({ ...base, MaxResults: 4 })).Instances!.length, 4);
  assert.equal((await discover(base)).Instances!.length, 12);
  // random order: 12 instances come back in more than one order within a few calls
  const orders = new Set<string>();
  for (let i = 0; i < 20 && orders.size < 2; i++) orders.add((await discover(base)).Instances!.map((x) => x.InstanceId).join(','));
  assert.ok(orders.size > 1);

  assert.equal(await codeOf(discover({ NamespaceName: 'params', ServiceName: 'nope' })), 'ServiceNotFound');
  assert.equal(await codeOf(discover({ NamespaceName: 'nope', ServiceName: 'svc' })), 'NamespaceNotFound');
  assert.equal(await codeOf(sd.send(new SD.DiscoverInstancesRevisionCommand({ NamespaceName: 'params', ServiceName: 'nope' }))), 'ServiceNotFound');
});

test('MaxResults defaults to 100 and goes up to 1000', async () => {
  const nsId = await httpNamespace(sd, 'big');
  const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'svc', NamespaceId: nsId }));
  const ops: string[] = [];
  for (let i = 0; i < 120; i++) {
    ops.push((await sd.send(new SD.RegisterInstanceCommand({ ServiceId: Service!.Id, InstanceId: `n${i}`, Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1' } }))).OperationId!);
  }
  assert.equal((await discover({ NamespaceName: 'big', ServiceName: 'svc' })).Instances!.length, 100);
  assert.equal((await discover({ NamespaceName: 'big', ServiceName: 'svc', MaxResults: 1000 })).Instances!.length, 120);
});
