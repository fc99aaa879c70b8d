// --gateway-workers 2: the data plane on two threads behind the one edge port (docs/gateway.md
// "Gateway workers"). Requests reach the backend through both threads; deployment and Cloud Map
// health changes reach every thread; throttling takes one bucket per route whichever thread serves;
// the control plane (aws CLI, SDK) and mixed keep-alive connections still work through a worker;
// `wayfinder up --gateway-workers 2` stops cleanly; the console's request stream sees the requests of
// both threads, and nothing is recorded while nobody watches. Which thread served what is read from
// the health facts (gatewayWorkers.served / revisions / forwarded / recorded), never from timing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request, type IncomingMessage } from 'node:http';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import * as SD from '@aws-sdk/client-servicediscovery';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { privateNamespace, register, sdClient } from '../support/cloudmap.js';
import { invoke, startBackend, type Backend } from '../support/gateway.js';
import { awsCli } from '../support/aws-cli.js';
import { startCli } from '../support/cli.js';
import { assertOneBucketPerRoute, everyThreadCaughtUp, facts, throttledApi, untilEveryThreadServed } from './gateway-workers-facts.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let blue: Backend;
let green: Backend;

before(async () => {
  server = await startTestServer({ gatewayWorkers: 2 });
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  [blue, green] = await Promise.all([startBackend('blue'), startBackend('green')]);
});
after(async () => {
  gw.destroy();
  await Promise.all([blue.close(), green.close()]);
  await server.destroy();
});

test('requests to an API reach the backend through both threads', async () => {
  const f = await facts(server.port);
  assert.equal(f.threads, 2);
  assert.deepEqual(
    [f.up, f.restarts],
    [
      [true, true],
      [0, 0],
    ],
    'both threads up, none replaced',
  );
  const apiId = (await gw.send(new G.CreateApiCommand({ Name: 'both', ProtocolType: 'HTTP', Target: blue.url }))).ApiId!;
  const before = blue.received.length;
  const answers = await untilEveryThreadServed(server.port, () => invoke(server, apiId, { path: '/hello' }));
  assert.ok(
    answers.every((a) => a.status === 200 && (JSON.parse(a.text) as { name: string }).name === 'blue'),
    'every answer is the backend’s',
  );
  assert.equal(blue.received.length - before, answers.length, 'each request reached the backend once');
});

test('a deployment change is served by every thread once applied', async () => {
  const apiId = (await gw.send(new G.CreateApiCommand({ Name: 'deploy', ProtocolType: 'HTTP' }))).ApiId!;
  const integ = async (url: string) =>
    (await gw.send(new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: url, PayloadFormatVersion: '1.0' })))
      .IntegrationId!;
  const routeId = (await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /v', Target: `integrations/${await integ(blue.url)}` }))).RouteId!;
  await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: '$default' }));
  await gw.send(new G.CreateDeploymentCommand({ ApiId: apiId, StageName: '$default' }));
  await everyThreadCaughtUp(server.port);
  const name = (a: { text: string }) => (JSON.parse(a.text) as { name: string }).name;
  assert.deepEqual(new Set((await untilEveryThreadServed(server.port, () => invoke(server, apiId, { path: '/v' }))).map(name)), new Set(['blue']));
  // The route moves to green: a new deployment.
  await gw.send(new G.UpdateRouteCommand({ ApiId: apiId, RouteId: routeId, Target: `integrations/${await integ(green.url)}` }));
  await gw.send(new G.CreateDeploymentCommand({ ApiId: apiId, StageName: '$default' }));
  await everyThreadCaughtUp(server.port);
  assert.deepEqual(new Set((await untilEveryThreadServed(server.port, () => invoke(server, apiId, { path: '/v' }))).map(name)), new Set(['green']));
});

test('a Cloud Map health change is seen by every thread', async () => {
  const sd = sdClient(server);
  const ec2 = new E.EC2Client(sdkConfig(server));
  try {
    const subnetId = (await ec2.send(new E.DescribeSubnetsCommand({}))).Subnets![0]!.SubnetId!;
    const nsId = await privateNamespace(sd, server, 'workers');
    const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'api', NamespaceId: nsId, HealthCheckCustomConfig: { FailureThreshold: 1 } }));
    await register(sd, Service!.Id!, 'task-1', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(blue.port) });
    const linkId = (await gw.send(new G.CreateVpcLinkCommand({ Name: 'link', SubnetIds: [subnetId] }))).VpcLinkId!;
    const apiId = (await gw.send(new G.CreateApiCommand({ Name: 'private', ProtocolType: 'HTTP' }))).ApiId!;
    const integ = await gw.send(
      new G.CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'ANY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: linkId,
        IntegrationUri: Service!.Arn!,
        PayloadFormatVersion: '1.0',
      }),
    );
    await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'ANY /{proxy+}', Target: `integrations/${integ.IntegrationId}` }));
    await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: '$default' }));
    await gw.send(new G.CreateDeploymentCommand({ ApiId: apiId, StageName: '$default' }));
    const statuses = async () => new Set((await untilEveryThreadServed(server.port, () => invoke(server, apiId, { path: '/x' }))).map((a) => a.status));
    await everyThreadCaughtUp(server.port);
    assert.deepEqual(await statuses(), new Set([200]));
    const health = async (status: 'HEALTHY' | 'UNHEALTHY') => {
      await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: Service!.Id!, InstanceId: 'task-1', Status: status }));
      // healthDelayMs is 0: the change is committed right after the call; wait for each thread to apply it.
      for (let i = 0; i < 200; i++) {
        const r = await sd.send(new SD.GetInstancesHealthStatusCommand({ ServiceId: Service!.Id! }));
        if (r.Status?.['task-1'] === status) break;
        await new Promise((res) => setTimeout(res, 25));
      }
      await everyThreadCaughtUp(server.port);
    };
    await health('UNHEALTHY');
    assert.deepEqual(await statuses(), new Set([503]), 'no healthy instance on any thread');
    await health('HEALTHY');
    assert.deepEqual(await statuses(), new Set([200]));
  } finally {
    sd.destroy();
    ec2.destroy();
  }
});

test('throttling: a route limit of burst 5 lets exactly 5 requests through across both threads, as with one', async () => {
  const single = await startTestServer({ gatewayWorkers: 1 });
  const g1 = new G.ApiGatewayV2Client(sdkConfig(single));
  const oneId = await throttledApi(g1, blue.url);
  const oneAnswers = await Promise.all(Array.from({ length: 30 }, () => invoke(single, oneId, { path: '/t1' })));
  const oneOk = oneAnswers.filter((a) => a.status === 200).length;
  g1.destroy();
  await single.destroy();
  assert.equal(oneOk, 5, 'one thread: the burst');

  const twoId = await throttledApi(gw, blue.url);
  await everyThreadCaughtUp(server.port);
  await assertOneBucketPerRoute(server.port, twoId);
});

/** Writes `text` on a new connection and returns everything read until the server ends it. */
function rawConnection(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.write(text);
    setTimeout(() => s.destroy(new Error(`no answer: ${got}`)), 20_000).unref();
  });
}

test('the control plane answers through either thread: aws CLI, SDK, and a keep-alive connection that mixes both planes', async () => {
  const before = await facts(server.port);
  // Each aws CLI call is a new process and connection: some land on the worker thread.
  for (let i = 0; i < 6; i++) {
    const r = await awsCli(server.port, ['apigatewayv2', 'get-apis']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Array.isArray((JSON.parse(r.stdout) as { Items: unknown[] }).Items));
  }
  const apiId = (await gw.send(new G.CreateApiCommand({ Name: 'mixed', ProtocolType: 'HTTP', Target: blue.url }))).ApiId!;
  // One connection: a data-plane request, then a control-plane one, then the data plane again.
  const host = `${apiId}.execute-api.localhost:${server.port}`;
  const mixed = (): Promise<string> =>
    rawConnection(
      server.port,
      `GET /one HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
        `GET /_wayfinder/health HTTP/1.1\r\nHost: localhost:${server.port}\r\n\r\n` +
        `GET /two HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
  for (let i = 0; i < 40; i++) {
    const text = await mixed();
    assert.equal((text.match(/HTTP\/1\.1 200 /g) ?? []).length, 3, text);
    assert.match(text, /"status":"ok"/);
    const now = await facts(server.port);
    if (now.forwarded[1]! > before.forwarded[1]!) break;
  }
  const now = await facts(server.port);
  assert.ok(now.forwarded[1]! > before.forwarded[1]!, `the worker forwarded control-plane connections: ${JSON.stringify(now)}`);
});

test('a connection a worker forwards to the main thread meets the edge rules there: a foreign Host is 403', async () => {
  const before = await facts(server.port);
  const foreign = (): Promise<string> => rawConnection(server.port, 'GET /_wayfinder/health HTTP/1.1\r\nHost: rebind.attacker.test\r\nConnection: close\r\n\r\n');
  for (let i = 0; i < 40; i++) {
    const text = await foreign();
    assert.match(text, /^HTTP\/1\.1 403 /, text);
    assert.doesNotMatch(text, /"status":"ok"/);
    if ((await facts(server.port)).forwarded[1]! > before.forwarded[1]!) break;
  }
  const now = await facts(server.port);
  assert.ok(now.forwarded[1]! > before.forwarded[1]!, `the worker forwarded a foreign-Host connection: ${JSON.stringify(now)}`);
});

test('access-log lines of requests any thread served all reach CloudWatch Logs', async () => {
  const logs = new L.CloudWatchLogsClient(sdkConfig(server));
  try {
    await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/workers/access' }));
    const apiId = (await gw.send(new G.CreateApiCommand({ Name: 'logged', ProtocolType: 'HTTP' }))).ApiId!;
    const integ = await gw.send(
      new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: blue.url, PayloadFormatVersion: '1.0' }),
    );
    await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /logged', Target: `integrations/${integ.IntegrationId}` }));
    await gw.send(
      new G.CreateStageCommand({
        ApiId: apiId,
        StageName: '$default',
        AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/workers/access', Format: '$context.requestId' },
      }),
    );
    await gw.send(new G.CreateDeploymentCommand({ ApiId: apiId, StageName: '$default' }));
    await everyThreadCaughtUp(server.port);
    const answers = await untilEveryThreadServed(server.port, () => invoke(server, apiId, { path: '/logged' }));
    const ids = new Set(answers.map((a) => a.headers['apigw-requestid'] as string));
    assert.equal(ids.size, answers.length, 'every answer carries its request id');
    let logged = new Set<string>();
    for (let i = 0; i < 200 && logged.size < ids.size; i++) {
      const r = await logs.send(new L.FilterLogEventsCommand({ logGroupName: '/workers/access', limit: 10_000 }));
      logged = new Set((r.events ?? []).map((e) => e.message!));
      if (logged.size < ids.size) await new Promise((res) => setTimeout(res, 50));
    }
    assert.deepEqual(
      [...ids].filter((id) => !logged.has(id)),
      [],
      'no line is missing',
    );
  } finally {
    logs.destroy();
  }
});

/** The console's request stream of one API (docs/console.md "Recent requests"): the records it sends. */
function watchRequests(port: number, apiId: string): Promise<{ res: IncomingMessage; got: Array<{ seq: number; path: string; status: number }> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/_wayfinder/console/requests/${apiId}`, headers: { accept: 'text/event-stream' } }, (res) => {
      const got: Array<{ seq: number; path: string; status: number }> = [];
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          const m = /^event: requests\ndata: (.*)$/m.exec(text.slice(0, end));
          text = text.slice(end + 2);
          if (m) got.push(...(JSON.parse(m[1]!) as typeof got));
        }
      });
      resolve({ res, got });
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ok(), `timed out waiting for ${what}`);
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

test("the console's request stream sees the requests both threads serve; unwatched, nothing is recorded", async () => {
  const apiId = (await gw.send(new G.CreateApiCommand({ Name: 'watched', ProtocolType: 'HTTP', Target: blue.url }))).ApiId!;
  await everyThreadCaughtUp(server.port);
  const before = await facts(server.port);
  assert.deepEqual(before.recorded, [0, 0], 'no API has been watched yet');
  await untilEveryThreadServed(server.port, () => invoke(server, apiId, { path: '/unwatched' }));
  assert.deepEqual((await facts(server.port)).recorded, [0, 0], 'both threads served; nothing recorded or posted');

  const { res, got } = await watchRequests(server.port, apiId);
  try {
    assert.equal(res.statusCode, 200);
    // The worker hears of the watch a message hop after the stream opens: it records from then on.
    for (let i = 0; i < 400 && (await facts(server.port)).recorded[1] === 0; i++) await invoke(server, apiId, { path: '/warm' });
    const warm = await facts(server.port);
    assert.ok(warm.recorded[1]! > 0, `the worker recorded: ${JSON.stringify(warm)}`);
    // Nothing is sent meanwhile: the records on the stream reach the threads' count (read again, as
    // the last request may be counted just after its answer went out).
    let recorded = sum(warm.recorded);
    for (let i = 0; i < 200 && got.length !== recorded; i++) {
      await new Promise((r) => setTimeout(r, 25));
      recorded = sum((await facts(server.port)).recorded);
    }
    assert.equal(got.length, recorded, 'every recorded request is on the stream');

    // Rounds of 20 requests, each on a new connection: every one is on the stream, once, whichever
    // thread served it, until a round was served by both threads.
    let bothServed = false;
    for (let round = 0; round < 10 && !bothServed; round++) {
      const b = await facts(server.port);
      const seen = got.length;
      const paths = Array.from({ length: 20 }, (_, i) => `/r${round}/${i}`);
      for (const path of paths) assert.equal((await invoke(server, apiId, { path })).status, 200);
      await until(`round ${round} on the stream`, () => got.length >= seen + paths.length);
      const a = await facts(server.port);
      assert.equal(sum(a.recorded) - sum(b.recorded), paths.length, 'each request recorded once');
      const streamed = got.slice(seen);
      assert.deepEqual(streamed.map((r) => r.path).sort(), [...paths].sort(), 'exactly these requests, each once');
      assert.ok(
        streamed.every((r) => r.status === 200),
        'their status',
      );
      assert.ok(
        got.every((r, i) => i === 0 || r.seq === got[i - 1]!.seq + 1),
        'seq rises by one per request',
      );
      bothServed = a.served.every((n, t) => n > b.served[t]!) && a.recorded.every((n, t) => n > b.recorded[t]!);
    }
    assert.ok(bothServed, 'in some round both threads served and recorded requests');
  } finally {
    res.destroy();
  }
});

test('in process, a stop ends the worker threads', async () => {
  const threads = () => readdirSync('/proc/self/task').length;
  const before = threads();
  const s = await startTestServer({ gatewayWorkers: 3 });
  const during = threads();
  await s.destroy();
  assert.ok(during >= before + 2, `two worker threads ran (${before} → ${during})`);
  assert.ok(threads() <= before, `none is left (${before} → ${threads()})`);
});

test('wayfinder up --gateway-workers 2 serves, and a stop leaves no thread or process behind', async () => {
  const dataDir = execFileSync('mktemp', ['-d']).toString().trim();
  const cli = await startCli(['--port', '0', '--dns-port', '0', '--data-dir', dataDir, '--runtime', 'process', '--gateway-workers', '2']);
  try {
    const f = await facts(cli.port);
    assert.equal(f.threads, 2);
    const pid = cli.child.pid!;
    // The listener-copy helpers have exited: the server has no child process.
    let children = '';
    try {
      children = execFileSync('pgrep', ['-P', String(pid)])
        .toString()
        .trim();
    } catch (e) {
      // pgrep exits 1 when nothing matches; anything else (no pgrep at all) must not pass as "no child".
      if ((e as { status?: number }).status !== 1) throw e;
      children = '';
    }
    assert.equal(children, '', 'no child process while serving');
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0, cli.output());
    await assert.rejects(fetch(`http://127.0.0.1:${cli.port}/_wayfinder/health`), 'the port is closed');
  } finally {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    execFileSync('rm', ['-rf', dataDir]);
  }
});
