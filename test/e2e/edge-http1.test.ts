// The edge port's lean HTTP/1.1 front, on raw sockets against a real server: request smuggling and
// bad framing refused (400, connection closed, nothing reaches the backend), limits, pipelined
// requests answered in order, data-plane / AWS / /_wayfinder requests mixed on one keep-alive
// connection in any order, and slow clients cut by the headers timeout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { SignatureV4 } from '@smithy/signature-v4';
import * as G from '@aws-sdk/client-apigatewayv2';
import { NodeSha256 } from '../../src/protocol/node-sha256.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { startBackend, type Backend } from '../support/gateway.js';
import { RawClient } from '../support/raw-http.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let echo: Backend;
/** The path-form prefix of an API whose $default route proxies to `echo`. */
let P: string;

before(async () => {
  server = await startTestServer({ headersTimeoutMs: 400 });
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  // Answers with the path and body it got; /slow… paths answer after 200 ms.
  echo = await startBackend('echo', (req, res, body) => {
    const out = `${req.method} ${req.url} ${body.toString('latin1')}`;
    const send = () => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(out) }).end(out);
    if (req.url?.includes('/slow')) setTimeout(send, 200);
    else send();
  });
  const id = (await gw.send(new G.CreateApiCommand({ Name: 'edge', ProtocolType: 'HTTP' }))).ApiId!;
  const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: echo.url }));
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: '$default', Target: `integrations/${i.IntegrationId}` }));
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  P = `/_aws/execute-api/${id}/$default`;
});
after(async () => {
  gw.destroy();
  await echo.close();
  await server.destroy();
});

const get = (path: string, extra = '') => `GET ${P}${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;

/** A signed apigatewayv2 GetApis as raw bytes (the SDK's own signer). */
async function signedGetApis(): Promise<string> {
  const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'apigateway', sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: server.port,
    path: '/v2/apis',
    query: {},
    headers: { host: `127.0.0.1:${server.port}` },
  });
  let head = 'GET /v2/apis HTTP/1.1\r\n';
  for (const [k, v] of Object.entries(signed.headers)) head += `${k}: ${v}\r\n`;
  return head + '\r\n';
}

async function refused(bytes: string): Promise<{ status: number; closed: boolean }> {
  const c = new RawClient(server.port);
  try {
    await c.write(bytes);
    const [r] = await c.waitResponses(1);
    await c.waitClosed();
    return { status: r!.status, closed: c.closed };
  } finally {
    c.destroy();
  }
}

test('smuggling and bad framing: 400, the connection closes, nothing reaches the backend', async () => {
  const before = echo.received.length;
  const cases: [string, string][] = [
    [
      'Content-Length with Transfer-Encoding',
      `POST ${P}/s1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET ${P}/smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n`,
    ],
    ['two different Content-Length values', `POST ${P}/s2 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde`],
    ['a Content-Length list', `POST ${P}/s3 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3, 3\r\n\r\nabc`],
    ['a negative Content-Length', `POST ${P}/s4 HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n`],
    ['obs-fold', `GET ${P}/s5 HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n\r\n`],
    ['whitespace before the colon', `GET ${P}/s6 HTTP/1.1\r\nHost: localhost\r\nX-Space : a\r\n\r\n`],
    ['bare LF line ends', `GET ${P}/s7 HTTP/1.1\nHost: localhost\n\n`],
    ['a bare LF after one header', `GET ${P}/s8 HTTP/1.1\r\nHost: localhost\nX: b\r\n\r\n`],
    ['NUL in a header value', `GET ${P}/s9 HTTP/1.1\r\nHost: localhost\r\nX: a\0b\r\n\r\n`],
    ['a space in the request-target', `GET ${P}/s10 x HTTP/1.1\r\nHost: localhost\r\n\r\n`],
    ['Transfer-Encoding: chunked not last', `POST ${P}/s11 HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`],
  ];
  for (const [what, bytes] of cases) assert.deepEqual(await refused(bytes), { status: 400, closed: true }, what);
  assert.deepEqual(
    echo.received.slice(before).map((r) => r.url),
    [],
    'no request reached the backend',
  );
});

test('a bad chunk size inside a claimed request: 400, closed, and the backend never gets a complete body', async () => {
  const before = echo.received.length;
  const bytes = `POST ${P}/chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nGET ${P}/smuggled HTTP/1.1\r\n\r\n`;
  assert.deepEqual(await refused(bytes), { status: 400, closed: true });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    echo.received.slice(before).map((r) => r.url),
    [],
  );
});

test('transfer codings other than chunked answer 501, an Expect other than 100-continue 417', async () => {
  assert.deepEqual(await refused(`POST ${P}/gz HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`), { status: 501, closed: true });
  assert.deepEqual(await refused(`POST ${P}/ex HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\nContent-Length: 0\r\n\r\n`), { status: 417, closed: true });
});

test('heads over the hard limit: AWS 413 for the data plane, 431 elsewhere; over 10 KB: the gateway 413', async () => {
  const big = 'x'.repeat(20_000);
  for (const [bytes, status] of [
    [`GET ${P}/big HTTP/1.1\r\nHost: localhost\r\nX-Big: ${big}\r\n\r\n`, 413],
    [`GET /big HTTP/1.1\r\nHost: abcdefghij.execute-api.localhost\r\nX-Big: ${big}\r\n\r\n`, 413],
    [`GET /_wayfinder/health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${big}\r\n\r\n`, 431],
    [`GET /${big} HTTP/1.1\r\nHost: localhost\r\n\r\n`, 431],
  ] as const) {
    const c = new RawClient(server.port);
    try {
      await c.write(bytes);
      const [r] = await c.waitResponses(1);
      assert.equal(r!.status, status);
      if (status === 413) assert.equal(r!.text, '{"message":"Request Entity Too Large"}');
      await c.waitClosed();
    } finally {
      c.destroy();
    }
  }
  const c = new RawClient(server.port);
  try {
    await c.write(get('/mid', `X-Big: ${'y'.repeat(10_500)}\r\n`));
    const [r] = await c.waitResponses(1);
    assert.deepEqual([r!.status, r!.text], [413, '{"message":"Request Entity Too Large"}']);
  } finally {
    c.destroy();
  }
});

test('pipelined requests are answered in order, bodies included, even when the first one is slow', async () => {
  const c = new RawClient(server.port);
  try {
    await c.write(
      get('/slow-1') +
        `POST ${P}/b HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello` +
        `POST ${P}/c HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n` +
        `\r\n` + // an empty line between messages is allowed
        get('/slow-2') +
        get('/e'),
    );
    const rs = await c.waitResponses(5);
    assert.deepEqual(
      rs.map((r) => [r.status, r.text]),
      [
        [200, 'GET /slow-1 '],
        [200, 'POST /b hello'],
        [200, 'POST /c abcde'],
        [200, 'GET /slow-2 '],
        [200, 'GET /e '],
      ],
    );
    assert.equal(c.closed, false, 'the connection stays open');
  } finally {
    c.destroy();
  }
});

test('requests cut into pieces at every byte boundary of the head and body still parse', async () => {
  const req = `POST ${P}/pieces HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n` + get('/after');
  const c = new RawClient(server.port);
  try {
    for (let i = 0; i < req.length; i += 7) {
      await c.write(req.slice(i, i + 7));
      await new Promise((r) => setTimeout(r, 1));
    }
    const rs = await c.waitResponses(2);
    assert.deepEqual(
      rs.map((r) => r.text),
      ['POST /pieces abcd', 'GET /after '],
    );
  } finally {
    c.destroy();
  }
});

test('a Content-Length body after a head read in one piece is cut at its length, never parsed as a request', async () => {
  // Such heads are read without llhttp (simple-request-head.ts), and so are their bodies: a body that
  // looks like a request must reach the handler as body bytes, whether it comes in pieces or with the
  // head, and whether the handler reads it or answers before it.
  const before = echo.received.length;
  const inner = `GET ${P}/smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n`;
  const c = new RawClient(server.port);
  try {
    await c.write(`POST ${P}/pieces-cl HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${inner.length}\r\n\r\n`);
    for (let i = 0; i < inner.length; i += 5) {
      await c.write(inner.slice(i, i + 5));
      await new Promise((r) => setTimeout(r, 1));
    }
    await c.write(get('/after-pieces'));
    // An API that does not exist is answered before its body is read; the body is skipped, not parsed.
    await c.write(`POST /_aws/execute-api/nope123456/$default/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${inner.length}\r\n\r\n${inner}${get('/after-early')}`);
    const rs = await c.waitResponses(4);
    assert.deepEqual(
      rs.map((r) => [r.status, r.text.startsWith('{') ? 'json' : r.text]),
      [
        [200, `POST /pieces-cl ${inner}`],
        [200, 'GET /after-pieces '],
        [404, 'json'],
        [200, 'GET /after-early '],
      ],
    );
    assert.equal(c.closed, false, 'the connection stays open');
  } finally {
    c.destroy();
  }
  assert.deepEqual(
    echo.received.slice(before).map((r) => r.url),
    ['/pieces-cl', '/after-pieces', '/after-early'],
  );
});

test('one keep-alive connection mixes data-plane, AWS and /_wayfinder requests, one by one or pipelined', async () => {
  const aws = await signedGetApis();
  const health = 'GET /_wayfinder/health HTTP/1.1\r\nHost: localhost\r\n\r\n';
  const check = (rs: { status: number; text: string }[], kinds: string[]) => {
    assert.equal(rs.length, kinds.length);
    rs.forEach((r, i) => {
      assert.equal(r.status, 200, `${kinds[i]} #${i}: ${r.text.slice(0, 200)}`);
      if (kinds[i] === 'data') assert.match(r.text, /^GET \/d\d /);
      if (kinds[i] === 'aws') assert.ok(JSON.parse(r.text).items, 'GetApis answered');
      if (kinds[i] === 'health') assert.equal(JSON.parse(r.text).status, 'ok');
    });
  };
  // One at a time: the front serves the first, node:http everything from the AWS call on.
  const c = new RawClient(server.port);
  try {
    const kinds = ['data', 'aws', 'health', 'data', 'aws'];
    for (let i = 0; i < kinds.length; i++) {
      await c.write(kinds[i] === 'data' ? get(`/d${i}`) : kinds[i] === 'aws' ? aws : health);
      await c.waitResponses(i + 1);
    }
    check(c.responses, kinds);
  } finally {
    c.destroy();
  }
  // Pipelined in one write, in several orders: the hand-over happens inside a buffer.
  for (const kinds of [
    ['data', 'data', 'aws', 'data', 'health'],
    ['aws', 'data', 'health', 'data'],
    ['health', 'data'],
  ]) {
    const p = new RawClient(server.port);
    try {
      await p.write(kinds.map((k, i) => (k === 'data' ? get(`/d${i}`) : k === 'aws' ? aws : health)).join(''));
      check(await p.waitResponses(kinds.length), kinds);
    } finally {
      p.destroy();
    }
  }
});

test('after a hand-over, node:http serves the data plane the same way: bodies both framings, HEAD, the 10 MB limit', async () => {
  const c = new RawClient(server.port);
  try {
    const body = 'b'.repeat(1_000_000);
    await c.write('GET /_wayfinder/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await c.waitResponses(1);
    await c.write(`POST ${P}/cl HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await c.write(
      `POST ${P}/te HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n${(body.length / 2).toString(16)}\r\n${body.slice(0, body.length / 2)}\r\n0\r\n\r\n`,
    );
    const rs = await c.waitResponses(3);
    assert.deepEqual(
      rs.slice(1).map((r) => [r.status, r.text.length, r.text.slice(0, 9)]),
      [
        [200, 'POST /cl '.length + body.length, 'POST /cl '],
        [200, 'POST /te '.length + body.length / 2, 'POST /te '],
      ],
    );
    c.headResponses = 1;
    await c.write(`HEAD ${P}/h HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    const [, , , head] = await c.waitResponses(4);
    assert.deepEqual([head!.status, head!.body.length], [200, 0]);
    await c.write(`POST ${P}/big HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${10 * 1024 * 1024 + 1}\r\n\r\nxyz`);
    const [, , , , big] = await c.waitResponses(5);
    assert.deepEqual([big!.status, big!.text], [413, '{"message":"Request Entity Too Large"}']);
    await c.waitClosed(7000);
  } finally {
    c.destroy();
  }
});

test("fetch (undici's global keep-alive pool) reuses one connection across the data plane and /_wayfinder", async () => {
  const base = `http://127.0.0.1:${server.port}`;
  for (let i = 0; i < 3; i++) {
    const d = await fetch(`${base}${P}/f${i}`);
    assert.equal(await d.text(), `GET /f${i} `);
    const h = await fetch(`${base}/_wayfinder/health`);
    assert.equal(((await h.json()) as { status: string }).status, 'ok');
  }
});

test('a client that stops halfway through its head is answered 408 and cut by the headers timeout', async () => {
  const c = new RawClient(server.port);
  try {
    await c.write(`GET ${P}/slowloris HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n`);
    const [r] = await c.waitResponses(1, 3000);
    assert.equal(r!.status, 408);
    await c.waitClosed(3000);
  } finally {
    c.destroy();
  }
  // Trickling bytes does not extend the deadline: it counts from the first byte of the head.
  const t = new RawClient(server.port);
  try {
    await t.write(`GET ${P}/trickle HTTP/1.1\r\n`);
    for (let i = 0; i < 20 && !t.closed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await t.write(`X-${i}: v\r\n`);
    }
    await t.waitClosed(3000);
    assert.equal(t.responses[0]?.status, 408);
  } finally {
    t.destroy();
  }
  // A connection that never sends anything is closed too.
  const idle = new RawClient(server.port);
  try {
    await idle.write('');
    await idle.waitClosed(3000);
  } finally {
    idle.destroy();
  }
});

test('a client that pipelines requests but never reads is not served into memory: reading stops, then every answer arrives', async () => {
  // Review finding (high): the front parsed and answered every pipelined request whether or not the
  // client read the answers, so one connection could grow the server's memory without bound (300,000
  // requests: +275 MB RSS). Now a pipelined request waits while earlier answers are unread, and the
  // server stops reading the socket: the client's own writes back up.
  // Its own server with the default headers timeout: this file's server cuts a head after 400 ms,
  // and a client busy reading thousands of answers on a loaded machine can take that long to send the
  // rest of a head the server has begun (a 408 that says nothing about what this test checks).
  const own = await startTestServer();
  try {
    const req = 'GET /_aws/execute-api/nope123456/$default/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const batch = req.repeat(1000);
    const s = connect(own.port, '127.0.0.1');
    s.pause(); // reads nothing until the end
    await once(s, 'connect');
    let sent = 0;
    let stalled = false;
    // At most 400,000 requests (24 MB); stops when the server has not taken our bytes for 5 s.
    while (sent < 400_000) {
      sent += 1000;
      if (!s.write(batch)) {
        const drained = await Promise.race([once(s, 'drain').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
        if (!drained) {
          stalled = true;
          break;
        }
      }
    }
    assert.equal(stalled, true, `the server read all ${sent} pipelined requests while none of the answers was read`);
    // Now the client reads: every request gets its answer, none lost.
    let answers = 0;
    let tail = '';
    const marker = 'HTTP/1.1 404 Not Found\r\n';
    const done = new Promise<void>((resolve, reject) => {
      s.on('data', (c: Buffer) => {
        const text = tail + c.toString('latin1');
        for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) answers++;
        tail = text.slice(-(marker.length - 1));
        if (answers === sent) resolve();
      });
      s.on('close', () => reject(new Error(`closed after ${answers} of ${sent} answers`)));
    });
    s.resume();
    await done;
    assert.equal(answers, sent);
    s.destroy();
  } finally {
    await own.destroy();
  }
});
