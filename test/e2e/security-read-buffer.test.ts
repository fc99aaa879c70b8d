// The edge reads every direct-read socket into one shared buffer (src/http1/socket-io.ts): a body
// chunk handed on from a read is valid only during that read. These tests send request bodies that
// span many reads through the gateway and check, byte for byte, that the backend receives exactly
// the client's body:
//   - an integration whose parameter mapping reads `$request.body` buffers the body before it is
//     forwarded (map-params.ts): every chunk it keeps must be a copy;
//   - a streamed body to a backend that does not read yet: the chunk waiting in the upstream
//     socket must not be overwritten by another client's bytes read meanwhile;
//   - a large backend answer to a client that does not read yet: the upstream client hands response
//     body chunks on as views of the shared buffer (client-connection.ts), and the chunk waiting in
//     the client's socket must not be overwritten by other reads meanwhile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as G from '@aws-sdk/client-apigatewayv2';
import { connect } from 'node:net';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { invoke, startBackend, type Backend } from '../support/gateway.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let echo: Backend;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  // Answers with the sha256 and length of the body it received.
  echo = await startBackend('hash', (_req, res, body) => {
    const out = `${createHash('sha256').update(body).digest('hex')} ${body.length}`;
    res.writeHead(200, { 'content-length': out.length }).end(out);
  });
});
after(async () => {
  gw.destroy();
  await echo.close();
  await server.destroy();
});

async function apiTo(uri: string, requestParameters?: Record<string, string>): Promise<string> {
  const id = (await gw.send(new G.CreateApiCommand({ Name: 'rb', ProtocolType: 'HTTP' }))).ApiId!;
  const i = await gw.send(
    new G.CreateIntegrationCommand({
      ApiId: id,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      IntegrationUri: uri,
      PayloadFormatVersion: '1.0',
      RequestParameters: requestParameters,
    }),
  );
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: '$default', Target: `integrations/${i.IntegrationId}` }));
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  return id;
}

/** Bytes that differ at every position of a 64 KiB window (an overwritten chunk cannot go unseen). */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = 97 + ((x >>> 0) % 26); // a–z: valid inside a JSON string
  }
  return b;
}

const hashOf = (b: Buffer) => `${createHash('sha256').update(b).digest('hex')} ${b.length}`;

test('a body buffered for a $request.body mapping reaches the backend byte for byte (many reads)', async () => {
  const api = await apiTo(echo.url, { 'append:header.x-name': '$request.body.name' });
  const body = Buffer.concat([Buffer.from('{"name":"n1","pad":"'), pattern(3 * 1024 * 1024, 7), Buffer.from('"}')]);
  const r = await invoke(server, api, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, hashOf(body));
  assert.equal(echo.received.at(-1)!.headers['x-name'], 'n1');
});

test("a streamed body waiting on a slow backend is not overwritten by other clients' reads", async () => {
  // The backend accepts but reads nothing until the other client's requests are done.
  const sockets: Socket[] = [];
  let accepted!: () => void;
  const acceptedOnce = new Promise<void>((r) => (accepted = r));
  const slow: Server = createServer({ pauseOnConnect: true }, (s) => {
    sockets.push(s);
    accepted();
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  try {
    const slowApi = await apiTo(`http://127.0.0.1:${(slow.address() as AddressInfo).port}`);
    const echoApi = await apiTo(echo.url);
    // 9 MB (under the 10 MB payload limit): more than loopback socket buffers hold, so the gateway's
    // upstream write stays pending while the backend does not read.
    const body = pattern(9 * 1024 * 1024, 11);
    const pending = invoke(server, slowApi, { method: 'PUT', body, timeoutMs: 60_000 });
    await acceptedOnce;
    // Another client's bodies, read by the edge into the same buffer meanwhile (bounded: 60 calls).
    const other = Buffer.alloc(60 * 1024, 'Z');
    for (let i = 0; i < 60; i++) assert.equal((await invoke(server, echoApi, { method: 'POST', body: other })).text, hashOf(other));
    // Now the backend reads the whole request and answers with the hash of its body.
    const s = sockets[0]!;
    const got = new Promise<string>((resolve) => {
      let buf = Buffer.alloc(0);
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        const headEnd = buf.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buf.subarray(0, headEnd).toString('latin1'))?.[1] ?? -1);
        if (buf.length - headEnd - 4 < length) return;
        const h = hashOf(buf.subarray(headEnd + 4, headEnd + 4 + length));
        s.end(`HTTP/1.1 200 OK\r\ncontent-length: ${h.length}\r\nconnection: close\r\n\r\n${h}`);
        resolve(h);
      });
    });
    s.resume();
    assert.equal(await got, hashOf(body), 'the backend received a different body');
    assert.equal((await pending).text, hashOf(body));
  } finally {
    for (const s of sockets) s.destroy();
    slow.close();
  }
});

test('a large answer to a client that does not read yet is not overwritten by other reads', async () => {
  const big = pattern(9 * 1024 * 1024, 13);
  const source = await startBackend('big', (_req, res) => res.writeHead(200, { 'content-length': big.length }).end(big));
  try {
    const bigApi = await apiTo(source.url);
    const echoApi = await apiTo(echo.url);
    // A raw client that sends its request and reads nothing until the other traffic is done.
    const s = connect(server.port, '127.0.0.1');
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.pause();
    s.write(`GET / HTTP/1.1\r\nHost: ${bigApi}.execute-api.localhost:${server.port}\r\nConnection: close\r\n\r\n`);
    // Wait until the backend answered (the gateway is then writing the body to the paused client).
    for (let i = 0; i < 200 && source.received.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(source.received.length, 1);
    const other = Buffer.alloc(60 * 1024, 'Z');
    for (let i = 0; i < 60; i++) assert.equal((await invoke(server, echoApi, { method: 'POST', body: other })).text, hashOf(other));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    s.resume();
    await closed;
    const all = Buffer.concat(chunks);
    const headEnd = all.indexOf('\r\n\r\n');
    assert.match(all.subarray(0, headEnd).toString('latin1'), /^HTTP\/1\.1 200 /);
    assert.equal(hashOf(all.subarray(headEnd + 4)), hashOf(big), 'the client received a different body');
  } finally {
    await source.close();
  }
});
