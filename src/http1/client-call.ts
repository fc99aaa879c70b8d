// One request on the upstream client: the head it sends, its body (a Buffer, or streamed from a
// BodySource with backpressure, chunked when its length is unknown), and what the caller hears:
// a response head, body chunks, the end, or one UpstreamError that says whether the request may
// have reached the backend (the caller's retry rule depends on it).
import type { BodySink } from './exchange.js';
import type { ClientConnection } from './client-connection.js';
import type { ForwardHead } from './simple-response-head.js';

const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const INVALID_TARGET = /[^\x21-\x7e\x80-\xff]/;

/** Where a streamed request body comes from (the client exchange's body, through any limit). */
export interface BodySource {
  /** Starts the flow into `sink` (called once the connection is up, so a refused connect loses nothing). */
  start(sink: BodySink): void;
  resume(): void;
  /** The upstream side gave up: drop the rest. */
  cancel(): void;
}

export interface ClientRequest {
  method: string;
  /** Origin-form target: path and query. */
  path: string;
  /** Flat [name, value, …]; a Host entry replaces the origin's host. Content-Length, if any, must match the body. */
  headers: string[];
  /** The caller vouches: names are tokens, values hold no CR/LF/NUL (llhttp-parsed or generated). */
  headersChecked: boolean;
  /**
   * Instead of `headers`: the same already serialized, `name: value\r\n` each, checked by the caller
   * and holding no Host (the origin's is added).
   */
  headLines?: string | undefined;
  body: Buffer | BodySource | null;
  /** Stream the body chunked (its length is not known). */
  chunked: boolean;
  /** Add Content-Length for a Buffer body (when the headers do not carry one already). */
  addContentLength: boolean;
  /** Integration timeout: to the response head, and between response body chunks. */
  timeoutMs: number;
}

export interface ResponseHandler {
  /** The connection is up and the request is about to be written. */
  onConnected(call: ClientCall): void;
  onHead(status: number, headers: string[]): void;
  /**
   * Optional, asked when a response head has arrived: true when this call passes the backend's head
   * on as it came (its fields minus the hop-by-hop ones). A head the fast path reads then goes to
   * `onForwardHead` instead of `onHead` (any other head still goes to `onHead`).
   */
  forwardsHead?(): boolean;
  onForwardHead?(head: ForwardHead): void;
  /**
   * false: pause the response until `resume()`. The chunk may be a view of the shared read buffer
   * (socket-io.ts), valid only during the call: copy what you keep (`keepable`).
   */
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  onError(err: UpstreamError): void;
}

export type UpstreamFailure = 'connect' | 'timeout' | 'closed' | 'protocol' | 'aborted' | 'request';

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly kind: UpstreamFailure,
    /** The connection was up: the backend may have seen (part of) the request. */
    readonly connected: boolean,
    /** Response bytes had arrived. */
    readonly responseStarted: boolean,
  ) {
    super(message);
  }
}

export class ClientCall implements BodySink {
  connection: ClientConnection | undefined;
  /** The request head and body went out completely. */
  requestSent = false;
  responseStarted = false;
  done = false;
  connected = false;

  constructor(
    readonly request: ClientRequest,
    readonly handler: ResponseHandler,
  ) {}

  /** Pauses the response until the caller drained. */
  resume(): void {
    this.connection?.resumeResponse(this);
  }

  /** Cancels the request (the client went away): nothing more is reported. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.cancelBody();
    this.connection?.abandon(this);
  }

  /** The head, validated: a CR/LF/NUL from a mapped header must never split the request. */
  head(defaultHost: string): string {
    const r = this.request;
    if (INVALID_TARGET.test(r.path) || !TOKEN.test(r.method))
      throw new UpstreamError(`invalid request line for ${r.method} ${r.path.slice(0, 100)}`, 'ERR_INVALID_REQUEST', 'request', false, false);
    let out = r.method + ' ' + r.path + ' HTTP/1.1\r\n';
    if (r.headLines !== undefined) out += r.headLines + 'host: ' + defaultHost + '\r\n';
    else {
      let host = false;
      const h = r.headers;
      for (let i = 0; i < h.length; i += 2) {
        const name = h[i]!;
        const value = h[i + 1]!;
        if (!r.headersChecked && (!TOKEN.test(name) || INVALID_VALUE.test(value)))
          throw new UpstreamError(`invalid request header "${name.slice(0, 100)}"`, 'ERR_INVALID_CHAR', 'request', false, false);
        if (name.length === 4 && name.toLowerCase() === 'host') host = true;
        out += name + ': ' + value + '\r\n';
      }
      if (!host) out += 'host: ' + defaultHost + '\r\n';
    }
    if (r.chunked) out += 'transfer-encoding: chunked\r\n';
    else if (r.addContentLength && Buffer.isBuffer(r.body)) out += 'content-length: ' + r.body.length + '\r\n';
    return out + '\r\n';
  }

  // BodySink: the streamed request body on its way to the backend.

  data(chunk: Buffer): boolean {
    if (this.done || !this.connection || chunk.length === 0) return true;
    return this.connection.writeBody(chunk, this.request.chunked);
  }

  end(): void {
    if (this.done || !this.connection) return;
    this.connection.endBody(this, this.request.chunked);
  }

  error(err: Error): void {
    if (this.done) return;
    // The client's body broke (or is over a limit): the backend must not take a truncated body for a whole one.
    this.fail(new UpstreamError(err.message, (err as { code?: string }).code ?? 'ERR_REQUEST_BODY', 'request', this.connected, this.responseStarted));
  }

  cancelBody(): void {
    const b = this.request.body;
    if (b && !Buffer.isBuffer(b)) b.cancel();
  }

  /** Ends the call with an error (once), and drops its connection. */
  fail(err: UpstreamError): void {
    if (this.done) return;
    this.done = true;
    this.cancelBody();
    this.connection?.abandon(this);
    this.handler.onError(err);
  }
}
