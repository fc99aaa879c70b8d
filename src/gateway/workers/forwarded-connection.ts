// A connection a gateway worker thread accepted but does not serve (control plane, ECR registry,
// console, /_wayfinder/*, or anything the lean front hands to node:http) goes to the main thread
// byte for byte: the worker opens the main thread's private unix socket, writes one preamble line,
// the bytes it read of the current request, then pipes both ways. The main thread checks the
// preamble's token, gives the socket the client's addresses (so the Host/Origin guard and the
// "from this machine" rule judge the real client, src/server/internal.ts) and hands it to the edge
// listener as if it had accepted it itself: every security rule of the edge applies unchanged.
//
// The unix socket lives in a directory only this user can enter (mkdtemp, 0700), the socket itself
// is 0600, and a connection that does not open with the per-start random token is closed unread.
import { timingSafeEqual } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { lingeringClose } from '../../http1/lingering-close.js';

const MAGIC = 'WAYFINDER-FORWARDED';
/** Longer than any preamble (token + two IPv6 addresses with ports). */
const PREAMBLE_MAX = 512;
const ADDRESS = /^[0-9A-Za-z:.%_-]{1,64}$/;

export interface Peer {
  remoteAddress: string;
  remotePort: number;
  remoteFamily: string;
  localAddress: string;
  localPort: number;
}

function encode(token: string, s: Socket): string {
  return `${MAGIC} ${token} ${s.remoteAddress ?? '-'} ${s.remotePort ?? 0} ${s.remoteFamily ?? '-'} ${s.localAddress ?? '-'} ${s.localPort ?? 0}\n`;
}

function decode(line: string, token: string): Peer | undefined {
  const p = line.split(' ');
  if (p.length !== 7 || p[0] !== MAGIC) return undefined;
  const got = Buffer.from(p[1]!);
  const want = Buffer.from(token);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  if (!ADDRESS.test(p[2]!) || !ADDRESS.test(p[4]!) || !ADDRESS.test(p[5]!)) return undefined;
  const remotePort = Number(p[3]);
  const localPort = Number(p[6]);
  if (!Number.isInteger(remotePort) || !Number.isInteger(localPort)) return undefined;
  return { remoteAddress: p[2]!, remotePort, remoteFamily: p[4]!, localAddress: p[5]!, localPort };
}

/** Worker side: sends the connection (and `bytes`, what was read of its current request) to the main thread. */
export function forwardToMain(socketPath: string, token: string, client: Socket, bytes: Buffer): void {
  const main = connect(socketPath);
  main.setNoDelay?.(true);
  main.write(encode(token, client));
  if (bytes.length) main.write(bytes);
  // The main thread ended its side (after an answer with `Connection: close`, or a 413 while the
  // client is still sending): the client gets everything written, then a FIN, and what it still
  // sends is read and dropped within bounds (lingering-close.ts): closing now would be a RST.
  let lingering = false;
  main.on('end', () => {
    lingering = true;
    // Unpiped first: an unpipe at main's close would pause the client, and a paused client's
    // lingering would end in a RST after the idle bound.
    client.unpipe(main);
    lingeringClose(client);
  });
  main.on('error', () => {
    main.destroy();
    if (!lingering) client.destroy();
  });
  main.on('close', () => lingering || client.destroy());
  client.on('error', () => {
    client.destroy();
    main.destroy();
  });
  client.on('close', () => main.destroy());
  client.pipe(main);
  main.pipe(client, { end: false });
  client.resume();
}

/**
 * Main-thread side: reads the preamble of a connection from the private socket, then calls `accept`
 * with the socket carrying the client's addresses and the rest of its bytes put back. A bad preamble
 * closes the connection without reading further.
 */
export function acceptForwarded(socket: Socket, token: string, accept: (socket: Socket) => void): void {
  let head: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = head.length ? Buffer.concat([head, chunk]) : chunk;
    const nl = head.indexOf(10);
    if (nl < 0) {
      if (head.length > PREAMBLE_MAX) socket.destroy();
      return;
    }
    socket.off('data', onData);
    socket.pause();
    const peer = nl <= PREAMBLE_MAX ? decode(head.subarray(0, nl).toString('latin1'), token) : undefined;
    if (!peer) {
      socket.destroy();
      return;
    }
    // The accessors of net.Socket read the unix socket's (empty) addresses: the client's win.
    for (const [k, v] of Object.entries(peer)) Object.defineProperty(socket, k, { value: v, configurable: true });
    const rest = head.subarray(nl + 1);
    if (rest.length) socket.unshift(rest);
    accept(socket);
    socket.resume();
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
}
