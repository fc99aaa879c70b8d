// Cloud Map's control plane through @aws-sdk/client-servicediscovery against a real Wayfinder:
// namespaces, services, instances, tags, and AWS's error codes for bad input.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as SD from '@aws-sdk/client-servicediscovery';
import { signedRequest, startTestServer, type TestServer } from '../support/server.js';
import { codeOf, defaultVpc, errorOf, httpNamespace, privateNamespace, register, sdClient, waitOperation } from '../support/cloudmap.js';

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

test('namespaces: the three types, their operations, properties, and the only way to learn the id (Targets.NAMESPACE)', async () => {
  const vpc = await defaultVpc(server);
  const created = await sd.send(
    new SD.CreatePrivateDnsNamespaceCommand({ Name: 'internal.test', Vpc: vpc, Description: 'private', Properties: { DnsProperties: { SOA: { TTL: 30 } } } }),
  );
  assert.match(created.OperationId!, /^[a-z0-9]{32}-[a-z0-9]{8}$/);
  const op = await waitOperation(sd, created.OperationId!);
  assert.equal(op.Status, 'SUCCESS');
  assert.equal(op.Type, 'CREATE_NAMESPACE');
  const id = op.Targets!.NAMESPACE!;
  assert.match(id, /^ns-[a-z0-9]{16}$/);
  const { Namespace } = await sd.send(new SD.GetNamespaceCommand({ Id: id }));
  assert.equal(Namespace!.Type, 'DNS_PRIVATE');
  assert.equal(Namespace!.Arn, `arn:aws:servicediscovery:us-east-1:000000000000:namespace/${id}`);
  assert.equal(Namespace!.Properties!.HttpProperties!.HttpName, 'internal.test');
  assert.equal(Namespace!.Properties!.DnsProperties!.SOA!.TTL, 30);
  assert.match(Namespace!.Properties!.DnsProperties!.HostedZoneId!, /^Z[A-Z0-9]{20}$/);
  assert.equal(Namespace!.ServiceCount, 0);
  assert.ok(Namespace!.CreateDate instanceof Date);
  // by ARN too
  assert.equal((await sd.send(new SD.GetNamespaceCommand({ Id: Namespace!.Arn }))).Namespace!.Id, id);

  const httpId = await httpNamespace(sd, 'apps');
  const pub = await waitOperation(sd, (await sd.send(new SD.CreatePublicDnsNamespaceCommand({ Name: 'example.org' }))).OperationId!);
  assert.equal(pub.Status, 'SUCCESS');

  const list = async (Filters?: SD.NamespaceFilter[]) => (await sd.send(new SD.ListNamespacesCommand({ Filters }))).Namespaces!.map((n) => n.Name).sort();
  assert.deepEqual(await list(), ['apps', 'example.org', 'internal.test']);
  assert.deepEqual(await list([{ Name: 'TYPE', Values: ['HTTP'] }]), ['apps']);
  assert.deepEqual(await list([{ Name: 'TYPE', Values: ['DNS_PRIVATE', 'DNS_PUBLIC'], Condition: 'IN' }]), ['example.org', 'internal.test']);
  assert.deepEqual(await list([{ Name: 'NAME', Values: ['inter'], Condition: 'BEGINS_WITH' }]), ['internal.test']);
  assert.deepEqual(await list([{ Name: 'HTTP_NAME', Values: ['apps'] }]), ['apps']);
  assert.equal(await codeOf(sd.send(new SD.ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['HTTP'], Condition: 'BETWEEN' }] }))), 'InvalidInput');
  assert.equal(await codeOf(sd.send(new SD.ListNamespacesCommand({ Filters: [{ Name: 'TYPE', Values: ['HTTP', 'DNS_PUBLIC'], Condition: 'EQ' }] }))), 'InvalidInput');
  const paged = await sd.send(new SD.ListNamespacesCommand({ MaxResults: 2 }));
  assert.equal(paged.Namespaces!.length, 2);
  const rest = await sd.send(new SD.ListNamespacesCommand({ MaxResults: 2, NextToken: paged.NextToken }));
  assert.equal(rest.Namespaces!.length, 1);
  assert.equal(rest.NextToken, undefined);
  assert.equal(await codeOf(sd.send(new SD.ListNamespacesCommand({ NextToken: 'garbage' }))), 'InvalidInput');

  const upd = await waitOperation(sd, (await sd.send(new SD.UpdateHttpNamespaceCommand({ Id: httpId, Namespace: { Description: 'new words' } }))).OperationId!);
  assert.equal(upd.Type, 'UPDATE_NAMESPACE');
  assert.equal((await sd.send(new SD.GetNamespaceCommand({ Id: httpId }))).Namespace!.Description, 'new words');
  await waitOperation(sd, (await sd.send(new SD.UpdatePrivateDnsNamespaceCommand({ Id: id, Namespace: { Properties: { DnsProperties: { SOA: { TTL: 60 } } } } }))).OperationId!);
  assert.equal((await sd.send(new SD.GetNamespaceCommand({ Id: id }))).Namespace!.Properties!.DnsProperties!.SOA!.TTL, 60);
  assert.equal(await codeOf(sd.send(new SD.UpdatePrivateDnsNamespaceCommand({ Id: httpId, Namespace: { Description: 'x' } }))), 'InvalidInput');

  const del = await waitOperation(sd, (await sd.send(new SD.DeleteNamespaceCommand({ Id: pub.Targets!.NAMESPACE! }))).OperationId!);
  assert.equal(del.Type, 'DELETE_NAMESPACE');
  assert.equal(await codeOf(sd.send(new SD.GetNamespaceCommand({ Id: pub.Targets!.NAMESPACE! }))), 'NamespaceNotFound');
});

test('namespace errors: duplicates name the existing namespace, CreatorRequestId replays, unknown VPCs and ids', async () => {
  const first = await sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'dup', CreatorRequestId: 'req-1' }));
  const nsId = (await waitOperation(sd, first.OperationId!)).Targets!.NAMESPACE!;
  const again = await sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'dup', CreatorRequestId: 'req-1' }));
  assert.equal(again.OperationId, first.OperationId, 'same token, same request: same operation');
  const dup = await errorOf(sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'dup', CreatorRequestId: 'req-2' })));
  assert.equal(dup.name, 'NamespaceAlreadyExists');
  assert.equal(dup.status, 400);
  assert.equal(dup.fields.NamespaceId, nsId);
  assert.equal(dup.fields.CreatorRequestId, 'req-1');
  const reused = await errorOf(sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'other', CreatorRequestId: 'req-1' })));
  assert.equal(reused.name, 'DuplicateRequest');
  assert.equal(reused.fields.DuplicateOperationId, first.OperationId);

  assert.equal(await codeOf(sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: 'novpc.test', Vpc: 'vpc-0123456789abcdef0' }))), 'InvalidInput');
  assert.equal(await codeOf(sd.send(new SD.CreatePublicDnsNamespaceCommand({ Name: 'not a domain' }))), 'InvalidInput');
  assert.equal(await codeOf(sd.send(new SD.GetNamespaceCommand({ Id: 'ns-doesnotexist0000' }))), 'NamespaceNotFound');
  assert.equal(await codeOf(sd.send(new SD.GetNamespaceCommand({ Id: `arn:aws:servicediscovery:eu-west-1:000000000000:namespace/${nsId}` }))), 'NamespaceNotFound');
  assert.equal(await codeOf(sd.send(new SD.DeleteNamespaceCommand({ Id: 'ns-doesnotexist0000' }))), 'NamespaceNotFound');
  assert.equal(await codeOf(sd.send(new SD.GetOperationCommand({ OperationId: 'nope' }))), 'OperationNotFound');
  // other regions are separate
  assert.equal(await codeOf(sdClient(server, 'eu-west-1').send(new SD.GetNamespaceCommand({ Id: nsId }))), 'NamespaceNotFound');
});

test('services: DNS records, routing policies, health configs, duplicates, updates, attributes, deletion rules', async () => {
  const nsId = await privateNamespace(sd, server, 'svc.test');
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({
      Name: 'api',
      NamespaceId: nsId,
      Description: 'the API',
      DnsConfig: {
        DnsRecords: [
          { Type: 'SRV', TTL: 10 },
          { Type: 'A', TTL: 20 },
        ],
      },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
      CreatorRequestId: 'svc-req',
    }),
  );
  assert.match(Service!.Id!, /^srv-[a-z0-9]{16}$/);
  assert.equal(Service!.Arn, `arn:aws:servicediscovery:us-east-1:000000000000:service/${Service!.Id}`);
  assert.equal(Service!.Type, 'DNS_HTTP');
  assert.equal(Service!.DnsConfig!.RoutingPolicy, 'MULTIVALUE');
  assert.equal(Service!.DnsConfig!.NamespaceId, nsId);
  assert.deepEqual(Service!.HealthCheckCustomConfig, { FailureThreshold: 1 });
  assert.equal(Service!.InstanceCount, 0);
  assert.equal(Service!.CreatorRequestId, 'svc-req');
  // idempotent retry vs a real duplicate (also differing only by case in a DNS namespace)
  const retry = await sd.send(new SD.CreateServiceCommand({ Name: 'api', NamespaceId: nsId, CreatorRequestId: 'svc-req', DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } }));
  assert.equal(retry.Service!.Id, Service!.Id);
  for (const Name of ['api', 'API']) {
    const dup = await errorOf(sd.send(new SD.CreateServiceCommand({ Name, NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } })));
    assert.equal(dup.name, 'ServiceAlreadyExists');
    assert.equal(dup.fields.ServiceId, Service!.Id);
  }

  const bad = async (input: Partial<SD.CreateServiceRequest>) =>
    codeOf(sd.send(new SD.CreateServiceCommand({ Name: 'x', NamespaceId: nsId, ...input } as SD.CreateServiceRequest)));
  assert.equal(await bad({ DnsConfig: { DnsRecords: [{ Type: 'CNAME', TTL: 5 }] } }), 'InvalidInput', 'CNAME needs WEIGHTED');
  assert.equal(
    await bad({
      DnsConfig: {
        DnsRecords: [
          { Type: 'CNAME', TTL: 5 },
          { Type: 'A', TTL: 5 },
        ],
        RoutingPolicy: 'WEIGHTED',
      },
    }),
    'InvalidInput',
  );
  assert.equal(
    await bad({
      DnsConfig: {
        DnsRecords: [
          { Type: 'A', TTL: 5 },
          { Type: 'A', TTL: 6 },
        ],
      },
    }),
    'InvalidInput',
  );
  assert.equal(await bad({ DnsConfig: { DnsRecords: [] } }), 'InvalidInput');
  assert.equal(await bad({ DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] }, HealthCheckConfig: { Type: 'HTTP' } }), 'InvalidInput', 'no Route 53 checks in private namespaces');
  assert.equal(await bad({ HealthCheckCustomConfig: {}, HealthCheckConfig: { Type: 'TCP' } }), 'InvalidInput');
  assert.equal(await bad({ NamespaceId: 'ns-nope000000000000' }), 'NamespaceNotFound');
  assert.equal(await bad({ NamespaceId: undefined }), 'InvalidInput');
  assert.equal(await bad({ Name: 'bad name!' }), 'InvalidInput');

  const weighted = await sd.send(
    new SD.CreateServiceCommand({ Name: 'www', NamespaceId: nsId, DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'CNAME', TTL: 30 }] } }),
  );
  assert.equal(weighted.Service!.DnsConfig!.RoutingPolicy, 'WEIGHTED');
  const apiOnly = await sd.send(new SD.CreateServiceCommand({ Name: 'hidden', NamespaceId: nsId, Type: 'HTTP' }));
  assert.equal(apiOnly.Service!.Type, 'HTTP');

  const httpNs = await httpNamespace(sd, 'http-only');
  const checked = await sd.send(new SD.CreateServiceCommand({ Name: 'checked', NamespaceId: httpNs, HealthCheckConfig: { Type: 'HTTP', FailureThreshold: 3 } }));
  assert.deepEqual(checked.Service!.HealthCheckConfig, { Type: 'HTTP', ResourcePath: '/', FailureThreshold: 3 });
  assert.equal(checked.Service!.Type, 'HTTP');
  assert.equal(await codeOf(sd.send(new SD.CreateServiceCommand({ Name: 'd', NamespaceId: httpNs, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } }))), 'InvalidInput');
  assert.equal(await codeOf(sd.send(new SD.CreateServiceCommand({ Name: 't', NamespaceId: httpNs, HealthCheckConfig: { Type: 'TCP', ResourcePath: '/x' } }))), 'InvalidInput');

  const listed = await sd.send(new SD.ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [nsId] }] }));
  assert.deepEqual(listed.Services!.map((s) => s.Name).sort(), ['api', 'hidden', 'www']);
  const both = await sd.send(new SD.ListServicesCommand({ Filters: [{ Name: 'NAMESPACE_ID', Values: [nsId, httpNs], Condition: 'IN' }] }));
  assert.equal(both.Services!.length, 4);
  assert.equal((await sd.send(new SD.GetNamespaceCommand({ Id: nsId }))).Namespace!.ServiceCount, 3);

  // UpdateService: TTLs yes, record types no; it is an operation
  const upd = await waitOperation(
    sd,
    (
      await sd.send(
        new SD.UpdateServiceCommand({
          Id: Service!.Id,
          Service: {
            Description: 'v2',
            DnsConfig: {
              DnsRecords: [
                { Type: 'SRV', TTL: 99 },
                { Type: 'A', TTL: 98 },
              ],
            },
          },
        }),
      )
    ).OperationId!,
  );
  assert.equal(upd.Type, 'UPDATE_SERVICE');
  assert.equal(upd.Targets!.SERVICE, Service!.Id);
  const after = (await sd.send(new SD.GetServiceCommand({ Id: Service!.Arn }))).Service!;
  assert.equal(after.Description, 'v2');
  assert.deepEqual(after.DnsConfig!.DnsRecords, [
    { Type: 'SRV', TTL: 99 },
    { Type: 'A', TTL: 98 },
  ]);
  assert.deepEqual(after.HealthCheckCustomConfig, { FailureThreshold: 1 }, 'omitting HealthCheckCustomConfig keeps it');
  assert.equal(await codeOf(sd.send(new SD.UpdateServiceCommand({ Id: Service!.Id, Service: { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 1 }] } } }))), 'InvalidInput');
  assert.equal(await codeOf(sd.send(new SD.UpdateServiceCommand({ Id: Service!.Id, Service: { HealthCheckConfig: { Type: 'TCP' } } }))), 'InvalidInput');
  // omitting an existing HealthCheckConfig deletes it
  await waitOperation(sd, (await sd.send(new SD.UpdateServiceCommand({ Id: checked.Service!.Id, Service: { Description: 'no checks' } }))).OperationId!);
  assert.equal((await sd.send(new SD.GetServiceCommand({ Id: checked.Service!.Id }))).Service!.HealthCheckConfig, undefined);

  // service attributes
  await sd.send(new SD.UpdateServiceAttributesCommand({ ServiceId: Service!.Id, Attributes: { team: 'core', tier: '1' } }));
  await sd.send(new SD.DeleteServiceAttributesCommand({ ServiceId: Service!.Id, Attributes: ['tier'] }));
  const attrs = await sd.send(new SD.GetServiceAttributesCommand({ ServiceId: Service!.Id }));
  assert.deepEqual(attrs.ServiceAttributes, { ServiceArn: Service!.Arn, ResourceOwner: '000000000000', Attributes: { team: 'core' } });
  const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v']));
  assert.equal(await codeOf(sd.send(new SD.UpdateServiceAttributesCommand({ ServiceId: Service!.Id, Attributes: many }))), 'ServiceAttributesLimitExceededException');

  // deleting: a namespace with services, a service with instances
  assert.equal(await codeOf(sd.send(new SD.DeleteNamespaceCommand({ Id: nsId }))), 'ResourceInUse');
  await register(sd, Service!.Id!, 'i-1', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' });
  assert.equal(await codeOf(sd.send(new SD.DeleteServiceCommand({ Id: Service!.Id }))), 'ResourceInUse');
  await waitOperation(sd, (await sd.send(new SD.DeregisterInstanceCommand({ ServiceId: Service!.Id, InstanceId: 'i-1' }))).OperationId!);
  await sd.send(new SD.DeleteServiceCommand({ Id: Service!.Id }));
  assert.equal(await codeOf(sd.send(new SD.GetServiceCommand({ Id: Service!.Id }))), 'ServiceNotFound');
  assert.equal(await codeOf(sd.send(new SD.DeleteServiceCommand({ Id: Service!.Id }))), 'ServiceNotFound');
});

test('instances: attribute rules per record type, re-registration, listing, health status, custom health errors', async () => {
  const nsId = await privateNamespace(sd, server, 'inst.test');
  const mk = async (Name: string, extra: Partial<SD.CreateServiceRequest>) =>
    (await sd.send(new SD.CreateServiceCommand({ Name, NamespaceId: nsId, ...extra } as SD.CreateServiceRequest))).Service!.Id!;
  const a = await mk('a', { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 5 }] } });
  const aaaa = await mk('aaaa', { DnsConfig: { DnsRecords: [{ Type: 'AAAA', TTL: 5 }] } });
  const srv = await mk('srv', { DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 5 }] }, HealthCheckCustomConfig: {} });
  const cname = await mk('cname', { DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'CNAME', TTL: 5 }] } });

  const reg = (ServiceId: string, Attributes: Record<string, string>, InstanceId = 'i-x') => codeOf(sd.send(new SD.RegisterInstanceCommand({ ServiceId, InstanceId, Attributes })));
  assert.equal(await reg(a, { AWS_INSTANCE_PORT: '80' }), 'InvalidInput', 'A needs IPv4');
  assert.equal(await reg(a, { AWS_INSTANCE_IPV4: '10.0.0.300' }), 'InvalidInput', 'bad IPv4');
  assert.equal(await reg(aaaa, { AWS_INSTANCE_IPV4: '10.0.0.1' }), 'InvalidInput', 'AAAA needs IPv6');
  assert.equal(await reg(srv, { AWS_INSTANCE_IPV4: '10.0.0.1' }), 'InvalidInput', 'SRV needs a port');
  assert.equal(await reg(srv, { AWS_INSTANCE_PORT: '8080' }), 'InvalidInput', 'SRV needs an address');
  assert.equal(await reg(srv, { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '70000' }), 'InvalidInput', 'port range');
  assert.equal(await reg(srv, { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80', AWS_INIT_HEALTH_STATUS: 'MAYBE' }), 'InvalidInput');
  assert.equal(await reg(cname, { AWS_INSTANCE_IPV4: '10.0.0.1' }), 'InvalidInput', 'CNAME needs AWS_INSTANCE_CNAME');
  assert.equal(
    await reg(a, { AWS_INSTANCE_IPV4: '10.0.0.1', ...Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`c${i}`, 'v'])) }),
    'InvalidInput',
    '≤30 custom attributes',
  );
  assert.equal(
    await reg(a, { AWS_INSTANCE_IPV4: '10.0.0.1', big: 'x'.repeat(1000), big2: 'x'.repeat(1000), big3: 'x'.repeat(1000), big4: 'x'.repeat(1000), big5: 'x'.repeat(1000) }),
    'InvalidInput',
    '≤5000 chars',
  );
  assert.equal(await reg(a, { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_EC2_INSTANCE_ID: 'i-0123' }), 'InvalidInput', 'EC2 ids only in HTTP namespaces');
  assert.equal(await reg('srv-nope000000000000', { AWS_INSTANCE_IPV4: '10.0.0.1' }), 'ServiceNotFound');
  assert.equal(await reg(a, { AWS_INSTANCE_IPV4: '10.0.0.1' }, 'bad id!'), 'InvalidInput', 'instance id pattern');

  assert.equal((await register(sd, a, 'web-1', { AWS_INSTANCE_IPV4: '10.0.0.1', color: 'blue' })).Status, 'SUCCESS');
  assert.equal((await register(sd, aaaa, 'v6', { AWS_INSTANCE_IPV6: '2001:db8::1' })).Status, 'SUCCESS');
  assert.equal((await register(sd, cname, 'c1', { AWS_INSTANCE_CNAME: 'backend.example.com' })).Status, 'SUCCESS');
  const op = await register(sd, srv, 'task/1', { AWS_INSTANCE_IPV4: '10.0.0.2', AWS_INSTANCE_PORT: '8080', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' });
  assert.equal(op.Type, 'REGISTER_INSTANCE');
  assert.deepEqual(op.Targets, { SERVICE: srv, INSTANCE: 'task/1' });

  const got = await sd.send(new SD.GetInstanceCommand({ ServiceId: a, InstanceId: 'web-1' }));
  assert.deepEqual(got.Instance!.Attributes, { AWS_INSTANCE_IPV4: '10.0.0.1', color: 'blue' });
  assert.equal(await codeOf(sd.send(new SD.GetInstanceCommand({ ServiceId: a, InstanceId: 'nope' }))), 'InstanceNotFound');
  assert.equal(await codeOf(sd.send(new SD.DeregisterInstanceCommand({ ServiceId: a, InstanceId: 'nope' }))), 'InstanceNotFound');

  // re-registering replaces the attributes
  await register(sd, a, 'web-1', { AWS_INSTANCE_IPV4: '10.0.0.9' });
  assert.deepEqual((await sd.send(new SD.GetInstanceCommand({ ServiceId: a, InstanceId: 'web-1' }))).Instance!.Attributes, { AWS_INSTANCE_IPV4: '10.0.0.9' });
  for (let i = 2; i <= 5; i++) await register(sd, a, `web-${i}`, { AWS_INSTANCE_IPV4: `10.0.0.${i}` });
  const p1 = await sd.send(new SD.ListInstancesCommand({ ServiceId: a, MaxResults: 3 }));
  const p2 = await sd.send(new SD.ListInstancesCommand({ ServiceId: a, MaxResults: 3, NextToken: p1.NextToken }));
  assert.deepEqual(
    [...p1.Instances!, ...p2.Instances!].map((i) => i.Id),
    ['web-1', 'web-2', 'web-3', 'web-4', 'web-5'],
  );
  assert.equal((await sd.send(new SD.GetServiceCommand({ Id: a }))).Service!.InstanceCount, 5);

  // health: UNKNOWN without a health config, AWS_INIT_HEALTH_STATUS with custom health
  const none = await sd.send(new SD.GetInstancesHealthStatusCommand({ ServiceId: a, Instances: ['web-1', 'web-2'] }));
  assert.deepEqual(none.Status, { 'web-1': 'UNKNOWN', 'web-2': 'UNKNOWN' });
  assert.deepEqual((await sd.send(new SD.GetInstancesHealthStatusCommand({ ServiceId: srv }))).Status, { 'task/1': 'UNHEALTHY' });
  assert.equal(await codeOf(sd.send(new SD.GetInstancesHealthStatusCommand({ ServiceId: srv, Instances: ['ghost'] }))), 'InstanceNotFound');
  await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: srv, InstanceId: 'task/1', Status: 'HEALTHY' }));
  assert.deepEqual((await sd.send(new SD.GetInstancesHealthStatusCommand({ ServiceId: srv }))).Status, { 'task/1': 'HEALTHY' }, 'health delay is 0 in tests');
  assert.equal(await codeOf(sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: a, InstanceId: 'web-1', Status: 'HEALTHY' }))), 'CustomHealthNotFound');
  assert.equal(await codeOf(sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: srv, InstanceId: 'ghost', Status: 'HEALTHY' }))), 'InstanceNotFound');
  assert.equal(await codeOf(sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: 'srv-nope000000000000', InstanceId: 'x', Status: 'HEALTHY' }))), 'ServiceNotFound');

  // CreatorRequestId: a retry answers the same operation; the token with other attributes is a DuplicateRequest
  const r1 = await sd.send(new SD.RegisterInstanceCommand({ ServiceId: a, InstanceId: 'web-6', CreatorRequestId: 'tok', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.6' } }));
  const r2 = await sd.send(new SD.RegisterInstanceCommand({ ServiceId: a, InstanceId: 'web-6', CreatorRequestId: 'tok', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.6' } }));
  assert.equal(r2.OperationId, r1.OperationId);
  const r3 = await errorOf(sd.send(new SD.RegisterInstanceCommand({ ServiceId: a, InstanceId: 'web-6', CreatorRequestId: 'tok', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.7' } })));
  assert.equal(r3.name, 'DuplicateRequest');
  assert.equal(r3.fields.DuplicateOperationId, r1.OperationId);
  assert.equal((await sd.send(new SD.GetInstanceCommand({ ServiceId: a, InstanceId: 'web-6' }))).Instance!.CreatorRequestId, 'tok');
});

test('tags on namespaces and services by ARN', async () => {
  const nsId = await httpNamespace(sd, 'tagged');
  const ns = (await sd.send(new SD.GetNamespaceCommand({ Id: nsId }))).Namespace!;
  const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 's', NamespaceId: nsId, Tags: [{ Key: 'a', Value: '1' }] }));
  await sd.send(
    new SD.TagResourceCommand({
      ResourceARN: ns.Arn,
      Tags: [
        { Key: 'env', Value: 'dev' },
        { Key: 'team', Value: 'x' },
      ],
    }),
  );
  await sd.send(new SD.UntagResourceCommand({ ResourceARN: ns.Arn, TagKeys: ['team'] }));
  assert.deepEqual((await sd.send(new SD.ListTagsForResourceCommand({ ResourceARN: ns.Arn }))).Tags, [{ Key: 'env', Value: 'dev' }]);
  assert.deepEqual((await sd.send(new SD.ListTagsForResourceCommand({ ResourceARN: Service!.Arn }))).Tags, [{ Key: 'a', Value: '1' }]);
  assert.equal(
    await codeOf(sd.send(new SD.ListTagsForResourceCommand({ ResourceARN: 'arn:aws:servicediscovery:us-east-1:000000000000:service/srv-nope000000000000' }))),
    'ResourceNotFoundException',
  );
  assert.equal(await codeOf(sd.send(new SD.ListTagsForResourceCommand({ ResourceARN: 'not-an-arn' }))), 'InvalidInput');
  const tooMany = await errorOf(sd.send(new SD.TagResourceCommand({ ResourceARN: ns.Arn, Tags: Array.from({ length: 200 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) })));
  assert.equal(tooMany.name, 'TooManyTagsException');
  assert.equal(tooMany.fields.ResourceName, ns.Arn);
});

test('wrong types and malformed input are 400s in AWS shape, never 5xx', async () => {
  const cases: Array<[string, string, string]> = [
    ['RegisterInstance', '{"ServiceId":"srv-x","InstanceId":"i","Attributes":{"k":5}}', 'SerializationException'],
    ['RegisterInstance', '{"ServiceId":"srv-x","InstanceId":"i","Attributes":"nope"}', 'SerializationException'],
    ['RegisterInstance', '{"ServiceId":"srv-x","InstanceId":"i"}', 'InvalidInput'],
    ['CreateService', '{"Name":"s","NamespaceId":"ns-x","DnsConfig":{"DnsRecords":[{"Type":"MX","TTL":5}]}}', 'InvalidInput'],
    ['CreateService', '{"Name":"s","NamespaceId":"ns-x","DnsConfig":{"DnsRecords":[{"Type":"A","TTL":-1}]}}', 'InvalidInput'],
    ['DiscoverInstances', '{"NamespaceName":"n","ServiceName":"s","MaxResults":5000}', 'InvalidInput'],
    ['DiscoverInstances', '{"NamespaceName":"n","ServiceName":"s","HealthStatus":"SICK"}', 'InvalidInput'],
    ['DiscoverInstances', '{"NamespaceName":"nowhere","ServiceName":"s"}', 'NamespaceNotFound'],
    ['ListOperations', '{"Filters":[{"Name":"UPDATE_DATE","Values":["yesterday","today"],"Condition":"BETWEEN"}]}', 'InvalidInput'],
    ['ListOperations', '{"Filters":[{"Name":"STATUS","Values":["DONE"]}]}', 'InvalidInput'],
    ['GetInstancesHealthStatus', '{"ServiceId":"srv-x","MaxResults":0}', 'InvalidInput'],
    ['TagResource', '{"ResourceARN":"arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-x","Tags":[{"Key":"aws:x","Value":"y"}]}', 'InvalidInput'],
  ];
  for (const [op, body, expected] of cases) {
    const r = await signedRequest(server, {
      service: 'servicediscovery',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Route53AutoNaming_v20170314.${op}` },
      body,
    });
    assert.equal(r.status, 400, `${op} ${body}: ${r.status} ${r.text}`);
    assert.equal(JSON.parse(r.text).__type, expected, `${op} ${body}: ${r.text}`);
    assert.ok(JSON.parse(r.text).Message, 'Cloud Map errors carry Message');
  }
});
