// Route 53-style health checks (HealthCheckConfig) actually probing loopback endpoints: HTTP status
// codes, TCP connects, FailureThreshold, recovery, and the effect on DiscoverInstances and DNS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { Resolver } from 'node:dns/promises';
import * as SD from '@aws-sdk/client-servicediscovery';
import { rawRequest, startTestServer, type TestServer } from '../support/server.js';
import { eventually, httpNamespace, register, sdClient, waitOperation } from '../support/cloudmap.js';

let server: TestServer;
let sd: SD.ServiceDiscoveryClient;
let backend: Server;
let status = 200;
const hits: string[] = [];

before(async () => {
  server = await startTestServer();
  sd = sdClient(server);
  backend = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(status).end('ok');
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  sd.destroy();
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
  await server.destroy();
});

const healthOf = async (ServiceId: string) => (await sd.send(new SD.GetInstancesHealthStatusCommand({ ServiceId }))).Status!;

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

test('HTTP checks GET the ResourcePath; FailureThreshold failures mark UNHEALTHY, as many successes HEALTHY again', async () => {
  const nsId = await httpNamespace(sd, 'checked');
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({ Name: 'web', NamespaceId: nsId, HealthCheckConfig: { Type: 'HTTP', ResourcePath: '/healthz', FailureThreshold: 2 } }),
  );
  const port = (backend.address() as AddressInfo).port;
  await register(sd, Service!.Id!, 'live', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(port) });
  await register(sd, Service!.Id!, 'dead', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(await closedPort()) });
  await eventually(
    () => healthOf(Service!.Id!),
    (s) => s.dead === 'UNHEALTHY',
    'the dead instance to fail its checks',
  );
  assert.equal((await healthOf(Service!.Id!)).live, 'HEALTHY');
  assert.ok(hits.includes('GET /healthz'));
  const found = await sd.send(new SD.DiscoverInstancesCommand({ NamespaceName: 'checked', ServiceName: 'web' }));
  assert.deepEqual(
    found.Instances!.map((i) => [i.InstanceId, i.HealthStatus]),
    [['live', 'HEALTHY']],
  );

  status = 503;
  await eventually(
    () => healthOf(Service!.Id!),
    (s) => s.live === 'UNHEALTHY',
    'a 503 to count as a failure',
  );
  status = 302;
  await eventually(
    () => healthOf(Service!.Id!),
    (s) => s.live === 'HEALTHY',
    'a 3xx to count as healthy again',
  );
  status = 200;
  await waitOperation(sd, (await sd.send(new SD.DeregisterInstanceCommand({ ServiceId: Service!.Id, InstanceId: 'dead' }))).OperationId!);
  await waitOperation(sd, (await sd.send(new SD.DeregisterInstanceCommand({ ServiceId: Service!.Id, InstanceId: 'live' }))).OperationId!);
});

test('TCP checks in a public DNS namespace drive the A answers', async () => {
  const { OperationId } = await sd.send(new SD.CreatePublicDnsNamespaceCommand({ Name: 'public.test' }));
  const nsId = (await waitOperation(sd, OperationId!)).Targets!.NAMESPACE!;
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({ Name: 'tcp', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 1 }] }, HealthCheckConfig: { Type: 'TCP', FailureThreshold: 1 } }),
  );
  const listening = createTcpServer((s) => s.destroy());
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  try {
    await register(sd, Service!.Id!, 'up', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String((listening.address() as AddressInfo).port) });
    await register(sd, Service!.Id!, 'down', { AWS_INSTANCE_IPV4: '127.0.0.2', AWS_INSTANCE_PORT: String(await closedPort()) });
    await eventually(
      () => healthOf(Service!.Id!),
      (s) => s.down === 'UNHEALTHY' && s.up === 'HEALTHY',
      'TCP checks',
    );
    const { dnsPort } = JSON.parse((await rawRequest(server, { method: 'GET', path: '/_wayfinder/health' })).text) as { dnsPort: number };
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dnsPort}`]);
    assert.deepEqual(await resolver.resolve4('tcp.public.test'), ['127.0.0.1']);
  } finally {
    await new Promise((resolve) => listening.close(resolve));
  }
});
