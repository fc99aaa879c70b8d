// The DNS server on its real UDP/TCP port, queried by real resolvers: Node's dns.Resolver and dig.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as SD from '@aws-sdk/client-servicediscovery';
import { rawRequest, startTestServer, type TestServer } from '../support/server.js';
import { privateNamespace, register, sdClient, srvAndAService } from '../support/cloudmap.js';

const run = promisify(execFile);
let server: TestServer;
let sd: SD.ServiceDiscoveryClient;
let dnsPort: number;
let resolver: Resolver;
let svc: string;

before(async () => {
  server = await startTestServer();
  sd = sdClient(server);
  const health = JSON.parse((await rawRequest(server, { method: 'GET', path: '/_wayfinder/health' })).text) as { dnsPort: number };
  dnsPort = health.dnsPort;
  resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${dnsPort}`]);
  const nsId = await privateNamespace(sd, server, 'internal.test');
  svc = await srvAndAService(sd, nsId, 'api');
  await register(sd, svc, 'task-a', { AWS_INSTANCE_IPV4: '127.0.0.10', AWS_INSTANCE_PORT: '8080' });
  await register(sd, svc, 'task-b', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '8081' });
});
after(async () => {
  sd.destroy();
  await server.destroy();
});

async function dig(...args: string[]): Promise<string> {
  const { stdout } = await run('dig', ['-p', String(dnsPort), '@127.0.0.1', '+time=2', '+tries=1', ...args], { timeout: 10_000 });
  return stdout;
}

const hasDig = await run('dig', ['-v']).then(
  () => true,
  () => false,
);

test('the bound DNS port is reported in the health facts', () => {
  assert.ok(Number.isInteger(dnsPort) && dnsPort > 0);
});

test('Node resolver: SRV, A of the service and of each SRV target', async () => {
  const srv = (await resolver.resolveSrv('api.internal.test')).sort((a, b) => a.port - b.port);
  assert.deepEqual(srv, [
    { name: 'task-a.api.internal.test', port: 8080, priority: 1, weight: 1 },
    { name: 'task-b.api.internal.test', port: 8081, priority: 1, weight: 1 },
  ]);
  assert.deepEqual((await resolver.resolve4('api.internal.test')).sort(), ['127.0.0.10', '127.0.0.11']);
  assert.deepEqual(await resolver.resolve4('task-b.api.internal.test'), ['127.0.0.11']);
  const ttl = await resolver.resolve4('api.internal.test', { ttl: true });
  assert.equal(ttl[0]!.ttl, 20);
});

test('Node resolver: NXDOMAIN is ENOTFOUND, NODATA is ENODATA, foreign names are refused', async () => {
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: NodeJS.ErrnoException) => e.code,
    );
  assert.equal(await codeOf(resolver.resolve4('nope.internal.test')), 'ENOTFOUND');
  assert.equal(await codeOf(resolver.resolve6('api.internal.test')), 'ENODATA');
  assert.equal(await codeOf(resolver.resolve4('example.com')), 'EREFUSED');
  const soa = await resolver.resolveSoa('internal.test');
  assert.equal(soa.nsname, 'ns-1536.awsdns-00.co.uk');
  assert.equal((await resolver.resolveNs('internal.test')).length, 4);
});

test('an instance marked UNHEALTHY leaves the answers (health delay 0 here)', async () => {
  await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc, InstanceId: 'task-b', Status: 'UNHEALTHY' }));
  assert.deepEqual(
    (await resolver.resolveSrv('api.internal.test')).map((r) => r.name),
    ['task-a.api.internal.test'],
  );
  await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc, InstanceId: 'task-b', Status: 'HEALTHY' }));
  assert.equal((await resolver.resolveSrv('api.internal.test')).length, 2);
});

test('dig over UDP and TCP: flags, sections, and NXDOMAIN', { skip: !hasDig && 'dig is not installed' }, async () => {
  const udp = await dig('SRV', 'api.internal.test');
  assert.match(udp, /status: NOERROR/);
  assert.match(udp, /flags: qr aa rd;/);
  assert.match(udp, /api\.internal\.test\.\s+10\s+IN\s+SRV\s+1 1 8080 task-a\.api\.internal\.test\./);
  assert.match(udp, /;; ADDITIONAL SECTION:\n(.*\n)*task-a\.api\.internal\.test\.\s+20\s+IN\s+A\s+127\.0\.0\.10/);
  assert.match(udp, /EDNS: version: 0/);
  const tcp = await dig('+tcp', 'A', 'api.internal.test');
  assert.match(tcp, /\(TCP\)/);
  assert.match(tcp, /IN\s+A\s+127\.0\.0\.1[01]/);
  assert.match(await dig('A', 'missing.internal.test'), /status: NXDOMAIN/);
  assert.match(await dig('+noedns', 'A', 'example.org'), /status: REFUSED/);
});

test('deregistered instances vanish from DNS', async () => {
  const { OperationId } = await sd.send(new SD.DeregisterInstanceCommand({ ServiceId: svc, InstanceId: 'task-a' }));
  assert.ok(OperationId);
  assert.deepEqual(
    (await resolver.resolveSrv('api.internal.test')).map((r) => r.name),
    ['task-b.api.internal.test'],
  );
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: NodeJS.ErrnoException) => e.code,
    );
  assert.equal(await codeOf(resolver.resolve4('task-a.api.internal.test')), 'ENOTFOUND');
});

test('a reset empties Cloud Map: the zone goes away, the DNS port stays', async () => {
  const r = await rawRequest(server, { method: 'POST', path: '/_wayfinder/reset' });
  assert.equal(r.status, 200);
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: NodeJS.ErrnoException) => e.code,
    );
  assert.equal(await codeOf(resolver.resolveSrv('api.internal.test')), 'EREFUSED');
  assert.equal((await sd.send(new SD.ListNamespacesCommand({}))).Namespaces!.length, 0);
  assert.equal((await sd.send(new SD.ListOperationsCommand({}))).Operations!.length, 0);
});
