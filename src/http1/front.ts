// The lean HTTP/1.1 front of the edge port. It owns every connection the node:http server accepts:
// requests a route claims (the gateway data plane) are parsed and answered here without
// IncomingMessage/ServerResponse; the first request no route claims makes the front hand the
// connection, at that message's first byte, to node:http, which serves it (and everything after it
// on that connection) exactly as before the front existed. So any mix of data-plane, AWS and
// /_wayfinder requests on one keep-alive connection is correct: the front serves a prefix of the
// connection's requests, node:http the rest.
import { maxHeaderSize as defaultMaxHeaderSize, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerExchange } from './exchange.js';
import { FrontConnection } from './front-connection.js';
import type { FrontExchange } from './front-exchange.js';
import { handToNodeHttp } from './handoff.js';
import { SIMPLE_HEAD_MAX } from './simple-request-head.js';

/** Something that answers requests the front claimed. */
export interface FrontRoute {
  serve(x: ServerExchange): void;
}

export interface FrontOptions {
  /** Called with the parsed head; a route answers it on the front, undefined hands the connection to node:http. */
  route(x: FrontExchange): FrontRoute | undefined;
  /** What to answer for a head over the size limit, given what arrived of it (default: 431, as node:http). */
  headTooLarge?(partialHead: string): { status: number; headers: string[]; body: string } | undefined;
  /** An unexpected failure (a bug): logged by the caller. */
  report(err: unknown, what: string): void;
}

export interface FrontLimits {
  maxHeaderSize: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export class Front {
  /** A coarse monotonic clock (ms) for deadlines, advanced by the sweeper. */
  clock = performance.now();
  closing = false;
  readonly keepAliveLines: string;
  readonly options: FrontOptions & FrontLimits;
  /**
   * The largest head the fast path reads (simple-request-head.ts): never over the server's own header limit,
   * so a head llhttp would refuse as too large (a --max-http-header-size below 4 KiB) still goes to llhttp.
   */
  readonly simpleHeadMax: number;
  private readonly connections = new Set<FrontConnection>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    options: FrontOptions & FrontLimits,
    private readonly toNodeHttp: (socket: Socket, bytes: Buffer, paused: boolean) => void,
  ) {
    this.options = options;
    this.simpleHeadMax = Math.min(SIMPLE_HEAD_MAX, options.maxHeaderSize);
    this.keepAliveLines = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(options.keepAliveTimeoutMs / 1000)}\r\n`;
    // Deadlines are checked a few times per shortest timeout (at most once a second): no timer per request.
    const every = Math.max(25, Math.min(1000, Math.floor(Math.min(options.headersTimeoutMs, options.requestTimeoutMs, options.keepAliveTimeoutMs) / 4)));
    this.sweeper = setInterval(() => this.sweep(), every).unref();
  }

  accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.clock = performance.now();
    this.connections.add(new FrontConnection(socket, this));
  }

  /** Whether a route claims the request (and how its body is framed); sets `x.route`. */
  claims(x: FrontExchange): boolean {
    let route: FrontRoute | undefined;
    try {
      route = this.options.route(x);
    } catch (e) {
      this.options.report(e, 'front route selection failed');
      return false; // node:http answers it then, through its own dispatch
    }
    if (!route) return false;
    x.route = route;
    x.scanFraming();
    return true;
  }

  serve(x: FrontExchange): void {
    if (x.reject) {
      x.writeHead(x.reject, ['Content-Length', '0', 'Connection', 'close']);
      x.end();
      return;
    }
    try {
      x.route!.serve(x);
    } catch (e) {
      this.options.report(e, 'front route failed');
      if (!x.headersSent) {
        x.writeHead(500, ['Content-Type', 'application/json', 'Content-Length', '35']);
        x.end(Buffer.from('{"message":"Internal Server Error"}'));
      } else x.destroy();
    }
  }

  handoff(socket: Socket, bytes: Buffer, paused: boolean): void {
    this.toNodeHttp(socket, bytes, paused);
  }

  forget(c: FrontConnection): void {
    this.connections.delete(c);
  }

  private sweep(): void {
    const now = (this.clock = performance.now());
    for (const c of this.connections) c.checkTimeouts(now);
  }

  /** Stops serving: idle connections close now, busy ones after their current answer. */
  closeIdle(): void {
    this.closing = true;
    for (const c of this.connections) if (c.idle) c.destroy();
  }

  closeAll(): void {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const c of [...this.connections]) c.destroy();
  }
}

/**
 * Puts a Front in front of a node:http server: the server keeps listening and accepting, the front
 * takes each accepted connection, and node:http gets the ones the front hands over. Limits and
 * timeouts are the server's own (headersTimeout, requestTimeout, keepAliveTimeout, maxHeaderSize).
 */
export function attachFront(server: Server, options: FrontOptions): Front {
  const [nodeListener] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (!nodeListener) throw new Error('node:http connection listener not found');
  server.removeListener('connection', nodeListener);
  const front = new Front(
    {
      ...options,
      maxHeaderSize: (server as { maxHeaderSize?: number }).maxHeaderSize ?? defaultMaxHeaderSize,
      headersTimeoutMs: server.headersTimeout || 60_000,
      requestTimeoutMs: server.requestTimeout || 300_000,
      keepAliveTimeoutMs: server.keepAliveTimeout || 5_000,
    },
    (socket, bytes, paused) => handToNodeHttp(server, nodeListener, socket, bytes, paused),
  );
  server.on('connection', (socket: Socket) => front.accept(socket));
  return front;
}
