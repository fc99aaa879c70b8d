// The edge port's HTTP/1.1 handling under hostile or broken peers:
//   - a client uploading more than a limit reads the early 413 (the server closes lingering, as nginx
//     does) instead of failing with EPIPE/ECONNRESET: on the control plane, on the data plane after a
//     first request on the same keep-alive connection (served by the lean front, or by node:http once
//     the front handed the connection over), and on the built-in OIDC issuer's token endpoint; with a
//     raw socket, node's http client and curl; a client that keeps sending forever is still cut off;
//   - a backend that sends bytes after a bodiless answer (204, 304, the answer to HEAD): the client
//     gets the answer, and the backend connection is not reused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as ECS from '@aws-sdk/client-ecs';
import { NodeSha256 } from '../../src/protocol/node-sha256.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { invoke, startBackend, type Backend } from '../support/gateway.js';
import { RawClient } from '../support/raw-http.js';

const MiB = 1024 * 1024;
/** Over every limit on the port: 10 MB (data plane), 1 MiB (AWS JSON), 64 KiB (OIDC token). */
const BIG = 12 * MiB;
const DATA_PLANE_413 = '{"message":"Request Entity Too Large"}';
const OIDC_413 = '{"error":"invalid_request","error_description":"body too large"}';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let ecs: ECS.ECSClient;
let echo: Backend;
/** An API whose $default route proxies to `echo`, and its path-form prefix. */
let echoApi: string;
let P: string;
let tmp: string;
let bigFile: string;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  ecs = new ECS.ECSClient(sdkConfig(server));
  echo = await startBackend('echo', (_req, res) => res.writeHead(200, { 'content-length': 2 }).end('ok'));
  echoApi = await apiTo(echo.url);
  P = `/_aws/execute-api/${echoApi}/$default`;
  tmp = mkdtempSync(join(tmpdir(), 'wayfinder-http1-'));
  bigFile = join(tmp, 'big');
  writeFileSync(bigFile, Buffer.alloc(BIG, 'a'));
});
after(async () => {
  gw.destroy();
  ecs.destroy();
  await echo.close();
  await server.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

async function apiTo(uri: string): Promise<string> {
  const id = (await gw.send(new G.CreateApiCommand({ Name: 'h1', ProtocolType: 'HTTP' }))).ApiId!;
  const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: uri }));
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: '$default', Target: `integrations/${i.IntegrationId}` }));
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  return id;
}

// ---- the uploads ---------------------------------------------------------------------------------

/** A 12 MiB ECS CreateCluster body (valid JSON), and its SigV4-signed head as the SDK would sign it. */
const createClusterBody = (name: string) => Buffer.from(`{"clusterName":"${name}","settings":[],"padding":"${'a'.repeat(BIG - 60 - name.length)}"}`);

async function signedCreateCluster(name: string): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const body = createClusterBody(name);
  const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'ecs', sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: server.port,
    path: '/',
    query: {},
    headers: {
      host: `127.0.0.1:${server.port}`,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster',
      'content-length': String(body.length),
    },
    body,
  });
  return { headers: signed.headers as Record<string, string>, body };
}

function rawHead(method: string, path: string, headers: Record<string, string>): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  return head + '\r\n';
}

interface Upload {
  /** A first request on the same connection, answered before the upload (keep-alive). */
  first?: { method: string; path: string; headers?: Record<string, string> };
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

const uploads: Record<string, () => Promise<Upload & { expect: { status: number; body: string | RegExp } }>> = {
  '(a) control plane: a signed 12 MiB ECS CreateCluster': async () => {
    const { headers, body } = await signedCreateCluster('linger-a');
    return { method: 'POST', path: '/', headers, body, expect: { status: 413, body: /"__type":"RequestEntityTooLarge"/ } };
  },
  '(b) data plane after a data-plane request (the lean front serves both)': async () => ({
    first: { method: 'GET', path: `${P}/first` },
    method: 'POST',
    path: `${P}/big`,
    headers: { host: '127.0.0.1', 'content-length': String(BIG) },
    body: Buffer.alloc(BIG, 'b'),
    expect: { status: 413, body: DATA_PLANE_413 },
  }),
  '(b) data plane after a data-plane request, with a head over 16 KB (the lean front answers it itself)': async () => ({
    first: { method: 'GET', path: `${P}/first` },
    method: 'POST',
    path: `${P}/big-head`,
    headers: { host: '127.0.0.1', 'x-filler': 'f'.repeat(20 * 1024), 'content-length': String(BIG) },
    body: Buffer.alloc(BIG, 'b'),
    expect: { status: 413, body: DATA_PLANE_413 },
  }),
  '(b) data plane after a /_wayfinder request (node:http serves both)': async () => ({
    first: { method: 'GET', path: '/_wayfinder/health' },
    method: 'POST',
    path: `${P}/big`,
    headers: { host: '127.0.0.1', 'content-length': String(BIG) },
    body: Buffer.alloc(BIG, 'b'),
    expect: { status: 413, body: DATA_PLANE_413 },
  }),
  '(c) the OIDC token endpoint': async () => ({
    method: 'POST',
    path: '/_wayfinder/oidc/token',
    headers: { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': String(BIG) },
    body: Buffer.alloc(BIG, ' '),
    expect: { status: 413, body: OIDC_413 },
  }),
};

function assertBody(actual: string, expected: string | RegExp, what: string): void {
  if (typeof expected === 'string') assert.equal(actual, expected, what);
  else assert.match(actual, expected, what);
}

/** Nothing of an upload reached anyone: no cluster, the echo backend saw only first requests. */
async function assertNothingChanged(backendRequestsBefore: number, firsts: number): Promise<void> {
  const clusters = await ecs.send(new ECS.ListClustersCommand({}));
  assert.ok(!clusters.clusterArns?.some((a) => a.endsWith('/linger-a')), 'no cluster was created');
  const seen = echo.received.slice(backendRequestsBefore);
  assert.equal(seen.length, firsts, 'the backend saw only the first requests');
  assert.ok(
    seen.every((r) => r.url.endsWith('/first')),
    'no upload reached the backend',
  );
}

/** The echo backend's count of first requests an upload makes (the data-plane one only). */
const firstsToEcho = (u: Upload) => (u.first?.path.startsWith(P) ? 1 : 0);

for (const [what, make] of Object.entries(uploads)) {
  test(`raw socket, headers and body in one go: ${what}: the client reads the whole 413, never a RST`, { timeout: 120_000 }, async () => {
    const u = await make();
    const before = echo.received.length;
    const c = new RawClient(server.port);
    const errors: string[] = [];
    c.socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    try {
      if (u.first) {
        await c.write(rawHead(u.first.method, u.first.path, { host: '127.0.0.1', ...u.first.headers }));
        const [r] = await c.waitResponses(1);
        assert.equal(r!.status, 200, `${what}: the first request`);
      }
      // Headers and the whole body in one write: the client is still sending when the answer comes.
      await c.write(Buffer.concat([Buffer.from(rawHead(u.method, u.path, u.headers), 'latin1'), u.body]));
      await c.waitClosed(60_000);
      const answers = c.responses.length;
      assert.equal(answers, u.first ? 2 : 1, `${what}: every answer was read (rest: ${JSON.stringify(c.rest.slice(0, 200))})`);
      const last = c.responses[answers - 1]!;
      assert.equal(last.status, u.expect.status, what);
      assertBody(last.text, u.expect.body, what);
      assert.equal(last.header('connection')?.toLowerCase(), 'close', `${what}: the answer says the connection closes`);
      assert.deepEqual(errors, [], `${what}: no EPIPE/ECONNRESET`);
    } finally {
      c.destroy();
    }
    await assertNothingChanged(before, firstsToEcho(u));
  });
}

/** node's http client: one keep-alive socket, so a first request and the upload share it. */
function nodeRequest(
  agent: Agent,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; text: string; reused: boolean; errors: string[]; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const errors: string[] = [];
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers, agent }, (res) => {
      const socket = res.socket;
      const closed = socket.destroyed ? Promise.resolve() : new Promise<void>((r) => socket.once('close', () => r()));
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), reused: req.reusedSocket, errors, closed }));
      res.on('error', reject);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      errors.push(e.code ?? e.message);
      reject(e);
    });
    req.setTimeout(60_000, () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}

for (const [what, make] of Object.entries(uploads)) {
  test(`node's http client: ${what}: it gets the 413, no EPIPE/ECONNRESET`, { timeout: 120_000 }, async () => {
    const u = await make();
    const before = echo.received.length;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { 'content-length': _length, host: _host, ...headers } = u.headers;
      if (u.first) assert.equal((await nodeRequest(agent, u.first.method, u.first.path, u.first.headers ?? {})).status, 200, `${what}: the first request`);
      const r = await nodeRequest(agent, u.method, u.path, headers, u.body);
      assert.equal(r.status, u.expect.status, what);
      assertBody(r.text, u.expect.body, what);
      if (u.first) assert.ok(r.reused, `${what}: the upload went on the first request's connection`);
      await r.closed;
      assert.deepEqual(r.errors, [], `${what}: no EPIPE/ECONNRESET`);
    } finally {
      agent.destroy();
    }
    await assertNothingChanged(before, firstsToEcho(u));
  });
}

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', args, { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }));
  });
}

const curlMissing = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0 ? false : 'curl is not installed';

test('an oversized upload with curl: it gets the 413 and exits cleanly', { timeout: 120_000, skip: curlMissing }, async () => {
  const base = `http://127.0.0.1:${server.port}`;
  // -H 'Expect:': no 100-continue wait, so curl is sending the body when the answer comes.
  const upload = ['-sS', '-H', 'Expect:', '--data-binary', `@${bigFile}`, '-w', '\\n%{http_code}\\n'];
  const a = await curl([...upload, '-H', 'content-type: application/x-amz-json-1.1', '-H', 'x-amz-target: AmazonEC2ContainerServiceV20141113.ListClusters', `${base}/`]);
  assert.equal(a.code, 0, `(a) curl: ${a.stderr}`);
  assert.match(a.stdout, /"__type":"RequestEntityTooLarge".*\n413\n$/s, '(a)');
  // --next: the second transfer reuses the first one's connection.
  for (const first of [`${base}${P}/first`, `${base}/_wayfinder/health`]) {
    const b = await curl(['-sS', '-o', '/dev/null', first, '--next', ...upload, `${base}${P}/big`]);
    assert.equal(b.code, 0, `(b) curl after ${first}: ${b.stderr}`);
    assert.equal(b.stdout, `${DATA_PLANE_413}\n413\n`, `(b) after ${first}`);
  }
  const c = await curl([...upload, '-H', 'content-type: application/json', `${base}/_wayfinder/oidc/token`]);
  assert.equal(c.code, 0, `(c) curl: ${c.stderr}`);
  assert.equal(c.stdout, `${OIDC_413}\n413\n`, '(c)');
});

/** A raw client that keeps sending after the server's FIN (allowHalfOpen), up to `cap` bytes. */
async function sendForever(head: string, cap: number): Promise<{ sent: number; received: string; cutOff: boolean }> {
  const socket: Socket = connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
  let received = '';
  let failed = false;
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => (failed = true));
  await new Promise((r) => socket.once('connect', r));
  socket.write(head);
  const chunk = Buffer.alloc(256 * 1024, 'z');
  let sent = 0;
  while (sent < cap && !failed && !socket.destroyed) {
    sent += chunk.length;
    if (!socket.write(chunk)) await drainedOrClosed(socket);
  }
  socket.destroy();
  return { sent, received, cutOff: failed };
}

test('a client that keeps sending after the 413 is cut off by the lingering bound, on the front and on node:http', { timeout: 120_000 }, async () => {
  const CAP = 1024 * MiB; // bounded: the 64 MiB lingering bound cuts it long before
  const cases: [string, string, string][] = [
    ['the lean front (data plane)', `POST ${P}/forever HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${BIG}\r\n\r\n`, DATA_PLANE_413],
    ['node:http (OIDC token)', `POST /_wayfinder/oidc/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${BIG}\r\n\r\n`, OIDC_413],
  ];
  for (const [what, head, body] of cases) {
    const r = await sendForever(head, CAP);
    assert.ok(r.cutOff && r.sent < CAP, `${what}: cut off (sent ${r.sent} bytes)`);
    assert.match(r.received, /^HTTP\/1\.1 413 /, `${what}: the 413 came first`);
    assert.ok(r.received.endsWith(body), `${what}: the whole 413`);
  }
  // The server is healthy: both paths still answer.
  assert.equal((await invoke(server, echoApi, { path: '/after' })).status, 200);
  const health = await fetch(`http://127.0.0.1:${server.port}/_wayfinder/health`);
  assert.equal(health.status, 200);
});

// ---- bytes after a bodiless answer ----------------------------------------------------------------

/** A backend on a raw socket that answers every request head with `answer` (one write), counting connections. */
async function rawBackend(answer: string): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        buf = buf.slice(end + 4); // the requests here have no body
        s.write(answer);
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

/** One data-plane request; unlike `invoke`, a connection dropped without an answer is an error. */
function invokeStrict(apiId: string, method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers: { host: `${apiId}.execute-api.localhost:${server.port}` }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('timed out')));
    req.end();
  });
}

test('a backend that sends bytes after a 204, a 304 or an answer to HEAD: the client gets the answer, the backend connection is not reused', { timeout: 60_000 }, async () => {
  const cases: [string, string, string, number][] = [
    ['204 with Content-Length: 5 and a body', 'GET', 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello', 204],
    ['204 without a length, bytes after it', 'GET', 'HTTP/1.1 204 No Content\r\n\r\nhello', 204],
    ['304 with a body', 'GET', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello', 304],
    ['a body after the answer to HEAD', 'HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', 200],
  ];
  for (const [what, method, answer, status] of cases) {
    const backend = await rawBackend(answer);
    try {
      const id = await apiTo(backend.url);
      for (const n of [1, 2]) {
        const r = await invokeStrict(id, method, `/r${n}`);
        assert.equal(r.status, status, `${what}: request ${n}`);
        assert.equal(r.body.length, 0, `${what}: request ${n} has no body`);
        if (status === 204) assert.equal(r.headers['content-length'], undefined, `${what}: a 204 carries no Content-Length`);
        assert.equal(backend.connections(), n, `${what}: request ${n} went on a new backend connection`);
      }
    } finally {
      await backend.close();
    }
  }
});

function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
