// The upstream client's response framing against a raw backend on loopback: a Content-Length body
// is counted by the client itself (llhttp sees the head only), so its edges are checked here: heads
// and bodies cut at any byte, 1xx heads before the answer, bytes after the answer, a body cut short,
// chunked and close-delimited bodies (still llhttp's), HEAD. Each case also says whether the
// connection went back to the pool (the next request reuses it) or was closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import type { UpstreamError } from './client-call.js';
import { ClientPool } from './client-pool.js';

interface Answer {
  status: number;
  headers: string[];
  body: string;
  error?: UpstreamError;
}

/** A backend that answers the n-th request it reads with `script(n)`: the pieces, written one by one with a pause between them. */
async function rawBackend(script: (n: number) => { pieces: string[]; close?: boolean }): Promise<{ server: Server; origin: string; connections: () => number }> {
  let n = 0;
  let connections = 0;
  const server = createServer((s: Socket) => {
    connections++;
    let buf = '';
    s.on('data', async (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        const { pieces, close } = script(n++);
        for (const p of pieces) {
          s.write(p, 'latin1');
          if (pieces.length > 1) await new Promise((r) => setTimeout(r, 5));
        }
        if (close) s.end();
      }
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, origin: `http://127.0.0.1:${port}`, connections: () => connections };
}

function call(pool: ClientPool, method = 'GET'): Promise<Answer> {
  return new Promise((resolve) => {
    const a: Answer = { status: 0, headers: [], body: '' };
    pool.request(
      { method, path: '/', headers: [], headersChecked: true, body: null, chunked: false, addContentLength: false, timeoutMs: 5000 },
      {
        onConnected: () => {},
        onHead: (status, headers) => {
          a.status = status;
          a.headers = headers;
        },
        onData: (chunk) => {
          a.body += chunk.toString('latin1');
          return true;
        },
        onEnd: () => resolve(a),
        onError: (err) => resolve({ ...a, error: err }),
      },
    );
  });
}

const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\n';
const WHOLE = `${HEAD}hello world`;

test('a Content-Length answer cut at every byte arrives whole, and the connection is reused', async () => {
  const cuts = WHOLE.length - 1;
  const b = await rawBackend((n) => (n < cuts ? { pieces: [WHOLE.slice(0, n + 1), WHOLE.slice(n + 1)] } : { pieces: [WHOLE] }));
  const pool = new ClientPool(b.origin);
  try {
    for (let i = 0; i <= cuts; i++) {
      const a = await call(pool);
      assert.equal(a.error, undefined, `cut at ${i + 1}`);
      assert.equal(a.status, 200);
      assert.equal(a.body, 'hello world', `cut at ${i + 1}`);
    }
    assert.equal(b.connections(), 1, 'one keep-alive connection served every answer');
  } finally {
    pool.close();
    b.server.close();
  }
});

test('1xx heads before the answer are skipped, in one read or several', async () => {
  const interim = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n';
  const b = await rawBackend((n) => (n === 0 ? { pieces: [interim + WHOLE] } : { pieces: [interim, HEAD, 'hello ', 'world'] }));
  const pool = new ClientPool(b.origin);
  try {
    for (let i = 0; i < 2; i++) {
      const a = await call(pool);
      assert.equal(a.status, 200);
      assert.equal(a.body, 'hello world');
    }
    assert.equal(b.connections(), 1);
  } finally {
    pool.close();
    b.server.close();
  }
});

test('bytes after a counted body: the answer ends at its length, the connection is not reused', async () => {
  const b = await rawBackend((n) => (n === 0 ? { pieces: [`${WHOLE}HTTP/1.1 200 OK\r\n`] } : n === 1 ? { pieces: [WHOLE, '\r\n'] } : { pieces: [WHOLE] }));
  const pool = new ClientPool(b.origin);
  try {
    const first = await call(pool);
    assert.equal(first.body, 'hello world', 'in the same read');
    const second = await call(pool);
    assert.equal(second.body, 'hello world');
    const third = await call(pool);
    assert.equal(third.body, 'hello world');
    assert.ok(b.connections() >= 2, 'the connection that carried stray bytes was closed');
  } finally {
    pool.close();
    b.server.close();
  }
});

test('a counted body cut short by the backend is an error, never a complete answer', async () => {
  const b = await rawBackend(() => ({ pieces: [`${HEAD}hello`], close: true }));
  const pool = new ClientPool(b.origin);
  try {
    const a = await call(pool);
    assert.equal(a.status, 200);
    assert.ok(a.error, 'the truncated answer failed');
    assert.equal(a.error.kind, 'closed');
    assert.equal(a.error.responseStarted, true);
  } finally {
    pool.close();
    b.server.close();
  }
});

test('chunked, close-delimited and zero-length bodies, HEAD and 204 still frame as before', async () => {
  const answers = [
    { pieces: ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', '6\r\n world\r\n0\r\n\r\n'] },
    { pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'] },
    { pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n'] }, // HEAD
    { pieces: ['HTTP/1.1 204 No Content\r\n\r\n'] },
    { pieces: ['HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello ', 'world'], close: true },
  ];
  const b = await rawBackend((n) => answers[n]!);
  const pool = new ClientPool(b.origin);
  try {
    assert.equal((await call(pool)).body, 'hello world', 'chunked');
    assert.equal((await call(pool)).body, '', 'Content-Length: 0');
    const head = await call(pool, 'HEAD');
    assert.equal(head.body, '', 'HEAD');
    assert.equal(head.error, undefined);
    const noContent = await call(pool);
    assert.equal(noContent.status, 204);
    assert.equal(b.connections(), 1, 'all of these on one connection');
    const closeDelimited = await call(pool);
    assert.equal(closeDelimited.error, undefined);
    assert.equal(closeDelimited.body, 'hello world', 'until the connection closed');
  } finally {
    pool.close();
    b.server.close();
  }
});

test('a head llhttp refuses (Content-Length beside Transfer-Encoding) fails the call, nothing is counted', async () => {
  const b = await rawBackend(() => ({ pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'] }));
  const pool = new ClientPool(b.origin);
  try {
    const a = await call(pool);
    assert.ok(a.error);
    assert.equal(a.error.kind, 'protocol');
    assert.equal(a.body, '');
  } finally {
    pool.close();
    b.server.close();
  }
});

test('heads outside the fast grammar still go through llhttp: its answer is the same, its refusals still fail', async () => {
  const answers = [
    { pieces: ['HTTP/1.1 200 OK\r\nConnection: keep-alive, x-hint\r\nContent-Length: 11\r\n\r\nhello world'] },
    { pieces: ['HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX: a\r\n b\r\n\r\nhello world'] },
  ];
  const b = await rawBackend((n) => answers[n]!);
  const pool = new ClientPool(b.origin);
  try {
    const listed = await call(pool);
    assert.equal(listed.error, undefined);
    assert.equal(listed.body, 'hello world', 'a Connection list the fast path does not read');
    const folded = await call(pool);
    assert.ok(folded.error, 'obs-fold is refused by llhttp');
    assert.equal(folded.error.kind, 'protocol');
  } finally {
    pool.close();
    b.server.close();
  }
});
