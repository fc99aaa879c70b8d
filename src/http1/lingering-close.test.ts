// The lingering close on real loopback sockets, with small bounds: the client reads the answer
// while still sending, and whatever the client does (closes, stops, trickles, floods) the server's
// socket ends closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { lingeringClose, type LingerBounds } from './lingering-close.js';

const ANSWER = 'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

/** A server that answers at once, then closes lingering; `closed` resolves when its socket closed. */
async function lingeringServer(bounds: LingerBounds): Promise<{ server: Server; port: number; closed: Promise<void> }> {
  let closedResolve!: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));
  // allowHalfOpen as node:http's server has it: a client's FIN does not end our side by itself.
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.once('close', closedResolve);
    s.write(ANSWER);
    lingeringClose(s, bounds);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, closed };
}

/** A client that keeps its side open after the server's FIN (as a client still uploading does). */
function client(port: number): Promise<{ socket: Socket; received: () => string; errors: string[] }> {
  return new Promise((resolve, reject) => {
    let got = '';
    const errors: string[] = [];
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    socket.once('connect', () => resolve({ socket, received: () => got, errors }));
    socket.once('error', reject);
  });
}

function untilEnd(s: Socket): Promise<void> {
  return s.readableEnded ? Promise.resolve() : new Promise((r) => s.once('end', r));
}

test('a client still sending reads the whole answer, then closes: no error, the server socket closes', { timeout: 30_000 }, async () => {
  const { server, port, closed } = await lingeringServer({ totalMs: 10_000, idleMs: 10_000, maxBytes: 64 * 1024 * 1024 });
  try {
    const c = await client(port);
    c.socket.write(Buffer.alloc(8 * 1024 * 1024, 'x'));
    await untilEnd(c.socket);
    c.socket.end();
    await closed;
    assert.equal(c.received(), ANSWER);
    assert.deepEqual(c.errors, []);
  } finally {
    server.close();
  }
});

test('a client that keeps sending forever is cut off after the size bound', { timeout: 30_000 }, async () => {
  const maxBytes = 1024 * 1024;
  const { server, port, closed } = await lingeringServer({ totalMs: 60_000, idleMs: 60_000, maxBytes });
  try {
    const c = await client(port);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    // Bounded: at most 256 MiB; the bound cuts it after ~1 MiB.
    while (sent < 256 * 1024 * 1024 && c.errors.length === 0 && !c.socket.destroyed) {
      sent += chunk.length;
      if (!c.socket.write(chunk)) await drainedOrClosed(c.socket);
    }
    await closed;
    assert.equal(c.received(), ANSWER, 'the answer came first');
    assert.ok(sent < 256 * 1024 * 1024, `cut off (sent ${sent} bytes)`);
    c.socket.destroy();
  } finally {
    server.close();
  }
});

test('a client that stops sending but never closes is cut off after the idle bound', { timeout: 30_000 }, async () => {
  const { server, port, closed } = await lingeringServer({ totalMs: 60_000, idleMs: 50, maxBytes: 64 * 1024 * 1024 });
  try {
    const c = await client(port);
    c.socket.write('partial body');
    await closed;
    assert.equal(c.received(), ANSWER);
    c.socket.destroy();
  } finally {
    server.close();
  }
});

test('a client that trickles bytes forever is cut off after the total bound', { timeout: 30_000 }, async () => {
  const { server, port, closed } = await lingeringServer({ totalMs: 200, idleMs: 60_000, maxBytes: 64 * 1024 * 1024 });
  try {
    const c = await client(port);
    let done = false;
    void closed.then(() => (done = true));
    // Bounded: at most 1,000 bytes, 10 ms apart; the 200 ms total bound ends it long before.
    for (let i = 0; i < 1000 && !done && !c.socket.destroyed; i++) {
      c.socket.write('x');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(done, 'the server closed while the client was still trickling');
    assert.equal(c.received(), ANSWER);
    c.socket.destroy();
  } finally {
    server.close();
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
