// One suite, both ServerExchange implementations: the lean front's (FrontExchange, the data plane's
// hot path) and node:http's after the front handed a connection over (NodeExchange). The gateway
// answers through either without knowing which, so a client must not be able to tell them apart:
// the same handler answers the same raw requests on both, and status, headers (names as written,
// in order; only Date's value differs), bodies in both framings (Content-Length and chunked, and
// close-delimited for HTTP/1.0), HEAD, bodiless statuses, request bodies in both framings and
// keep-alive are compared. A real node:http server with the front attached, raw sockets on loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerExchange } from '../../src/http1/exchange.js';
import { attachFront, type Front } from '../../src/http1/front.js';
import { NodeExchange } from '../../src/http1/node-exchange.js';
import { RawClient, type RawResponse } from '../support/raw-http.js';

/** The handler both exchanges run: what it answers depends on the path after /front or /node. */
function answer(io: ServerExchange): void {
  const served = ['X-Served-By', io instanceof NodeExchange ? 'node' : 'front'];
  const path = io.url.replace(/^\/(front|node)/, '');
  switch (path) {
    case '/fixed':
      io.writeHead(200, [...served, 'Content-Type', 'text/plain', 'Content-Length', '5', 'X-Mixed-Case', 'Value With Spaces']);
      io.end(Buffer.from('hello'));
      return;
    case '/streamed':
      // No length: chunked for HTTP/1.1, delimited by the connection's end for HTTP/1.0.
      io.writeHead(200, [...served, 'Content-Type', 'text/plain']);
      io.write(Buffer.from('hel'));
      io.write(Buffer.from('lo, '));
      io.end(Buffer.from('world'));
      return;
    case '/no-content':
      io.writeHead(204, [...served, 'X-Note', 'nothing']);
      io.end();
      return;
    case '/not-found':
      io.writeHead(404, [...served, 'Content-Type', 'application/json', 'Content-Length', '21']);
      io.end(Buffer.from('{"message":"missing"}'));
      return;
    case '/echo': {
      const chunks: Buffer[] = [];
      io.readBody({
        data: (c) => (chunks.push(c), true),
        end: () => {
          const body = Buffer.concat(chunks);
          io.writeHead(200, [...served, 'X-Method', io.method, 'X-Version', io.httpVersion, 'Content-Length', String(body.length)]);
          io.end(body);
        },
        error: () => io.destroy(),
      });
      return;
    }
    default:
      io.writeHead(500, [...served, 'Content-Length', '0']);
      io.end();
  }
}

let server: Server;
let front: Front;
let port: number;
const reported: unknown[] = [];

before(async () => {
  server = createServer((req, res) => answer(new NodeExchange(req, res)));
  server.keepAliveTimeout = 5000;
  // /front/… is claimed by the front; the first request it does not claim hands the connection to node:http.
  front = attachFront(server, { route: (x) => (x.url.startsWith('/front/') ? { serve: answer } : undefined), report: (err) => reported.push(err) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  front.closeAll();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  assert.deepEqual(reported, [], 'no failure was reported by the front');
});

interface Seen {
  responses: Array<Pick<RawResponse, 'status' | 'headers'> & { body: string }>;
  closed: boolean;
}

/**
 * Sends `requests` (with `{p}` standing for /front or /node) on one connection, one at a time, and
 * returns what came back with Date's value blanked, after checking that the exchange expected served it.
 */
async function exchange(via: 'front' | 'node', requests: string[], opts: { head?: boolean; untilClosed?: boolean } = {}): Promise<Seen> {
  const c = new RawClient(port);
  try {
    for (let i = 0; i < requests.length; i++) {
      if (opts.head) c.headResponses++;
      await c.write(requests[i]!.replaceAll('{p}', `/${via}`));
      await c.waitResponses(i + 1);
    }
    if (opts.untilClosed) await c.waitClosed();
    else await new Promise((r) => setTimeout(r, 50)); // a wrongly closed connection shows up here
    const responses = c.responses.map((r) => {
      assert.equal(r.header('x-served-by'), via, `answered by the ${via} exchange`);
      assert.ok(r.header('date'), 'has a Date header');
      return {
        status: r.status,
        headers: r.headers.filter(([k]) => k !== 'X-Served-By').map(([k, v]): [string, string] => [k, k === 'Date' ? '<date>' : v]),
        body: r.body.toString('latin1'),
      };
    });
    assert.equal(c.rest, '', 'nothing left after the responses');
    return { responses, closed: c.closed };
  } finally {
    c.destroy();
  }
}

/** The same requests through both exchanges: what a client sees must be identical. */
async function same(requests: string[], opts: { head?: boolean; untilClosed?: boolean } = {}): Promise<Seen> {
  const onFront = await exchange('front', requests, opts);
  const onNode = await exchange('node', requests, opts);
  assert.deepEqual(onFront, onNode);
  return onFront;
}

const get = (path: string, extra = '') => `GET {p}${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

describe('ServerExchange conformance: the lean front and node:http after a handover answer alike', () => {
  test('a fixed-length answer: status, headers as written and in order, body; the connection stays open', async () => {
    const seen = await same([get('/fixed'), get('/fixed')]);
    assert.equal(seen.responses.length, 2, 'two answers on one keep-alive connection');
    assert.equal(seen.closed, false);
    const [r] = seen.responses;
    assert.equal(r!.status, 200);
    assert.equal(r!.body, 'hello');
    assert.deepEqual(
      r!.headers.map(([k]) => k),
      ['Content-Type', 'Content-Length', 'X-Mixed-Case', 'Date', 'Connection', 'Keep-Alive'],
    );
    assert.deepEqual(
      r!.headers.find(([k]) => k === 'X-Mixed-Case'),
      ['X-Mixed-Case', 'Value With Spaces'],
    );
    assert.deepEqual(
      r!.headers.find(([k]) => k === 'Keep-Alive'),
      ['Keep-Alive', 'timeout=5'],
    );
  });

  test('an answer without a length is chunked for HTTP/1.1', async () => {
    const seen = await same([get('/streamed'), get('/fixed')]);
    const [r] = seen.responses;
    assert.equal(r!.body, 'hello, world');
    assert.deepEqual(
      r!.headers.find(([k]) => k === 'Transfer-Encoding'),
      ['Transfer-Encoding', 'chunked'],
    );
    assert.equal(seen.responses.length, 2, 'the connection is reusable after a chunked answer');
  });

  test('an answer without a length is delimited by the connection’s end for HTTP/1.0', async () => {
    const seen = await same(['GET {p}/streamed HTTP/1.0\r\nHost: x\r\n\r\n'], { untilClosed: true });
    const [r] = seen.responses;
    assert.equal(r!.body, 'hello, world');
    assert.equal(
      r!.headers.find(([k]) => k === 'Transfer-Encoding'),
      undefined,
    );
    assert.deepEqual(
      r!.headers.find(([k]) => k === 'Connection'),
      ['Connection', 'close'],
    );
    assert.equal(seen.closed, true);
  });

  test('HEAD: the headers GET would have, no body, the connection reusable', async () => {
    const fixed = await same(['HEAD {p}/fixed HTTP/1.1\r\nHost: x\r\n\r\n', 'HEAD {p}/fixed HTTP/1.1\r\nHost: x\r\n\r\n'], { head: true });
    assert.equal(fixed.responses.length, 2);
    assert.equal(fixed.responses[0]!.body, '');
    assert.deepEqual(
      fixed.responses[0]!.headers.find(([k]) => k === 'Content-Length'),
      ['Content-Length', '5'],
    );
    const streamed = await same(['HEAD {p}/streamed HTTP/1.1\r\nHost: x\r\n\r\n'], { head: true });
    assert.equal(streamed.responses[0]!.body, '');
  });

  test('bodiless statuses (204) and error statuses with a body', async () => {
    const seen = await same([get('/no-content'), get('/not-found')]);
    assert.equal(seen.responses[0]!.status, 204);
    assert.equal(seen.responses[0]!.body, '');
    assert.equal(seen.responses[1]!.status, 404);
    assert.equal(seen.responses[1]!.body, '{"message":"missing"}');
  });

  test('request bodies in both framings reach the handler whole: Content-Length and chunked', async () => {
    const big = 'x'.repeat(100_000);
    const seen = await same([
      `POST {p}/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello there`,
      `PUT {p}/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n there\r\n0\r\n\r\n`,
      `POST {p}/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
      `POST {p}/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
    ]);
    assert.deepEqual(
      seen.responses.map((r) => r.body.length),
      [11, 11, big.length, 0],
    );
    assert.equal(seen.responses[1]!.body, 'hello there');
    assert.deepEqual(
      seen.responses[1]!.headers.find(([k]) => k === 'X-Method'),
      ['X-Method', 'PUT'],
    );
  });

  test('an HTTP/1.0 request with a body', async () => {
    const seen = await same(['POST {p}/echo HTTP/1.0\r\nHost: x\r\nContent-Length: 4\r\n\r\nping'], { untilClosed: true });
    assert.equal(seen.responses[0]!.body, 'ping');
    assert.deepEqual(
      seen.responses[0]!.headers.find(([k]) => k === 'X-Version'),
      ['X-Version', '1.0'],
    );
  });

  test('Connection: close from the client closes after the answer', async () => {
    const seen = await same([get('/fixed', 'Connection: close\r\n')], { untilClosed: true });
    assert.deepEqual(
      seen.responses[0]!.headers.find(([k]) => k === 'Connection'),
      ['Connection', 'close'],
    );
    assert.equal(seen.closed, true);
  });
});
