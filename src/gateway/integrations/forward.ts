// Sends one request upstream on the gateway's keep-alive client (src/http1/client-pool.ts: llhttp in
// RESPONSE mode, a plain handler object, string headers, no streams), streams the answer back by hand
// with backpressure both ways, and reports a failure before the response started to the caller, who
// may retry it on another instance.
import { UpstreamError, type BodySource, type ClientCall, type ResponseHandler } from '../../http1/client-call.js';
import type { ClientPool } from '../../http1/client-pool.js';
import type { BodySink } from '../../http1/exchange.js';
import type { ResponseHead } from '../pipeline/response.js';
import type { GatewayExchange, UpstreamControl } from '../pipeline/gateway-exchange.js';
import { answerInternalError } from '../pipeline/reply.js';
import { forwardsBackendHead, sendForwardedHead, sendHead } from '../pipeline/response.js';
import { hopByHopLength, isHopByHop } from '../pipeline/headers.js';
import { MAX_PAYLOAD_BYTES } from '../pipeline/limits.js';
import { keepable } from '../../http1/socket-io.js';
import type { ForwardHead } from '../../http1/simple-response-head.js';

export const PAYLOAD_TOO_LARGE = 'ERR_PAYLOAD_TOO_LARGE';

export class PayloadTooLarge extends Error {
  readonly code = PAYLOAD_TOO_LARGE;
  constructor() {
    super('request body exceeds 10 MB');
  }
}

/** Connection options that name no header (Keep-Alive, the header, is hop-by-hop anyway). */
const CONNECTION_OPTION = /^\s*(keep-alive|close)\s*$/i;

/** The backend's headers minus hop-by-hop ones, compacted in place (the array is llhttp's, fresh per response). */
export function responseHeaders(raw: string[]): string[] {
  let listed: string | undefined;
  let w = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    const v = raw[i + 1]!;
    if (hopByHopLength(k.length)) {
      const l = k.toLowerCase();
      if (isHopByHop(l)) {
        if (l === 'connection' && !CONNECTION_OPTION.test(v)) listed = listed === undefined ? v : `${listed},${v}`;
        continue;
      }
    }
    raw[w++] = k;
    raw[w++] = v;
  }
  raw.length = w;
  if (listed) {
    const names = new Set<string>();
    for (const t of listed.split(',')) {
      const n = t.trim().toLowerCase();
      if (n && n !== 'keep-alive' && n !== 'close') names.add(n);
    }
    if (names.size) for (let i = raw.length - 2; i >= 0; i -= 2) if (names.has(raw[i]!.toLowerCase())) raw.splice(i, 2);
  }
  return raw;
}

/**
 * The client's request body on its way upstream: started only once the upstream connection is up
 * (so a refused connect can be retried with the body untouched), paused by the upstream socket,
 * and a chunked one counted and stopped past 10 MB (a Content-Length one was checked already).
 */
class ExchangeBody implements BodySource, BodySink {
  private sink: BodySink | undefined;
  private seen = 0;

  constructor(
    private readonly x: GatewayExchange,
    private readonly limit: boolean,
  ) {}

  start(sink: BodySink): void {
    this.sink = sink;
    this.x.io.readBody(this);
  }

  resume(): void {
    this.x.io.resumeBody();
  }

  cancel(): void {
    this.sink = undefined;
  }

  data(chunk: Buffer): boolean {
    const sink = this.sink;
    if (!sink) return true;
    if (this.limit) {
      this.seen += chunk.length;
      if (this.seen > MAX_PAYLOAD_BYTES) {
        this.sink = undefined;
        sink.error(new PayloadTooLarge());
        return true;
      }
    }
    return sink.data(chunk);
  }

  end(): void {
    this.sink?.end();
  }

  error(err: Error): void {
    this.sink?.error(err);
  }
}

/** The body to send: a buffered one, the client's body streamed, or none. */
export function requestBody(x: GatewayExchange): Buffer | BodySource | null {
  if (x.body) return x.body;
  if (!x.hasBody) return null;
  return new ExchangeBody(x, x.chunked);
}

/** Who hears about an attempt that failed before the response started (may retry elsewhere). */
export interface FailureSink {
  failed(x: GatewayExchange, err: UpstreamError): void;
}

class ProxyHandler implements ResponseHandler, UpstreamControl {
  private call: ClientCall | undefined;
  private buffered: Buffer[] | undefined;
  private bufferedSize = 0;
  private head: ResponseHead | undefined;

  constructor(
    private readonly x: GatewayExchange,
    private readonly sink: FailureSink,
  ) {}

  resume(): void {
    this.call?.resume();
  }

  abort(): void {
    this.call?.abort();
  }

  onConnected(call: ClientCall): void {
    this.call = call;
    if (this.x.clientGone) call.abort();
  }

  onHead(status: number, rawHeaders: string[]): void {
    const x = this.x;
    x.integrationStatus = status;
    x.integrationLatency = Math.round(performance.now() - x.integrationStartedAt);
    const headers = responseHeaders(rawHeaders);
    const head: ResponseHead = { status, headers, integration: { headers }, checked: true };
    const integ = x.route!.integration!;
    if (integ.readsResponseBody && integ.responseOps.has(status)) {
      this.head = head;
      this.buffered = [];
      return;
    }
    this.send(head);
  }

  forwardsHead(): boolean {
    return forwardsBackendHead(this.x);
  }

  /** A head no response step edits (forwardsHead): written as the backend sent it, minus hop-by-hop fields. */
  onForwardHead(head: ForwardHead): void {
    const x = this.x;
    x.integrationStatus = head.status;
    x.integrationLatency = Math.round(performance.now() - x.integrationStartedAt);
    try {
      sendForwardedHead(x, head);
    } catch (e) {
      this.failSend(e);
    }
  }

  onData(chunk: Buffer): boolean {
    if (this.buffered) {
      this.bufferedSize += chunk.length;
      if (this.bufferedSize > MAX_PAYLOAD_BYTES) {
        this.buffered = undefined;
        this.call?.fail(new UpstreamError('integration response exceeds 10 MB', 'ERR_RESPONSE_TOO_LARGE', 'protocol', true, true));
        return true;
      }
      this.buffered.push(keepable(chunk)); // the chunk may be a view of the shared read buffer
      return true;
    }
    const x = this.x;
    x.responseLength += chunk.length;
    return x.io.write(chunk);
  }

  onEnd(): void {
    const x = this.x;
    x.upstream = undefined;
    if (this.buffered) {
      const body = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
      const head = this.head!;
      head.integration!.body = body;
      if (!this.send(head)) return;
      x.responseLength = body.length;
      x.io.end(body);
      return;
    }
    x.io.end();
  }

  onError(err: UpstreamError): void {
    const x = this.x;
    x.upstream = undefined;
    if (x.clientGone) return;
    if (x.io.headersSent) {
      x.integrationError = err.message;
      x.io.destroy();
      return;
    }
    this.sink.failed(x, err);
  }

  /** The response steps can throw (a mapped header value with a CR/LF): that is a 500, and the backend call ends. */
  private send(head: ResponseHead): boolean {
    try {
      sendHead(this.x, head);
      return true;
    } catch (e) {
      this.failSend(e);
      return false;
    }
  }

  private failSend(e: unknown): void {
    this.x.upstream = undefined;
    this.call?.abort();
    answerInternalError(this.x, e);
  }
}

/**
 * One attempt upstream: `path` with its query string, `timeoutMs` the integration's (what is left of
 * it), `now` performance.now() as the caller read it (one clock read per attempt, not two). Plain
 * arguments, no options object per request.
 */
export function dispatch(
  x: GatewayExchange,
  pool: ClientPool,
  path: string,
  method: string,
  timeoutMs: number,
  body: Buffer | BodySource | null,
  sink: FailureSink,
  now: number,
): void {
  x.integrationStartedAt = now;
  const handler = new ProxyHandler(x, sink);
  x.upstream = handler;
  pool.request(
    {
      method,
      path,
      headers: x.upstreamHeaders,
      headersChecked: x.upstreamHeadersChecked,
      headLines: x.upstreamHeadLines,
      body,
      chunked: body !== null && !Buffer.isBuffer(body) && x.chunked,
      // A chunked request the gateway buffered (a mapping read it) goes out with its length.
      addContentLength: Buffer.isBuffer(body) && x.chunked,
      timeoutMs,
    },
    handler,
  );
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * Whether a failed attempt may go to another instance: the request never left (no connection), or it
 * was an idempotent, bodiless request whose connection was lost before any answer (typically a
 * reused keep-alive connection the backend had just closed, or a task killed mid-request).
 */
export function retryable(err: UpstreamError, x: GatewayExchange, method: string): boolean {
  if (err.kind === 'connect') return true;
  return err.kind === 'closed' && !err.responseStarted && !x.hasBody && IDEMPOTENT.has(method);
}
