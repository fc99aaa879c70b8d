// The data plane's routing: AWS's worked example, stage selection, `$default` path appending vs
// explicit-route substitution, greedy {proxy+}, deployments freezing configuration, the three ways
// in (execute-api Host, path form, custom domain) and the route explainer. Real backends on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as G from '@aws-sdk/client-apigatewayv2';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { invoke, send, startBackend, type Backend } from '../support/gateway.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let backend: Backend;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  backend = await startBackend('b');
});
after(async () => {
  gw.destroy();
  await backend.close();
  await server.destroy();
});

async function newApi(name: string, extra: Partial<G.CreateApiCommandInput> = {}): Promise<string> {
  return (await gw.send(new G.CreateApiCommand({ Name: name, ProtocolType: 'HTTP', ...extra }))).ApiId!;
}

async function route(apiId: string, routeKey: string, uri: string, method = 'ANY'): Promise<string> {
  const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: method, IntegrationUri: uri }));
  return (await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${i.IntegrationId}` }))).RouteId!;
}

/** The path the backend saw. */
async function seen(apiId: string, method: string, path: string, host?: string): Promise<string> {
  const r = await invoke(server, apiId, { method, path, host });
  assert.equal(r.status, 200, `${method} ${path} → ${r.status} ${r.text}`);
  return r.json<{ url: string }>().url;
}

test("AWS's worked routing example: each request reaches the documented route", async () => {
  const id = await newApi('worked');
  await route(id, 'GET /pets/dog/1', `${backend.url}/route1`);
  await route(id, 'GET /pets/dog/{id}', `${backend.url}/route2/{id}`);
  await route(id, 'GET /pets/{proxy+}', `${backend.url}/route3/{proxy}`);
  await route(id, 'ANY /{proxy+}', `${backend.url}/route4/{proxy}`);
  await route(id, '$default', `${backend.url}/route5`);
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  assert.equal(await seen(id, 'GET', '/pets/dog/1'), '/route1');
  assert.equal(await seen(id, 'GET', '/pets/dog/2'), '/route2/2');
  assert.equal(await seen(id, 'GET', '/pets/cat/1'), '/route3/cat/1');
  assert.equal(await seen(id, 'POST', '/test/5'), '/route4/test/5');
  assert.equal(await seen(id, 'GET', '/'), '/route5/', '$default appends the request path');

  const why = await send(server.port, { host: `127.0.0.1:${server.port}`, path: `/_wayfinder/gateway/explain?apiId=${id}&method=GET&path=${encodeURIComponent('/pets/dog/2')}` });
  const body = why.json<{ selected: { routeKey: string; matchType: string; beats: string[] }; routes: Array<{ routeKey: string; matches: boolean; reason: string }> }>();
  assert.equal(body.selected.routeKey, 'GET /pets/dog/{id}');
  assert.equal(body.selected.matchType, 'full');
  assert.ok(
    body.selected.beats.some((b) => /full match beats a greedy match/.test(b)),
    body.selected.beats.join('; '),
  );
  assert.match(body.routes.find((r) => r.routeKey === 'GET /pets/dog/1')!.reason, /literal '1' does not match '2'/);
  const undecodable = await send(server.port, {
    host: `127.0.0.1:${server.port}`,
    path: `/_wayfinder/gateway/explain?apiId=${id}&method=GET&path=${encodeURIComponent('/%E0/x')}`,
  });
  assert.equal(undecodable.status, 200, undecodable.text); // a bad percent-escape is explained, not a 500
});

test('stage selection: a named stage by first segment, $default otherwise, 404 without $default; stage prefix forwarded only as AWS does', async () => {
  const id = await newApi('stages');
  await route(id, 'GET /hello', `${backend.url}/hello-route`);
  await route(id, '$default', backend.url);
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: 'prod', AutoDeploy: true }));
  assert.equal(await seen(id, 'GET', '/prod/hello'), '/hello-route');
  assert.equal(await seen(id, 'GET', '/prod/other/x?q=1&q=2'), '/other/x?q=1&q=2', 'the stage is removed before $default appends the path; the query is forwarded');
  const none = await invoke(server, id, { path: '/hello' });
  assert.deepEqual([none.status, none.text, none.headers['content-type']], [404, '{"message":"Not Found"}', 'application/json']);
  assert.match(String(none.headers['apigw-requestid']), /^[A-Za-z0-9+/]{15}=$/);
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  assert.equal(await seen(id, 'GET', '/hello'), '/hello-route');
  assert.equal(await seen(id, 'GET', '/production/hello'), '/production/hello', 'a first segment that names no stage stays in the path');
  // Path form: /_aws/execute-api/{apiId}/{stage or $default}/…
  const viaPath = await send(server.port, { host: `127.0.0.1:${server.port}`, path: `/_aws/execute-api/${id}/prod/hello` });
  assert.equal(viaPath.json<{ url: string }>().url, '/hello-route');
  const viaDefault = await send(server.port, { host: `localhost:${server.port}`, path: `/_aws/execute-api/${id}/$default/x/y` });
  assert.equal(viaDefault.json<{ url: string }>().url, '/x/y');
  const unknown = await invoke(server, 'abcdefghij', { path: '/' });
  assert.deepEqual([unknown.status, unknown.text], [404, '{"message":"Not Found"}']);
});

test('HTTP_PROXY URLs: explicit routes substitute {var}/{proxy}/stage variables and do not append the path', async () => {
  const id = await newApi('urls');
  await route(id, 'GET /pets/{id}', `${backend.url}/animals/{id}?kind=pet`);
  await route(id, 'GET /fixed', `${backend.url}/exact`);
  await route(id, 'ANY /files/{proxy+}', `${backend.url}/store/{proxy}`);
  await route(id, 'GET /env', 'http://${stageVariables.target}/from-stage');
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true, StageVariables: { target: `127.0.0.1:${backend.port}` } }));
  assert.equal(await seen(id, 'GET', '/pets/7?x=1'), '/animals/7?kind=pet&x=1');
  assert.equal(await seen(id, 'GET', '/pets/a%20b'), '/animals/a%20b?kind=pet', 'variables keep the encoding the client sent');
  assert.equal(await seen(id, 'GET', '/fixed'), '/exact');
  assert.equal(await seen(id, 'PUT', '/files/a/b/c.txt'), '/store/a/b/c.txt');
  const noSegment = await invoke(server, id, { path: '/files' });
  assert.equal(noSegment.status, 404, 'a greedy variable needs at least one segment');
  assert.equal(await seen(id, 'GET', '/env'), '/from-stage');
  // Stage variables are live without a deployment.
  await gw.send(new G.UpdateStageCommand({ ApiId: id, StageName: '$default', StageVariables: { target: '127.0.0.1:1' } }));
  const moved = await invoke(server, id, { path: '/env' });
  assert.deepEqual([moved.status, moved.text], [503, '{"message":"Service Unavailable"}']);
  // A value that renders no valid URL is the integration's error: AWS's 500, and the next request still works.
  await gw.send(new G.UpdateStageCommand({ ApiId: id, StageName: '$default', StageVariables: { target: 'a:b:c' } }));
  const broken = await invoke(server, id, { path: '/env' });
  assert.deepEqual([broken.status, broken.text], [500, '{"message":"Internal Server Error"}']);
  // Only the stage's own variables exist: `${stageVariables.constructor}` is unset (renders http:///x).
  await route(id, 'GET /proto', 'http://${stageVariables.constructor}/x');
  const proto = await invoke(server, id, { path: '/proto' });
  assert.deepEqual([proto.status, proto.text], [500, '{"message":"Internal Server Error"}']);
  assert.equal(await seen(id, 'GET', '/fixed'), '/exact');
});

test('a deployment freezes the configuration: edits are invisible until the next CreateDeployment', async () => {
  const id = await newApi('frozen');
  const other = await startBackend('other');
  try {
    const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
    await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /v', Target: `integrations/${i.IntegrationId}` }));
    await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default' }));
    assert.equal((await invoke(server, id, { path: '/v' })).status, 404, 'a stage without a deployment serves nothing');
    await gw.send(new G.CreateDeploymentCommand({ ApiId: id, StageName: '$default' }));
    assert.equal((await invoke(server, id, { path: '/v' })).json<{ name: string }>().name, 'b');
    await gw.send(new G.UpdateIntegrationCommand({ ApiId: id, IntegrationId: i.IntegrationId, IntegrationUri: other.url }));
    await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /new', Target: `integrations/${i.IntegrationId}` }));
    assert.equal((await invoke(server, id, { path: '/v' })).json<{ name: string }>().name, 'b', 'still the deployed integration');
    assert.equal((await invoke(server, id, { path: '/new' })).status, 404, 'an undeployed route does not exist yet');
    await gw.send(new G.CreateDeploymentCommand({ ApiId: id, StageName: '$default' }));
    assert.equal((await invoke(server, id, { path: '/v' })).json<{ name: string }>().name, 'other');
    assert.equal((await invoke(server, id, { path: '/new' })).status, 200);
  } finally {
    await other.close();
  }
});

test('routes without integrations answer 404, disabled execute-api endpoints 403, Lambda integrations an honest 500', async () => {
  const id = await newApi('edges');
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /bare' }));
  const l = await gw.send(
    new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:f', PayloadFormatVersion: '2.0' }),
  );
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /lambda', Target: `integrations/${l.IntegrationId}` }));
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  const bare = await invoke(server, id, { path: '/bare' });
  assert.deepEqual([bare.status, bare.text], [404, '{"message":"Not Found"}']);
  const lambda = await invoke(server, id, { path: '/lambda' });
  assert.deepEqual([lambda.status, lambda.text], [500, '{"message":"Internal Server Error"}']);
  assert.match(String(lambda.headers['x-wayfinder-error']), /Lambda/);
  await gw.send(new G.UpdateApiCommand({ ApiId: id, DisableExecuteApiEndpoint: true }));
  const off = await invoke(server, id, { path: '/bare' });
  assert.deepEqual([off.status, off.text], [403, '{"message":"Forbidden"}']);
  // Without auto-deploy the setting waits for a deployment, like every API-level change.
  const manual = await newApi('manual');
  await gw.send(new G.CreateRouteCommand({ ApiId: manual, RouteKey: 'GET /bare' }));
  await gw.send(new G.CreateStageCommand({ ApiId: manual, StageName: '$default' }));
  await gw.send(new G.CreateDeploymentCommand({ ApiId: manual, StageName: '$default' }));
  await gw.send(new G.UpdateApiCommand({ ApiId: manual, DisableExecuteApiEndpoint: true }));
  assert.equal((await invoke(server, manual, { path: '/bare' })).status, 404, 'still the deployed configuration');
  await gw.send(new G.CreateDeploymentCommand({ ApiId: manual, StageName: '$default' }));
  assert.equal((await invoke(server, manual, { path: '/bare' })).status, 403);
});

test('custom domains: Host + the longest mapping key select API and stage; the key is removed from the path', async () => {
  const a = await newApi('orders');
  await route(a, '$default', `${backend.url}/orders-api`);
  await gw.send(new G.CreateStageCommand({ ApiId: a, StageName: 'live', AutoDeploy: true }));
  const b = await newApi('root');
  await route(b, '$default', `${backend.url}/root-api`);
  await gw.send(new G.CreateStageCommand({ ApiId: b, StageName: '$default', AutoDeploy: true }));
  await gw.send(new G.CreateDomainNameCommand({ DomainName: 'shop.example.com' }));
  await gw.send(new G.CreateApiMappingCommand({ DomainName: 'shop.example.com', ApiId: a, Stage: 'live', ApiMappingKey: 'v1/orders' }));
  await gw.send(new G.CreateApiMappingCommand({ DomainName: 'shop.example.com', ApiId: b, Stage: '$default' }));
  const host = `shop.example.com:${server.port}`;
  assert.equal(await seen(a, 'GET', '/v1/orders/42', host), '/orders-api/42');
  assert.equal(await seen(a, 'GET', '/v1/other', host), '/root-api/v1/other');
  const unknown = await send(server.port, { host: `nope.example.com:${server.port}`, path: '/' });
  assert.equal(unknown.headers['apigw-requestid'], undefined, 'an unknown host is not the data plane');
});

test('a REQUEST (Lambda) authorizer route: a missing or empty identity source is 401 without calling it; otherwise an honest 500', async () => {
  const id = await newApi('lambda-auth');
  const auth = await gw.send(
    new G.CreateAuthorizerCommand({
      ApiId: id,
      Name: 'keys',
      AuthorizerType: 'REQUEST',
      AuthorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.X-Key'],
    }),
  );
  const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
  await gw.send(
    new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /secret', Target: `integrations/${i.IntegrationId}`, AuthorizationType: 'CUSTOM', AuthorizerId: auth.AuthorizerId }),
  );
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  const missing = await invoke(server, id, { path: '/secret' });
  assert.deepEqual([missing.status, missing.text], [401, '{"message":"Unauthorized"}']);
  const empty = await invoke(server, id, { path: '/secret', headers: { 'x-key': '' } });
  assert.deepEqual([empty.status, empty.text], [401, '{"message":"Unauthorized"}']);
  const given = await invoke(server, id, { path: '/secret', headers: { 'x-key': 'k' } });
  assert.deepEqual([given.status, given.text], [500, '{"message":"Internal Server Error"}']);
});
