// Socket reads and small writes below Node's stream layer, for the lean front and the upstream
// client (measured: the Readable/Writable machinery cost more CPU per proxied request than the
// gateway pipeline). Both fall back to the ordinary stream API whenever the fast path does not
// apply (no libuv handle, data queued in the Writable, a Node without these internals).
//
// Reads: a socket created by a server has no `onread` option, but Node keeps that option under
// private symbols that its read callback checks on every read; giving an accepted socket the same
// two fields (found once on a probe socket) makes its reads land in one shared buffer and go to a
// plain callback: no Buffer allocated per read, no push()/'data' event, no nextTick. The stream side
// is left intact ('end', 'close', pause()/resume() work as for an `onread` socket), and
// `readToStream` hands reads back to 'data' listeners (a hand-over to node:http, a lingering close).
//
// Writes: a latin1 string goes straight to the handle (`writeLatin1String`, one write() syscall)
// when nothing waits in the Writable; what the kernel did not take at once is queued by libuv, in
// order with any later write, and reported as backpressure ('drain' follows).
import { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

interface WriteReq {
  handle: Handle | undefined;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: null;
  socket: Socket | undefined;
}

interface Handle {
  writeLatin1String(req: WriteReq, data: string): number;
  useUserBuffer?(buf: Uint8Array): void;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

function streamWrap(): StreamWrapBinding | undefined {
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap === 'function' && b.streamBaseState instanceof Int32Array && typeof b.kLastWriteWasAsync === 'number') return b as StreamWrapBinding;
  } catch {
    // not available: the stream API is used
  }
  return undefined;
}

const binding = streamWrap();

/** The private symbols of net.Socket's `onread` option (kBuffer, kBufferCb), found on a probe. */
function onreadSymbols(): { kBuffer: symbol; kBufferCb: symbol } | undefined {
  const buffer = Buffer.alloc(1);
  const callback = (): boolean => true;
  // `onread` is a documented option of net.connect(); the constructor takes it too (typed for connect only).
  const probe = new Socket({ onread: { buffer, callback } } as ConstructorParameters<typeof Socket>[0]);
  let kBuffer: symbol | undefined;
  let kBufferCb: symbol | undefined;
  const fields = probe as unknown as Record<symbol, unknown>;
  for (const s of Object.getOwnPropertySymbols(probe)) {
    if (fields[s] === buffer) kBuffer = s;
    else if (fields[s] === callback) kBufferCb = s;
  }
  probe.destroy();
  return kBuffer && kBufferCb ? { kBuffer, kBufferCb } : undefined;
}

const symbols = onreadSymbols();

/**
 * Every direct-read socket reads here, the front's client sockets and the upstream client's alike:
 * each read is handled synchronously before the next one (one thread), so one buffer serves all.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** The shared read buffer, for sockets opened with net.connect's `onread` option (client-pool.ts). */
export const sharedReadBuffer: Buffer = READ_BUFFER;

/** Who gets a direct-read socket's bytes: the chunk is valid only during the call (copy what you keep). */
export type DirectReader = (chunk: Buffer) => void;

const kReader = Symbol('wayfinder.directReader');
/** Direct writes libuv still holds (the kernel did not take them at once): invisible to the Writable. */
const kPendingDirect = Symbol('wayfinder.pendingDirectWrites');
/** The Writable's own state (read directly: the public getters cost more than the write's checks). */
interface WritableState {
  length: number;
  corked: number;
  ending: boolean;
  destroyed: boolean;
}
type DirectSocket = Socket & { [kReader]?: DirectReader; [kPendingDirect]?: number; _handle?: Handle | null; _writableState?: WritableState };

/** Node's read callback, called as a method of the socket. */
function onDirectRead(this: DirectSocket, n: number, buf: Buffer): boolean {
  const reader = this[kReader];
  if (reader) {
    reader(buf.subarray(0, n));
    return true;
  }
  // Handed back to the stream API: a copy, since the buffer is reused by the next read.
  return this.push(Buffer.from(buf.subarray(0, n)));
}

/**
 * Sends the socket's reads to `reader` instead of 'data' events. Call it when the socket is
 * accepted, before any read was delivered. false: not possible here (use 'data').
 */
export function readDirect(socket: Socket, reader: DirectReader): boolean {
  const s = socket as DirectSocket;
  const h = s._handle;
  if (!symbols || !h || isTls(s) || typeof h.useUserBuffer !== 'function' || s.readableLength !== 0) return false;
  const fields = s as unknown as Record<symbol, unknown>;
  if (fields[symbols.kBuffer]) return false; // created with its own `onread`
  h.useUserBuffer(READ_BUFFER);
  fields[symbols.kBuffer] = READ_BUFFER;
  fields[symbols.kBufferCb] = onDirectRead;
  s[kReader] = reader;
  return true;
}

/** From now on the socket's reads go to its 'data' listeners again (copied out of the shared buffer). */
export function readToStream(socket: Socket): void {
  (socket as DirectSocket)[kReader] = undefined;
}

/** Whether `chunk` lies in the shared read buffer (so it must be copied to be kept). */
export function inReadBuffer(chunk: Buffer): boolean {
  return chunk.buffer === READ_BUFFER.buffer;
}

/** `chunk` itself, or a copy when it is a view of the shared read buffer (for whoever keeps it). */
export function keepable(chunk: Buffer): Buffer {
  return chunk.buffer === READ_BUFFER.buffer ? Buffer.from(chunk) : chunk;
}

function isTls(socket: Socket): boolean {
  return (socket as { encrypted?: boolean }).encrypted === true;
}

function writeError(status: number): Error {
  let code = 'EIO';
  try {
    code = getSystemErrorName(status);
  } catch {
    // not a libuv error number
  }
  return Object.assign(new Error(`write ${code}`), { code, errno: status, syscall: 'write' });
}

/** A request object for writes that complete at once: the handle never keeps it, so it is reused. */
let spareReq: WriteReq | undefined;

function afterAsyncWrite(this: WriteReq, status: number): void {
  const socket = this.socket! as DirectSocket;
  this.socket = undefined;
  socket[kPendingDirect] = (socket[kPendingDirect] ?? 1) - 1;
  if (socket.destroyed) return;
  if (status < 0) {
    socket.destroy(writeError(status));
    return;
  }
  // Whoever was told to wait hears it now (a 'drain' too many costs a wake-up, one too few a stall).
  socket.emit('drain');
}

/**
 * Writes a latin1 string. true: written (or queued below the high-water mark by the Writable);
 * false: wait for 'drain'.
 */
export function writeLatin1(socket: Socket, data: string): boolean {
  const s = socket as DirectSocket;
  const h = s._handle;
  const ws = s._writableState;
  // Anything waiting in the Writable (or corked, or an end under way) must go out first: through it.
  if (!binding || !h || !ws || ws.length !== 0 || ws.corked !== 0 || ws.ending || ws.destroyed || s.connecting || isTls(s)) return socket.write(data, 'latin1');
  let req = spareReq;
  if (!req) {
    req = new binding.WriteWrap();
    req.oncomplete = afterAsyncWrite;
    req.async = false;
    req.bytes = 0;
    req.buffer = null;
    req.socket = undefined;
  }
  req.handle = h;
  spareReq = undefined;
  const err = h.writeLatin1String(req, data);
  if (err !== 0) {
    socket.destroy(writeError(err));
    return false;
  }
  if (binding.streamBaseState[binding.kLastWriteWasAsync]) {
    // The handle holds this request until libuv has written the rest; a fresh one for the next write.
    req.async = true;
    req.socket = socket;
    s[kPendingDirect] = (s[kPendingDirect] ?? 0) + 1;
    return false;
  }
  req.handle = undefined; // the socket may be collected
  spareReq = req;
  return true;
}

/**
 * Whether the client is behind on reading: the Writable wants a 'drain', or libuv still holds a
 * direct write. Either way a 'drain' event follows when it catches up.
 */
export function outputBacklogged(socket: Socket): boolean {
  return socket.writableNeedDrain || ((socket as DirectSocket)[kPendingDirect] ?? 0) > 0;
}
