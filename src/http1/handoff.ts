// Handing a connection to node:http at a message boundary: the bytes the front read of the next
// message (from its first byte) go back into the socket with unshift(), then node:http's own
// connection listener takes the socket as if it had just been accepted. When node:http later closes
// it after a `Connection: close` answer, it lingers (lingering-close.ts) instead of cutting the
// client off while it is still sending.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { lingerOnDestroySoon } from './lingering-close.js';

type Handle = { _consumed?: boolean };

export function handToNodeHttp(server: Server, nodeListener: (socket: Socket) => void, socket: Socket, bytes: Buffer, paused: boolean): void {
  // Without this, node:http would read the socket's handle directly from C++ ("consume"), past the
  // bytes put back below; marked as consumed, it reads through 'data' events, which deliver the
  // unshifted bytes first. (The check is node:http's own: it consumes a handle only once.)
  const handle = (socket as unknown as { _handle?: Handle })._handle;
  if (handle) handle._consumed = true;
  lingerOnDestroySoon(socket);
  if (!paused) socket.pause();
  if (bytes.length) socket.unshift(bytes);
  nodeListener.call(server, socket);
  socket.resume();
}
