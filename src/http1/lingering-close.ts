// Lingering close, as nginx does it (`lingering_close`): a server that closes a connection while the
// client is still sending (an early 413 on a 12 MiB upload, a 400 on a broken request, a
// `Connection: close` answer followed by pipelined bytes) must not close with unread bytes: the
// kernel then answers with a RST, and the RST makes the client fail with EPIPE/ECONNRESET, often
// before it has read the answer that explains why. So the answer goes out, our side sends its FIN
// (the write side ends), and everything still arriving is read and dropped until the client closes
// its side too, or a bound is reached; only then is the socket closed.
//
// The bounds (nginx: lingering_time 30 s, lingering_timeout 5 s, no size bound):
//   - totalMs 30 s from the moment our answer and FIN are out, whatever the client does;
//   - idleMs 5 s without a byte from the client (a client that neither sends nor closes);
//   - maxBytes 64 MiB dropped (a client sending forever at loopback speed is cut off well before
//     30 s; a real upload a few times over the 10 MB data-plane limit still gets through to the
//     point where the client reads the answer).
// Before the answer and FIN are out (a slow reader of a large answer), bytes are dropped too (both
// sides blocked on writing would deadlock) and count against the size bound; how long the writing
// may take is the caller's limit (the front's idle limit, node:http's request timeout).
import type { Socket } from 'node:net';

export interface LingerBounds {
  totalMs: number;
  idleMs: number;
  maxBytes: number;
}

export const LINGER_BOUNDS: Readonly<LingerBounds> = { totalMs: 30_000, idleMs: 5_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Takes over the socket's reading side (every 'data', 'end' and 'timeout' listener is removed: the
 * parser that owned them is done), ends the write side after what is queued, drops what arrives, and
 * destroys the socket once the client closed its side or a bound is reached. 'close' listeners stay.
 */
export function lingeringClose(socket: Socket, bounds: Readonly<LingerBounds> = LINGER_BOUNDS): void {
  if (socket.destroyed) return;
  socket.removeAllListeners('data');
  socket.removeAllListeners('end');
  socket.removeAllListeners('timeout');
  socket.setTimeout(0);
  socket.on('error', noop); // a RST from the client now is expected, and ends it (the socket closes)
  let dropped = 0;
  let lastRead = 0;
  let until = 0;
  let timer: NodeJS.Timeout | undefined;
  const done = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    socket.destroy();
  };
  const check = () => {
    const now = performance.now();
    if (now >= until || now - lastRead >= bounds.idleMs) return done();
    timer = setTimeout(check, Math.min(until, lastRead + bounds.idleMs) - now + 1).unref();
  };
  // Our answer and FIN are out: from now on the client has the bounds above to close its side.
  const linger = () => {
    if (socket.destroyed) return;
    if (socket.readableEnded) return done();
    lastRead = performance.now();
    until = lastRead + bounds.totalMs;
    timer = setTimeout(check, Math.min(bounds.idleMs, bounds.totalMs)).unref();
  };
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    lastRead = performance.now();
    if (dropped > bounds.maxBytes) done();
  });
  // The client closed its side: once our side is out too, nothing is left to wait for.
  socket.on('end', () => {
    if (socket.writableFinished) done();
  });
  socket.once('close', () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  });
  socket.end();
  if (socket.writableFinished) linger();
  else socket.once('finish', linger);
  socket.resume();
}

/**
 * node:http closes a connection after a `Connection: close` answer with `socket.destroySoon()`
 * (end, then destroy once written: a RST if the client is still sending). On this socket it
 * lingers instead.
 */
export function lingerOnDestroySoon(socket: Socket): void {
  (socket as Socket & { destroySoon(): void }).destroySoon = () => lingeringClose(socket);
}

function noop(): void {}
