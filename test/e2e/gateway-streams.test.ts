// Bodies through the data plane under pressure, against real loopback backends: large bodies
// streamed both ways with slow readers on the other side (backpressure, intact bytes), clients
// that go away mid-upload or mid-download, backends that die mid-response, and the HTTP/1.1
// details a proxy must get right (HEAD, Expect: 100-continue, HTTP/1.0 clients, chunked and
// close-delimited backend answers).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import * as G from '@aws-sdk/client-apigatewayv2';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { eventually, invoke, startBackend } from '../support/gateway.js';
import { RawClient } from '../support/raw-http.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
});
after(async () => {
  gw.destroy();
  await server.destroy();
});

async function apiTo(uri: string): Promise<string> {
  const id = (await gw.send(new G.CreateApiCommand({ Name: 's', ProtocolType: 'HTTP' }))).ApiId!;
  const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: uri }));
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: '$default', Target: `integrations/${i.IntegrationId}` }));
  await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  return id;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function pattern(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

test('a 9 MB upload with Content-Length reaches a slow-reading backend intact', async () => {
  const b = await startBackend('hash', (_req, res, body) => res.end(`${body.length} ${sha(body)}`));
  // startBackend buffers with 'data' events; make the backend's socket slow on purpose instead.
  const slow = await startSlowReader();
  try {
    const upload = pattern(9 * 1024 * 1024, 7);
    for (const target of [b, slow]) {
      const id = await apiTo(target.url);
      const answer = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: server.port, method: 'PUT', path: '/up', headers: { host: `${id}.execute-api.localhost`, 'content-length': upload.length } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(`${res.statusCode} ${text}`));
          },
        );
        req.on('error', reject);
        let off = 0;
        const pump = () => {
          while (off < upload.length) {
            const ok = req.write(upload.subarray(off, off + 65536));
            off += 65536;
            if (!ok) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      assert.equal(answer, `200 ${upload.length} ${sha(upload)}`);
    }
  } finally {
    await b.close();
    await slow.close();
  }
});

/** A node:http backend that handles the request stream itself (startBackend buffers bodies first). */
async function streamBackend(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const s = createHttpServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => (s.close(() => r()), s.closeAllConnections())),
  };
}

/** A backend that reads its request body in small sips with pauses (so the gateway must wait). */
function startSlowReader() {
  return streamBackend((req, res) => {
    const h = createHash('sha256');
    let n = 0;
    req.on('data', (c: Buffer) => {
      h.update(c);
      n += c.length;
      req.pause();
      setTimeout(() => req.resume(), 1);
    });
    req.on('end', () => res.end(`${n} ${h.digest('hex')}`));
  });
}

test('a 24 MB download reaches a slow-reading client intact', async () => {
  const data = pattern(24 * 1024 * 1024, 3);
  const b = await startBackend('big', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: chunked through the gateway
    let off = 0;
    const pump = () => {
      while (off < data.length) {
        const ok = res.write(data.subarray(off, off + 65536));
        off += 65536;
        if (!ok) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  try {
    const id = await apiTo(b.url);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/down', headers: { host: `${id}.execute-api.localhost` } }, (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          n += c.length;
          if (n % (1024 * 1024) < c.length) {
            res.pause();
            setTimeout(() => res.resume(), 5);
          }
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(got.length, data.length);
    assert.equal(sha(got), sha(data));
  } finally {
    await b.close();
  }
});

test('a client that aborts mid-upload: the backend never sees a complete request, and the gateway keeps serving', async () => {
  let started = 0;
  let completed = 0;
  let cut = 0;
  const s = await streamBackend((req, res) => {
    if (req.url === '/ok') return void res.end('ok');
    started++;
    req.on('data', () => undefined);
    req.on('end', () => {
      completed++;
      res.end('complete');
    });
    req.on('close', () => {
      if (!req.complete) cut++;
    });
  });
  try {
    const id = await apiTo(s.url);
    const c = new RawClient(server.port);
    await c.write(`POST /up HTTP/1.1\r\nHost: ${id}.execute-api.localhost\r\nContent-Length: 5000000\r\n\r\n`);
    await c.write(Buffer.alloc(300_000, 1));
    await eventually(() => started === 1, 'the backend to see the request');
    c.destroy();
    await eventually(() => cut === 1, 'the backend request to be cut');
    assert.equal(completed, 0);
    const ok = await invoke(server, id, { path: '/ok' });
    assert.deepEqual([ok.status, ok.text], [200, 'ok']);
  } finally {
    await s.close();
  }
});

test('a client that goes away mid-download: the backend response is cut off', async () => {
  let closedEarly = false;
  const b = await startBackend('stream', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 9);
    let sent = 0;
    const timer = setInterval(() => {
      if (sent++ > 300) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(chunk);
    }, 10);
    res.on('close', () => {
      clearInterval(timer);
      if (!res.writableFinished) closedEarly = true;
    });
  });
  try {
    const id = await apiTo(b.url);
    const c = new RawClient(server.port);
    await c.write(`GET /down HTTP/1.1\r\nHost: ${id}.execute-api.localhost\r\n\r\n`);
    await eventually(() => c.rest.length > 100_000, 'the first bytes');
    c.destroy();
    await eventually(() => closedEarly, 'the backend response to be cut');
  } finally {
    await b.close();
  }
});

test('a backend that dies mid-response: the client gets a cut response (never a complete one), and the next request works', async () => {
  for (const framing of ['length', 'chunked'] as const) {
    const b = await startBackend('dies', (req, res) => {
      if (req.url === '/ok') return void res.end('fine');
      res.writeHead(200, framing === 'length' ? { 'content-length': 1_000_000 } : {});
      res.write(Buffer.alloc(100_000, 5), () => setTimeout(() => req.socket.destroy(), 20));
    });
    try {
      const id = await apiTo(b.url);
      const c = new RawClient(server.port);
      try {
        await c.write(`GET /dies HTTP/1.1\r\nHost: ${id}.execute-api.localhost\r\n\r\n`);
        await c.waitClosed();
        assert.equal(c.responses.length, 0, `${framing}: no complete response`);
        assert.match(c.rest, /^HTTP\/1\.1 200 OK\r\n/, `${framing}: the head and part of the body arrived`);
      } finally {
        c.destroy();
      }
      const ok = await invoke(server, id, { path: '/ok' });
      assert.deepEqual([ok.status, ok.text], [200, 'fine']);
    } finally {
      await b.close();
    }
  }
});

test('HEAD: the head with its Content-Length and no body; the connection stays usable', async () => {
  const b = await startBackend('head', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 11 });
    res.end(req.method === 'HEAD' ? undefined : 'hello world');
  });
  try {
    const id = await apiTo(b.url);
    const c = new RawClient(server.port);
    try {
      c.headResponses = 1;
      await c.write(`HEAD /h HTTP/1.1\r\nHost: ${id}.execute-api.localhost\r\n\r\nGET /g HTTP/1.1\r\nHost: ${id}.execute-api.localhost\r\n\r\n`);
      const [head, getR] = await c.waitResponses(2);
      assert.deepEqual([head!.status, head!.header('content-length'), head!.body.length], [200, '11', 0]);
      assert.deepEqual([getR!.status, getR!.text], [200, 'hello world']);
    } finally {
      c.destroy();
    }
  } finally {
    await b.close();
  }
});

test('Expect: 100-continue: the gateway asks for the body when it needs it, then answers', async () => {
  const b = await startBackend('cont', (_req, res, body) => res.end(`got ${body.toString()}`));
  try {
    const id = await apiTo(b.url);
    const c = new RawClient(server.port);
    try {
      await c.write(`POST /c HTTP/1.1\r\nHost: ${id}.execute-api.localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n`);
      const [cont] = await c.waitResponses(1);
      assert.equal(cont!.status, 100);
      await c.write('hello');
      const [, r] = await c.waitResponses(2);
      assert.deepEqual([r!.status, r!.text], [200, 'got hello']);
    } finally {
      c.destroy();
    }
  } finally {
    await b.close();
  }
});

test('HTTP/1.0 clients: keep-alive only when asked; an answer without length is delimited by the close', async () => {
  const b = await startBackend('h10', (req, res) => {
    if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part1 ');
      res.end('part2');
      return;
    }
    res.end('sized');
  });
  try {
    const id = await apiTo(b.url);
    const host = `${id}.execute-api.localhost`;
    const one = new RawClient(server.port);
    try {
      await one.write(`GET /chunked HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
      await one.waitClosed();
      const [r] = await one.waitResponses(1);
      assert.deepEqual([r!.status, r!.text, r!.header('transfer-encoding')], [200, 'part1 part2', undefined]);
    } finally {
      one.destroy();
    }
    const ka = new RawClient(server.port);
    try {
      await ka.write(`GET /sized HTTP/1.0\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\nGET /sized HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
      const rs = await ka.waitResponses(2);
      assert.deepEqual(
        rs.map((r) => [r.status, r.text, r.header('connection')?.toLowerCase()]),
        [
          [200, 'sized', 'keep-alive'],
          [200, 'sized', 'close'],
        ],
      );
      await ka.waitClosed();
    } finally {
      ka.destroy();
    }
  } finally {
    await b.close();
  }
});

test('backend framing: chunked answers are re-chunked, close-delimited HTTP/1.0 answers relayed whole', async () => {
  // A raw backend speaking HTTP/1.0 without Content-Length: its body ends when it closes.
  const raw: Server = createServer((sock) => {
    sock.once('data', () => {
      sock.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end');
    });
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  const chunky = await startBackend('chunky', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('a');
    setTimeout(() => res.end('b'), 20);
  });
  try {
    for (const [uri, text] of [
      [`http://127.0.0.1:${(raw.address() as AddressInfo).port}`, 'until the end'],
      [chunky.url, 'ab'],
    ] as const) {
      const id = await apiTo(uri);
      const c = new RawClient(server.port);
      try {
        await c.write(`GET /x HTTP/1.1\r\nHost: ${id}.execute-api.localhost\r\n\r\n`);
        const [r] = await c.waitResponses(1);
        assert.deepEqual([r!.status, r!.text, r!.header('transfer-encoding')], [200, text, 'chunked']);
      } finally {
        c.destroy();
      }
    }
  } finally {
    await chunky.close();
    await new Promise<void>((r) => raw.close(() => r()));
  }
});
