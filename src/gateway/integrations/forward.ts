// Sends one request upstream with `pool.dispatch()` and a plain handler (perf/README: raw header
// Buffers, no Readable, no promise), streams the answer back by hand with backpressure, and reports a
// failure before the response started to the caller, who may retry it on another instance.
import type { Pool } from 'undici';
import { Readable } from 'node:stream';
import type { BodySink } from '../../http1/exchange.js';
import type { ResponseHead } from '../pipeline/index.js';
import type { Exchange, UpstreamControl } from '../pipeline/exchange.js';
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

/** The request body as the stream undici sends: fed by the exchange, paused when undici is slow. */
class BodyStream extends Readable implements BodySink {
  private seen = 0;

  constructor(
    private readonly x: Exchange,
    /** Count a chunked body and stop it past 10 MB (a Content-Length one was checked already). */
    private readonly limit: boolean,
  ) {
    super();
  }

  override _read(): void {
    this.x.io.resumeBody();
  }

  data(chunk: Buffer): boolean {
    if (this.destroyed) return true;
    if (this.limit) {
      this.seen += chunk.length;
      if (this.seen > MAX_PAYLOAD_BYTES) {
        this.destroy(new PayloadTooLarge());
        return true;
      }
    }
    return this.push(chunk);
  }

  end(): void {
    if (!this.destroyed) this.push(null);
  }

  error(err: Error): void {
    if (!this.destroyed) this.destroy(err);
  }
}

/** The body to send: a buffered one, the request body as a stream, or none. */
export function requestBody(x: Exchange): Buffer | NodeJS.ReadableStream | null {
  if (x.body) return x.body;
  if (!x.hasBody) return null;
  const stream = new BodyStream(x, x.chunked);
  x.io.readBody(stream);
  return stream;
}

/** Who hears about an attempt that failed before the response started (may retry elsewhere). */
export interface FailureSink {
  failed(x: Exchange, err: Error, connected: boolean): void;
}

class ProxyHandler implements UpstreamControl {
  connected = false;
  private resumeUpstream: (() => void) | undefined;
  private abortUpstream: ((err?: Error) => void) | undefined;
  private buffered: Buffer[] | undefined;
  private bufferedSize = 0;
  private head: ResponseHead | undefined;

  constructor(
    private readonly x: Exchange,
    private readonly sink: FailureSink,
  ) {}

  resume(): void {
    this.resumeUpstream?.();
  }

  abort(): void {
    this.abortUpstream?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    this.connected = true;
    this.abortUpstream = abort;
    this.x.upstream = this;
    if (this.x.clientGone) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const x = this.x;
    if (statusCode < 200) return true; // 1xx: undici goes on to the final answer
    x.integrationStatus = statusCode;
    x.integrationLatency = Math.round(performance.now() - x.integrationStartedAt);
    this.resumeUpstream = resume;
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
    this.x.responseLength += chunk.length;
    return this.x.io.write(chunk);
  }

  onComplete(): void {
    const x = this.x;
    x.upstream = undefined;
    if (this.buffered) {
      const body = Buffer.concat(this.buffered);
      const head = this.head!;
      head.integration!.body = body;
      sendHead(x, head);
      x.responseLength = body.length;
      x.io.end(body);
      return;
    }
    x.io.end();
  }

  onError(err: Error): void {
    const x = this.x;
    x.upstream = undefined;
    if (x.clientGone) return;
    if (x.io.headersSent) {
      x.integrationError = err.message;
      x.io.destroy();
      return;
    }
    this.sink.failed(x, err, this.connected);
  }
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
