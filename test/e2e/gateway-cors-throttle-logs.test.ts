// CORS (automatic preflight vs an OPTIONS caught by a route, configured headers replacing the
// backend's), throttling (route, default and account buckets → 429) and access logs written to the
// Logs service, against a real Wayfinder and real backends on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { eventually, invoke, startBackend, type Backend } from '../support/gateway.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let logs: L.CloudWatchLogsClient;
let backend: Backend;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  logs = new L.CloudWatchLogsClient(sdkConfig(server));
  backend = await startBackend('cors', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': 'https://backend-says.example', 'access-control-max-age': '5' });
    res.end('ok');
  });
});
after(async () => {
  gw.destroy();
  logs.destroy();
  await backend.close();
  await server.destroy();
});

async function api(
  cors: G.Cors | undefined,
  routes: Array<{ key: string; auth?: Partial<G.CreateRouteCommandInput> }>,
  stage: Partial<G.CreateStageCommandInput> = {},
): Promise<string> {
  const id = (await gw.send(new G.CreateApiCommand({ Name: 'c', ProtocolType: 'HTTP', CorsConfiguration: cors }))).ApiId!;
  const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
  for (const r of routes) await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: r.key, Target: `integrations/${i.IntegrationId}`, ...r.auth }));
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true, ...stage }));
  return id;
}

const CORS: G.Cors = {
  AllowOrigins: ['https://app.example.com'],
  AllowMethods: ['GET', 'POST'],
  AllowHeaders: ['authorization', 'content-type'],
  ExposeHeaders: ['x-total'],
  MaxAge: 300,
  AllowCredentials: true,
};
const preflight = { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' };

test('CORS preflight: answered by the gateway when no route matches the OPTIONS request', async () => {
  const id = await api(CORS, [{ key: 'POST /orders' }]);
  const r = await invoke(server, id, { method: 'OPTIONS', path: '/orders', headers: { origin: 'https://app.example.com', ...preflight } });
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assert.equal(r.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(r.headers['access-control-allow-methods'], 'GET,POST');
  assert.equal(r.headers['access-control-allow-headers'], 'authorization,content-type');
  assert.equal(r.headers['access-control-max-age'], '300');
  assert.equal(r.headers['access-control-allow-credentials'], 'true');
  assert.ok(r.headers['apigw-requestid']);
  assert.equal(backend.received.filter((x) => x.method === 'OPTIONS').length, 0, 'the backend never sees it');
  const stranger = await invoke(server, id, { method: 'OPTIONS', path: '/orders', headers: { origin: 'https://evil.example', ...preflight } });
  assert.equal(stranger.status, 204);
  assert.equal(stranger.headers['access-control-allow-origin'], undefined);
});

test('an OPTIONS caught by ANY or $default goes through that route (the classic JWT 401 trap), not the automatic preflight', async () => {
  const id = (await gw.send(new G.CreateApiCommand({ Name: 'trap', ProtocolType: 'HTTP', CorsConfiguration: CORS }))).ApiId!;
  const a = await gw.send(
    new G.CreateAuthorizerCommand({
      ApiId: id,
      Name: 'jwt',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: `http://127.0.0.1:${server.port}/_wayfinder/oidc`, Audience: ['x'] },
    }),
  );
  const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
  await gw.send(
    new G.CreateRouteCommand({ ApiId: id, RouteKey: 'ANY /{proxy+}', Target: `integrations/${i.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: a.AuthorizerId }),
  );
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  const trapped = await invoke(server, id, { method: 'OPTIONS', path: '/orders', headers: { origin: 'https://app.example.com', ...preflight } });
  assert.equal(trapped.status, 401);
  assert.equal(trapped.text, '{"message":"Unauthorized"}');
  // The documented fix: an unauthenticated OPTIONS route for the same paths.
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'OPTIONS /{proxy+}', Target: `integrations/${i.IntegrationId}` }));
  const fixed = await invoke(server, id, { method: 'OPTIONS', path: '/orders', headers: { origin: 'https://app.example.com', ...preflight } });
  assert.equal(fixed.status, 200, 'now the OPTIONS route reaches the backend');
  assert.equal(fixed.headers['access-control-allow-origin'], 'https://app.example.com', "configured headers replace the backend's");
});

test("CORS on actual responses: configured headers replace the backend's when the request has Origin; none without Origin", async () => {
  const id = await api(CORS, [{ key: 'GET /items' }]);
  const withOrigin = await invoke(server, id, { path: '/items', headers: { origin: 'https://app.example.com' } });
  assert.equal(withOrigin.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(withOrigin.headers['access-control-allow-credentials'], 'true');
  assert.equal(withOrigin.headers['access-control-expose-headers'], 'x-total');
  assert.equal(withOrigin.headers['access-control-max-age'], undefined, "the backend's Access-Control-* headers are dropped");
  const stranger = await invoke(server, id, { path: '/items', headers: { origin: 'https://evil.example' } });
  assert.equal(stranger.headers['access-control-allow-origin'], undefined);
  const noOrigin = await invoke(server, id, { path: '/items' });
  assert.equal(noOrigin.headers['access-control-allow-origin'], 'https://backend-says.example', 'without Origin the gateway leaves the response alone');
  const notFound = await invoke(server, id, { path: '/nope', headers: { origin: 'https://app.example.com' } });
  assert.deepEqual([notFound.status, notFound.headers['access-control-allow-origin']], [404, 'https://app.example.com']);
});

test('throttling: per-route settings beat the stage default; burst then 429 {"message":"Too Many Requests"}; rate 0 blocks', async () => {
  const id = await api(undefined, [{ key: 'GET /limited' }, { key: 'GET /blocked' }, { key: 'GET /default' }], {
    DefaultRouteSettings: { ThrottlingBurstLimit: 3, ThrottlingRateLimit: 0.001 },
    RouteSettings: { 'GET /limited': { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 0.001 }, 'GET /blocked': { ThrottlingBurstLimit: 0, ThrottlingRateLimit: 0 } },
  });
  const statuses = async (path: string, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await invoke(server, id, { path })).status);
    return out;
  };
  assert.deepEqual(await statuses('/limited', 4), [200, 200, 429, 429]);
  assert.deepEqual(await statuses('/default', 5), [200, 200, 200, 429, 429]);
  const blocked = await invoke(server, id, { path: '/blocked' });
  assert.deepEqual([blocked.status, blocked.text, blocked.headers['content-type']], [429, '{"message":"Too Many Requests"}', 'application/json']);
  // Stage settings apply without a deployment.
  await gw.send(new G.UpdateStageCommand({ ApiId: id, StageName: '$default', RouteSettings: { 'GET /blocked': { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 100 } } }));
  assert.equal((await invoke(server, id, { path: '/blocked' })).status, 200);
});

test('the stage default limit is per route (routes do not share one budget); a default rate of 0 blocks even with a burst', async () => {
  const id = await api(undefined, [{ key: 'GET /a' }, { key: 'GET /b' }], { DefaultRouteSettings: { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 0.001 } });
  const statuses = async (path: string, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await invoke(server, id, { path })).status);
    return out;
  };
  assert.deepEqual(await statuses('/a', 3), [200, 200, 429]);
  assert.deepEqual(await statuses('/b', 3), [200, 200, 429], 'route B has its own budget');
  const zero = await api(undefined, [{ key: 'GET /z' }], { DefaultRouteSettings: { ThrottlingBurstLimit: 50, ThrottlingRateLimit: 0 } });
  assert.equal((await invoke(server, zero, { path: '/z' })).status, 429, 'rate 0 lets nothing through, burst or not');
});

test('account-level throttling (configurable, AWS default 10,000 rps / 5,000 burst) applies across APIs', async () => {
  const small = await startTestServer({ gatewayRateLimit: 0, gatewayBurstLimit: 2 });
  const g2 = new G.ApiGatewayV2Client(sdkConfig(small));
  try {
    const make = async () => (await g2.send(new G.CreateApiCommand({ Name: 'a', ProtocolType: 'HTTP', Target: backend.url }))).ApiId!;
    const [a, b] = [await make(), await make()];
    const codes = [(await invoke(small, a)).status, (await invoke(small, b)).status, (await invoke(small, a)).status];
    assert.deepEqual(codes, [200, 200, 429]);
  } finally {
    g2.destroy();
    await small.destroy();
  }
});

test('access logs: one line per request rendered from $context variables, in the log group of destinationArn', async () => {
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/aws/apigateway/access' }));
  const format =
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","path":"$context.path","stage":"$context.stage","len":"$context.responseLength","integ":"$context.integrationStatus","err":"$context.error.message","ua":"$context.identity.userAgent","nope":"$context.unknownThing"}';
  const id = await api(undefined, [{ key: 'GET /logged' }], {
    StageName: 'prod',
    AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/apigateway/access', Format: format },
  });
  const ok = await invoke(server, id, { path: '/prod/logged', headers: { 'user-agent': 'tester/1' } });
  const missing = await invoke(server, id, { path: '/prod/missing' });
  const noStage = await invoke(server, id, { path: '/nostage' });
  assert.equal(noStage.status, 404);
  const lines = await eventually(async () => {
    const r = await logs.send(new L.FilterLogEventsCommand({ logGroupName: '/aws/apigateway/access' }));
    return (r.events?.length ?? 0) >= 2 ? r.events!.map((e) => JSON.parse(e.message!) as Record<string, string>) : undefined;
  }, 'access log lines');
  assert.equal(lines.length, 2, 'no line for a request that found no stage');
  const first = lines.find((l) => l.requestId === ok.headers['apigw-requestid'])!;
  assert.deepEqual(first, {
    requestId: ok.headers['apigw-requestid'],
    ip: '127.0.0.1',
    method: 'GET',
    routeKey: 'GET /logged',
    status: '200',
    path: '/prod/logged',
    stage: 'prod',
    len: '2',
    integ: '200',
    err: '-',
    ua: 'tester/1',
    nope: '-',
  });
  const second = lines.find((l) => l.requestId === missing.headers['apigw-requestid'])!;
  assert.deepEqual([second.status, second.routeKey, second.err], ['404', '-', 'Not Found']);
  const streams = await logs.send(new L.DescribeLogStreamsCommand({ logGroupName: '/aws/apigateway/access' }));
  assert.deepEqual(
    streams.logStreams!.map((s) => s.logStreamName),
    [`${id}_prod`],
  );
});
