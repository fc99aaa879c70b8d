// The seed's private integration end to end: a real Cloud Map service with instances registered
// through the servicediscovery SDK, pointing at real HTTP backends on loopback; an HTTP API routes
// through a VPC link to it. Healthy instances share the traffic, unhealthy ones get none, a refused
// connection is retried on another instance, no healthy instance → 503, a PENDING link → 500.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import * as SD from '@aws-sdk/client-servicediscovery';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { privateNamespace, register, sdClient, waitOperation } from '../support/cloudmap.js';
import { invoke, send, startBackend, type Backend } from '../support/gateway.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let sd: SD.ServiceDiscoveryClient;
let subnetId: string;
let backends: Backend[];
let serviceId: string;
let serviceArn: string;
let linkId: string;

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  sd = sdClient(server);
  const ec2 = new E.EC2Client(sdkConfig(server));
  subnetId = (await ec2.send(new E.DescribeSubnetsCommand({}))).Subnets![0]!.SubnetId!;
  ec2.destroy();
  backends = await Promise.all(['task-a', 'task-b', 'task-sick'].map((n) => startBackend(n)));
  const nsId = await privateNamespace(sd, server, 'internal');
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({ Name: 'api', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: { FailureThreshold: 1 } }),
  );
  serviceId = Service!.Id!;
  serviceArn = Service!.Arn!;
  const attrs = (b: Backend, extra: Record<string, string> = {}) => ({ AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(b.port), ...extra });
  await register(sd, serviceId, 'task-a', attrs(backends[0]!, { version: 'v1' }));
  await register(sd, serviceId, 'task-b', attrs(backends[1]!, { version: 'v2' }));
  await register(sd, serviceId, 'task-sick', attrs(backends[2]!, { version: 'v2', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }));
  linkId = (await gw.send(new G.CreateVpcLinkCommand({ Name: 'link', SubnetIds: [subnetId] }))).VpcLinkId!;
});
after(async () => {
  gw.destroy();
  sd.destroy();
  await Promise.all(backends.map((b) => b.close()));
  await server.destroy();
});

async function privateApi(uri: string, stage = 'prod'): Promise<string> {
  const id = (await gw.send(new G.CreateApiCommand({ Name: 'private', ProtocolType: 'HTTP' }))).ApiId!;
  const i = await gw.send(
    new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', ConnectionType: 'VPC_LINK', ConnectionId: linkId, IntegrationUri: uri }),
  );
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'ANY /{proxy+}', Target: `integrations/${i.IntegrationId}` }));
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: stage, AutoDeploy: true }));
  return id;
}

async function names(id: string, n: number, path: string, opts: { method?: string; body?: string } = {}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await invoke(server, id, { path, method: opts.method, body: opts.body, headers: opts.body ? { 'content-type': 'application/json' } : {} });
    assert.equal(r.status, 200, r.text);
    const j = r.json<{ name: string; url: string; body: string; headers: Record<string, string> }>();
    assert.equal(j.url, path, 'the path keeps the stage prefix (as AWS forwards it to private integrations)');
    if (opts.body) assert.equal(j.body, opts.body);
    out.push(j.name);
  }
  return out;
}

test('requests through the VPC link land on healthy Cloud Map instances only, spread across them', async () => {
  const id = await privateApi(serviceArn);
  const got = await names(id, 30, '/prod/hello?x=1');
  assert.ok(got.includes('task-a') && got.includes('task-b'), `both healthy instances get traffic: ${got.join(',')}`);
  assert.ok(!got.includes('task-sick'), 'the unhealthy instance gets none');
  const host = backends[0]!.received.at(-1)?.headers.host ?? backends[1]!.received.at(-1)!.headers.host;
  assert.match(String(host), /^127\.0\.0\.1:\d+$/, 'Host is the instance address');
  const why = await send(server.port, { host: `127.0.0.1:${server.port}`, path: `/_wayfinder/gateway/explain?apiId=${id}&path=/prod/hello` });
  const body = why.json<{ result: string; integration: { routableInstances: Array<{ instanceId: string }> } }>();
  assert.deepEqual(body.integration.routableInstances.map((i) => i.instanceId).sort(), ['task-a', 'task-b']);
});

test('health changes take effect on the next request; ?attr=value filters pick instances by attribute', async () => {
  const id = await privateApi(serviceArn);
  await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: serviceId, InstanceId: 'task-a', Status: 'UNHEALTHY' }));
  try {
    assert.deepEqual([...new Set(await names(id, 10, '/prod/x'))], ['task-b']);
  } finally {
    await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: serviceId, InstanceId: 'task-a', Status: 'HEALTHY' }));
  }
  const v1 = await privateApi(`${serviceArn}?version=v1`);
  assert.deepEqual([...new Set(await names(v1, 10, '/prod/y'))], ['task-a']);
});

test('a refused connection is retried on another instance (the request never reached the first), bodies included', async () => {
  const dead = await closedPort();
  await register(sd, serviceId, 'task-dead', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(dead), version: 'v3' });
  try {
    const id = await privateApi(serviceArn);
    const got = await names(id, 25, '/prod/retry', { method: 'POST', body: '{"order":1}' });
    assert.ok(got.every((n) => n === 'task-a' || n === 'task-b'));
    const onlyDead = await privateApi(`${serviceArn}?version=v3`);
    const r = await invoke(server, onlyDead, { path: '/prod/z' });
    assert.deepEqual([r.status, r.text], [503, '{"message":"Service Unavailable"}']);
  } finally {
    await waitOperation(sd, (await sd.send(new SD.DeregisterInstanceCommand({ ServiceId: serviceId, InstanceId: 'task-dead' }))).OperationId!);
  }
});

test('no healthy instance, or instances without AWS_INSTANCE_PORT → 503 {"message":"Service Unavailable"}', async () => {
  const nobody = await privateApi(`${serviceArn}?version=none`);
  const r = await invoke(server, nobody, { path: '/prod/a' });
  assert.deepEqual([r.status, r.text, r.headers['content-type']], [503, '{"message":"Service Unavailable"}', 'application/json']);
  const nsId = (await sd.send(new SD.GetServiceCommand({ Id: serviceId }))).Service!.NamespaceId!;
  const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'a-only', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } }));
  await register(sd, Service!.Id!, 'ip-only', { AWS_INSTANCE_IPV4: '127.0.0.1' });
  const aOnly = await privateApi(Service!.Arn!);
  assert.equal((await invoke(server, aOnly, { path: '/prod/a' })).status, 503);
});

test('a VPC link that is not AVAILABLE yet answers 500 {"message":"Internal Server Error"}', async () => {
  const slow = await startTestServer({ vpcLinkDelayMs: 600_000 });
  const g = new G.ApiGatewayV2Client(sdkConfig(slow));
  try {
    const ec2 = new E.EC2Client(sdkConfig(slow));
    const sub = (await ec2.send(new E.DescribeSubnetsCommand({}))).Subnets![0]!.SubnetId!;
    ec2.destroy();
    const link = await g.send(new G.CreateVpcLinkCommand({ Name: 'slow', SubnetIds: [sub] }));
    assert.equal((await g.send(new G.GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId }))).VpcLinkStatus, 'PENDING');
    const id = (await g.send(new G.CreateApiCommand({ Name: 'p', ProtocolType: 'HTTP' }))).ApiId!;
    const i = await g.send(
      new G.CreateIntegrationCommand({
        ApiId: id,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'ANY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: link.VpcLinkId,
        IntegrationUri: 'arn:aws:servicediscovery:us-east-1:000000000000:service/srv-aaaaaaaaaaaaaaaa',
      }),
    );
    await g.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: '$default', Target: `integrations/${i.IntegrationId}` }));
    await g.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
    const r = await invoke(slow, id, { path: '/' });
    assert.deepEqual([r.status, r.text], [500, '{"message":"Internal Server Error"}']);
  } finally {
    g.destroy();
    await slow.destroy();
  }
});

test('a task killed under load (connections cut, then refused) costs no failed GET: each lost request is retried on another instance', async () => {
  const nsId = (await sd.send(new SD.GetServiceCommand({ Id: serviceId }))).Service!.NamespaceId!;
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({ Name: 'rolling', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: { FailureThreshold: 1 } }),
  );
  // The victim answers slowly, so requests are in flight on it when it dies.
  const victim = await startBackend('victim', (_req, res) => setTimeout(() => res.writeHead(200).end('victim'), 20));
  const survivor = await startBackend('survivor', (_req, res) => res.writeHead(200).end('survivor'));
  try {
    await register(sd, Service!.Id!, 'victim', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(victim.port) });
    await register(sd, Service!.Id!, 'survivor', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(survivor.port) });
    const id = await privateApi(Service!.Arn!);
    const statuses = new Map<number, number>();
    let sent = 0;
    let stop = false;
    const worker = async () => {
      while (!stop && sent < 3000) {
        sent++;
        const r = await invoke(server, id, { path: '/prod/roll' });
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    while (victim.received.length < 20 && sent < 3000) await new Promise((r) => setTimeout(r, 10));
    await victim.close(); // cuts every connection, in-flight requests included; later connects are refused
    const killedAt = sent;
    while (sent < killedAt + 200 && sent < 3000) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await load;
    assert.deepEqual([...statuses.keys()], [200], `statuses: ${JSON.stringify([...statuses])}`);
    assert.ok(victim.received.length >= 20 && survivor.received.length > 0);
  } finally {
    await survivor.close();
  }
});

/**
 * A loopback port whose connects never complete: a listener with a backlog of one that never accepts,
 * its one queue slot already taken, so the kernel drops further SYNs (python3, as Node always accepts).
 */
async function blackHole(): Promise<{ port: number; close(): void }> {
  const { spawn } = await import('node:child_process');
  const py = spawn(
    'python3',
    [
      '-c',
      [
        'import socket, sys, time',
        's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
        'fill = socket.create_connection(s.getsockname(), timeout=2)  # the one queue slot',
        'print(s.getsockname()[1], flush=True)',
        'time.sleep(60)',
      ].join('\n'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    py.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    py.once('exit', (code) => reject(new Error(`black hole exited ${code}`)));
  });
  return { port, close: () => py.kill('SIGKILL') };
}

test('the integration timeout bounds the whole request, connecting and retries included: black-holed instances → 503', async () => {
  const hole = await blackHole();
  try {
    const nsId = await privateNamespace(sd, server, 'holes');
    const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'h', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] } }));
    for (const id of ['h1', 'h2', 'h3']) await register(sd, Service!.Id!, id, { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(hole.port) });
    const id = (await gw.send(new G.CreateApiCommand({ Name: 'holes', ProtocolType: 'HTTP' }))).ApiId!;
    const i = await gw.send(
      new G.CreateIntegrationCommand({
        ApiId: id,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'ANY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: linkId,
        IntegrationUri: Service!.Arn!,
        TimeoutInMillis: 300,
      }),
    );
    await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'ANY /{proxy+}', Target: `integrations/${i.IntegrationId}` }));
    await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
    // Three instances, a 5 s connect limit each: without one deadline for the request this took 15 s.
    const r = await send(server.port, { host: `${id}.execute-api.localhost:${server.port}`, path: '/x', timeoutMs: 4000 });
    assert.deepEqual([r.status, r.text], [503, '{"message":"Service Unavailable"}']);
  } finally {
    hole.close();
  }
});
