// The HTTP proxy itself: header rules (hop-by-hop dropped, X-Forwarded-*/Forwarded added), bodies
// streamed both ways, the 10 MB and 10 KB limits (413), timeouts and unreachable backends (503), and
// request/response parameter mapping. Real backends on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import * as G from '@aws-sdk/client-apigatewayv2';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { invoke, startBackend, type Backend } from '../support/gateway.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let echo: Backend;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  echo = await startBackend('echo');
});
after(async () => {
  gw.destroy();
  await echo.close();
  await server.destroy();
});

async function apiTo(uri: string, integration: Partial<G.CreateIntegrationCommandInput> = {}, routeKey = '$default'): Promise<string> {
  const id = (await gw.send(new G.CreateApiCommand({ Name: 'p', ProtocolType: 'HTTP' }))).ApiId!;
  const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: uri, ...integration }));
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: routeKey, Target: `integrations/${i.IntegrationId}` }));
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  return id;
}

test('request headers: hop-by-hop and Connection-listed dropped, Host rewritten, X-Forwarded-* / Forwarded / trace id added', async () => {
  const id = await apiTo(echo.url);
  const r = await invoke(server, id, {
    path: '/h',
    headers: {
      connection: 'keep-alive, x-secret-hop',
      'x-secret-hop': 'drop me',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      'x-keep': 'yes',
      authorization: 'Bearer abc',
      cookie: 'a=b',
      'x-forwarded-for': '10.0.0.9',
    },
  });
  const h = r.json<{ headers: Record<string, string> }>().headers;
  assert.equal(h['x-keep'], 'yes');
  assert.equal(h.authorization, 'Bearer abc', 'Authorization reaches the backend');
  assert.equal(h.cookie, 'a=b');
  for (const dropped of ['x-secret-hop', 'keep-alive', 'te']) assert.equal(h[dropped], undefined, dropped);
  assert.equal(h.host, `127.0.0.1:${echo.port}`, 'Host is the integration host');
  assert.equal(h['x-forwarded-for'], '10.0.0.9, 127.0.0.1');
  assert.equal(h['x-forwarded-proto'], 'http');
  assert.equal(h['x-forwarded-port'], String(server.port));
  assert.equal(h.forwarded, `by=127.0.0.1;for=127.0.0.1;host=${id}.execute-api.localhost:${server.port};proto=http`);
  assert.match(h['x-amzn-trace-id']!, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
});

test('request headers: the rest of the hop-by-hop names (Proxy-*, HTTP2-Settings) do not reach the backend', async () => {
  const id = await apiTo(echo.url);
  const r = await invoke(server, id, {
    path: '/h',
    headers: {
      'proxy-authorization': 'Basic cHJveHk6cHc=',
      'proxy-connection': 'keep-alive',
      'http2-settings': 'AAMAAABkAAQAAP__',
      'x-keep': 'yes',
    },
  });
  const h = r.json<{ headers: Record<string, string> }>().headers;
  assert.equal(h['x-keep'], 'yes');
  for (const dropped of ['proxy-authorization', 'proxy-connection', 'http2-settings']) {
    assert.equal(h[dropped], undefined, dropped);
  }
});

test('response headers: backend status and headers relayed, hop-by-hop dropped, apigw-requestid added', async () => {
  const b = await startBackend('resp', (_req, res) => {
    res.writeHead(
      201,
      [
        ['Connection', 'keep-alive, x-hop'],
        ['X-Hop', '1'],
        ['Keep-Alive', 'timeout=5'],
        ['Proxy-Authenticate', 'Basic'],
        ['X-Custom', 'v'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['Content-Type', 'text/plain'],
      ].flat(),
    );
    res.end('created');
  });
  try {
    const r = await invoke(server, await apiTo(b.url), { method: 'POST', path: '/' });
    assert.equal(r.status, 201);
    assert.equal(r.text, 'created');
    assert.equal(r.headers['x-custom'], 'v');
    assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(r.headers['x-hop'], undefined);
    assert.equal(r.headers['proxy-authenticate'], undefined);
    assert.notEqual(r.headers['keep-alive'], 'timeout=5', "the backend's Keep-Alive does not leak");
    assert.match(String(r.headers['apigw-requestid']), /^[A-Za-z0-9+/]{15}=$/);
  } finally {
    await b.close();
  }
});

test('bodies stream both ways: a 3 MB chunked upload and a 5 MB download arrive intact', async () => {
  const big = await startBackend('big', (req, res, body) => {
    if (req.method === 'POST') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(createHash('sha256').update(body).digest('hex'));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 80; i++) res.write(chunk);
    res.end();
  });
  try {
    const id = await apiTo(big.url);
    const upload = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < upload.length; i++) upload[i] = i % 251;
    const status = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: '/up', headers: { host: `${id}.execute-api.localhost`, 'transfer-encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      for (let off = 0; off < upload.length; off += 100_000) req.write(upload.subarray(off, off + 100_000));
      req.end();
    });
    assert.deepEqual(status, { status: 200, text: createHash('sha256').update(upload).digest('hex') });
    const down = await invoke(server, id, { path: '/down' });
    assert.equal(down.body.length, 80 * 64 * 1024);
    assert.ok(down.body.every((b) => b === 7));
  } finally {
    await big.close();
  }
});

test('limits: over 10 MB (declared or chunked) and over 10 KB of headers answer 413 {"message":"Request Entity Too Large"}', async () => {
  const id = await apiTo(echo.url);
  const before = echo.received.length;
  const declared = await invoke(server, id, { method: 'POST', path: '/', headers: { 'content-length': String(10 * 1024 * 1024 + 1) }, body: Buffer.alloc(64 * 1024) });
  assert.deepEqual([declared.status, declared.text], [413, '{"message":"Request Entity Too Large"}']);
  const chunked = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, method: 'PUT', path: '/', headers: { host: `${id}.execute-api.localhost`, 'transfer-encoding': 'chunked' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    const chunk = Buffer.alloc(1024 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < 12) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  assert.equal(chunked, 413);
  const headers = await invoke(server, id, { path: '/', headers: { 'x-big': 'v'.repeat(10_500) } });
  assert.deepEqual([headers.status, headers.text], [413, '{"message":"Request Entity Too Large"}']);
  assert.ok(echo.received.slice(before).every((r) => r.body.length <= 10 * 1024 * 1024));
});

test('integration timeout and unreachable backends answer 503 {"message":"Service Unavailable"}', async () => {
  const slow = await startBackend('slow', (_req, res) => setTimeout(() => res.end('late'), 1500));
  try {
    const id = await apiTo(slow.url, { TimeoutInMillis: 100 });
    const r = await invoke(server, id, { path: '/' });
    assert.deepEqual([r.status, r.text, r.headers['content-type']], [503, '{"message":"Service Unavailable"}', 'application/json']);
    const down = await apiTo('http://127.0.0.1:1');
    const d = await invoke(server, down, { path: '/' });
    assert.deepEqual([d.status, d.text], [503, '{"message":"Service Unavailable"}']);
  } finally {
    await slow.close();
  }
});

test('request parameter mapping: headers, query string and path; $request.body read from JSON', async () => {
  const id = await apiTo(echo.url, {
    RequestParameters: {
      'append:header.x-request-id': '$context.requestId',
      'overwrite:header.x-from-query': 'q=$request.querystring.q',
      'remove:header.x-remove': "''",
      'overwrite:querystring.page': '2',
      'remove:querystring.debug': "''",
      'append:header.x-user': '$request.body.user.name',
      'overwrite:path': '/mapped$request.path',
    },
  });
  const r = await invoke(server, id, {
    method: 'POST',
    path: '/orig?q=hello&debug=1&page=1',
    headers: { 'x-remove': 'x', 'content-type': 'application/json' },
    body: JSON.stringify({ user: { name: 'ann' } }),
  });
  const got = r.json<{ url: string; headers: Record<string, string>; body: string }>();
  assert.equal(got.url, '/mapped/orig?q=hello&page=2');
  assert.equal(got.headers['x-request-id'], r.headers['apigw-requestid']);
  assert.equal(got.headers['x-from-query'], 'q=hello');
  assert.equal(got.headers['x-remove'], undefined);
  assert.equal(got.headers['x-user'], 'ann');
  assert.equal(got.body, JSON.stringify({ user: { name: 'ann' } }), 'a buffered body still reaches the backend');
});

test('response parameter mapping per backend status: headers from $response.header / $response.body, overwrite:statuscode', async () => {
  const b = await startBackend('err', (req, res) => {
    if (req.url === '/fail') {
      res.writeHead(500, { 'content-type': 'application/json', 'x-origin': 'db' });
      res.end('{"error":{"code":"E42"}}');
      return;
    }
    res.writeHead(200, { 'x-origin': 'ok' });
    res.end('fine');
  });
  try {
    const id = await apiTo(b.url, {
      ResponseParameters: {
        '500': {
          'overwrite:statuscode': '503',
          'append:header.x-failed-in': '$response.header.x-origin',
          'overwrite:header.x-code': '$response.body.error.code',
          'remove:header.x-origin': "''",
        },
        '200': { 'append:header.x-stage': '$context.stage' },
      },
    });
    const fail = await invoke(server, id, { path: '/fail' });
    assert.equal(fail.status, 503);
    assert.equal(fail.headers['x-failed-in'], 'db');
    assert.equal(fail.headers['x-code'], 'E42');
    assert.equal(fail.headers['x-origin'], undefined);
    assert.equal(fail.text, '{"error":{"code":"E42"}}');
    const ok = await invoke(server, id, { path: '/ok' });
    assert.deepEqual([ok.status, ok.headers['x-stage'], ok.headers['x-origin'], ok.text], [200, '$default', 'ok', 'fine']);
  } finally {
    await b.close();
  }
});
