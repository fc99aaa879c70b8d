// Sends one request upstream with `pool.dispatch()` and a plain handler (perf/README: raw header
// Buffers, no Readable, no promise), streams the answer back by hand with backpressure, and reports a
// failure before the response started to the caller, who may retry it on another instance.
import type { Pool } from 'undici';
import { Transform, type TransformCallback } from 'node:stream';
import type { ResponseHead } from '../pipeline/index.js';
import type { Exchange } from '../pipeline/exchange.js';
import { sendHead } from '../pipeline/reply.js';
import { MAX_PAYLOAD_BYTES } from '../pipeline/stage.js';

export class PayloadTooLarge extends Error {
  constructor() {
    super('request body exceeds 10 MB');
  }
}

export interface UpstreamCall {
  pool: Pool;
  /** Path with query string. */
  path: string;
  method: string;
  timeoutMs: number;
}

/** Hop-by-hop response headers (RFC 9110 §7.6.1); also names listed in the backend's Connection. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'trailers', 'upgrade', 'proxy-authenticate']);
/** Lengths of those names: other headers are passed without lower-casing them. */
const HOP_LENGTHS = new Set([...HOP].map((h) => h.length));

export function responseHeaders(raw: Buffer[] | string[]): string[] {
  const out: string[] = [];
  let listed: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const k = typeof raw[i] === 'string' ? (raw[i] as string) : (raw[i] as Buffer).toString('latin1');
    const v = typeof raw[i + 1] === 'string' ? (raw[i + 1] as string) : (raw[i + 1] as Buffer).toString('latin1');
    if (HOP_LENGTHS.has(k.length)) {
      const l = k.toLowerCase();
      if (HOP.has(l)) {
        if (l === 'connection') listed = listed === undefined ? v : `${listed},${v}`;
        continue;
      }
    }
    out.push(k, v);
  }
  if (listed) {
    const names = new Set(listed.split(',').map((t) => t.trim().toLowerCase()));
    for (let i = out.length - 2; i >= 0; i -= 2) if (names.has(out[i]!.toLowerCase())) out.splice(i, 2);
  }
  return out;
}

/** Counts a chunked request body on its way through and stops it past 10 MB. */
class LimitStream extends Transform {
  private seen = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > MAX_PAYLOAD_BYTES) cb(new PayloadTooLarge());
    else cb(null, chunk);
  }
}

/** The body to send: a buffered one, the request stream itself, a counted stream, or none. */
export function requestBody(x: Exchange): Buffer | NodeJS.ReadableStream | null {
  if (x.body) return x.body;
  if (!x.hasBody) return null;
  if (!x.chunked) return x.req; // Node's parser enforces Content-Length, checked ≤ 10 MB already
  const limited = new LimitStream();
  x.req.pipe(limited);
  return limited;
}

/** Who hears about an attempt that failed before the response started (may retry elsewhere). */
export interface FailureSink {
  failed(x: Exchange, err: Error, connected: boolean): void;
}

class ProxyHandler {
  connected = false;
  private resume: (() => void) | undefined;
  private buffered: Buffer[] | undefined;
  private bufferedSize = 0;
  private head: ResponseHead | undefined;

  constructor(
    private readonly x: Exchange,
    private readonly sink: FailureSink,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.connected = true;
    this.x.upstreamAbort = abort;
    if (this.x.clientGone) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const x = this.x;
    if (statusCode < 200) return true; // 1xx: undici goes on to the final answer
    x.integrationStatus = statusCode;
    x.integrationLatency = Math.round(performance.now() - x.integrationStartedAt);
    this.resume = resume;
    const headers = responseHeaders(rawHeaders);
    const head: ResponseHead = { status: statusCode, headers, integration: { headers } };
    const integ = x.route!.integration!;
    if (integ.readsResponseBody && integ.responseOps.has(statusCode)) {
      this.head = head;
      this.buffered = [];
      return true;
    }
    sendHead(x, head);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.buffered) {
      this.bufferedSize += chunk.length;
      if (this.bufferedSize > MAX_PAYLOAD_BYTES) throw new Error('integration response exceeds 10 MB');
      this.buffered.push(chunk);
      return true;
    }
    const res = this.x.res;
    this.x.responseLength += chunk.length;
    if (res.write(chunk)) return true;
    res.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    const x = this.x;
    x.upstreamAbort = undefined;
    if (this.buffered) {
      const body = Buffer.concat(this.buffered);
      const head = this.head!;
      head.integration!.body = body;
      sendHead(x, head);
      x.responseLength = body.length;
      x.res.end(body);
      return;
    }
    x.res.end();
  }

  onError(err: Error): void {
    const x = this.x;
    x.upstreamAbort = undefined;
    if (x.clientGone) return;
    if (x.res.headersSent) {
      x.integrationError = err.message;
      x.res.destroy();
      return;
    }
    this.sink.failed(x, err, this.connected);
  }
}

const CURRENT = Symbol('wayfinder.exchange');
type Watched = { [CURRENT]?: Exchange };

/**
 * Cancels the upstream request when the client goes away first. One 'close' listener per client
 * connection (not per request): it aborts whatever exchange the connection is carrying.
 */
export function watchClient(x: Exchange): void {
  const socket = x.req.socket as typeof x.req.socket & Watched;
  if (!(CURRENT in socket)) {
    socket.once('close', () => {
      const cur = socket[CURRENT];
      if (!cur || cur.res.writableFinished) return;
      cur.clientGone = true;
      cur.upstreamAbort?.();
    });
  }
  socket[CURRENT] = x;
}

export function dispatch(x: Exchange, call: UpstreamCall, body: Buffer | NodeJS.ReadableStream | null, sink: FailureSink): void {
  x.integrationStartedAt = performance.now();
  call.pool.dispatch(
    {
      path: call.path,
      method: call.method,
      headers: x.upstreamHeaders,
      body: body as Buffer | null,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
      // Bodies must not be replayed by undici itself; retries are ours and only when safe.
      idempotent: false,
    },
    new ProxyHandler(x, sink) as never,
  );
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const STALE_SOCKET_ERRORS = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * Whether a failed attempt may go to another instance: the request never left (no connection), or it
 * was an idempotent, bodiless request lost on a reused keep-alive socket before any answer.
 */
export function retryable(err: Error, connected: boolean, x: Exchange, method: string): boolean {
  const code = (err as { code?: string }).code ?? '';
  if (!connected) return CONNECT_ERRORS.has(code);
  return !x.hasBody && IDEMPOTENT.has(method) && STALE_SOCKET_ERRORS.has(code);
}
