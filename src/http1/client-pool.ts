// Keep-alive connections to one backend origin (measured, docs/architecture.md §9: an upstream pool is mandatory, never
// capped below client concurrency). Idle connections are reused last-in first-out, so the hottest
// stay warm and the rest age out; past the cap, calls wait in order for a free connection.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ClientCall, UpstreamError, type ClientRequest, type ResponseHandler } from './client-call.js';
import { ClientConnection } from './client-connection.js';
import { sharedReadBuffer } from './socket-io.js';

export interface ClientPoolOptions {
  /** At most this many connections (default 128, undici's Pool setting the gateway used). */
  connections?: number;
  connectTimeoutMs?: number;
  /** SNI and certificate name for https origins (tlsConfig.serverNameToVerify). */
  servername?: string;
  maxHeaderSize?: number;
}

export class ClientPool {
  readonly tls: boolean;
  readonly hostHeader: string;
  readonly maxHeaderSize: number;
  private readonly host: string;
  private readonly port: number;
  private readonly max: number;
  private readonly connectTimeoutMs: number;
  private readonly servername: string | undefined;
  private readonly idle: ClientConnection[] = [];
  private readonly all = new Set<ClientConnection>();
  private queue: ClientCall[] = [];
  private closed = false;

  constructor(origin: string, opts: ClientPoolOptions = {}) {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported origin ${origin}`);
    this.tls = u.protocol === 'https:';
    this.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = u.port ? Number(u.port) : this.tls ? 443 : 80;
    this.hostHeader = u.host;
    this.max = opts.connections ?? 128;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.servername = opts.servername ?? (isIP(this.host) ? undefined : this.host);
    this.maxHeaderSize = opts.maxHeaderSize ?? 16384;
  }

  request(req: ClientRequest, handler: ResponseHandler): ClientCall {
    const call = new ClientCall(req, handler);
    const c = this.closed ? undefined : this.take();
    if (c) c.start(call);
    else if (this.closed) queueMicrotask(() => call.fail(closedError()));
    else this.queue.push(call);
    return call;
  }

  private take(): ClientConnection | undefined {
    const c = this.idle.pop();
    if (c) return c;
    if (this.all.size >= this.max) return undefined;
    const conn = new ClientConnection(this, this.connectTimeoutMs);
    this.all.add(conn);
    return conn;
  }

  /**
   * A new socket; plain TCP ones deliver reads to `onRead`, in the shared read buffer of
   * socket-io.ts: each read is handled before the next, and what is kept is copied (TLS ones emit 'data').
   */
  open(onRead: (n: number, buf: Buffer) => boolean): Socket {
    if (!this.tls) return netConnect({ host: this.host, port: this.port, onread: { buffer: sharedReadBuffer, callback: onRead } });
    return tlsConnect({ host: this.host, port: this.port, servername: this.servername, ALPNProtocols: ['http/1.1'] });
  }

  /** A connection finished its call cleanly. */
  release(c: ClientConnection): void {
    if (this.closed) {
      c.destroy();
      return;
    }
    const next = this.nextQueued();
    if (next) c.start(next);
    else this.idle.push(c);
  }

  /** A connection closed. */
  removed(c: ClientConnection): void {
    this.all.delete(c);
    const i = this.idle.lastIndexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.closed || !this.queue.length) return;
    const next = this.nextQueued();
    if (!next) return;
    const conn = this.take();
    if (conn) conn.start(next);
    else this.queue.unshift(next);
  }

  private nextQueued(): ClientCall | undefined {
    while (this.queue.length) {
      const call = this.queue.shift()!;
      if (!call.done) return call;
    }
    return undefined;
  }

  get size(): number {
    return this.all.size;
  }

  /** Connections carrying a call now (a streamed response can keep one busy for as long as it runs). */
  get busy(): number {
    return this.all.size - this.idle.length;
  }

  close(): void {
    this.closed = true;
    for (const call of this.queue) call.fail(closedError());
    this.queue = [];
    for (const c of [...this.all]) c.destroy();
  }
}

function closedError(): UpstreamError {
  return new UpstreamError('the upstream pool is closed', 'UND_ERR_CLOSED', 'closed', false, false);
}
