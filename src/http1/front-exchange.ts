// One request on the lean front and its response: what llhttp parsed, the body flow (driven by the
// connection, which feeds body bytes only once the handler asked for them — that is the request
// backpressure), and the response writer (framing, keep-alive, Date, one write per small answer).
import type { BodySink, ConnectionMemo, ExchangeEvents, ServerExchange } from './exchange.js';
import type { FrontConnection } from './front-connection.js';
import type { FrontRoute } from './front.js';
import { latin1 } from './latin1.js';
import { dateHeaderLine, headerLines, statusLine, type HeadFacts } from './response-head.js';
import { keepable, writeLatin1 } from './socket-io.js';

const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
const LAST_CHUNK = '0\r\n\r\n';
/** Up to this size a head and its body are copied into one buffer (one write, no writev). */
const COALESCE_MAX = 16 * 1024;

export class FrontExchange implements ServerExchange, HeadFacts {
  // Framing of the request body, from the headers (llhttp has validated them).
  /** Content-Length, or -1 when the body is chunked or absent. */
  requestLength = -1;
  requestChunked = false;
  expectContinue = false;
  /** llhttp's verdict: the client allows keep-alive (version and Connection header). */
  keepAlive: boolean;
  /** The request message was received to its end. */
  messageDone = false;

  /** Who answers it (set when the front claims the request). */
  route: FrontRoute | undefined;
  /** A status the front answers itself instead of the route (unsupported framing, Expect). */
  reject = 0;

  private events: ExchangeEvents | undefined;
  private sink: BodySink | undefined;
  /** 0: nobody asked for the body yet (the connection does not feed it); 1: read into `sink`; 2: dropped. */
  private bodyMode: 0 | 1 | 2 = 0;
  private bodyPaused = false;
  private bodyFailed = false;
  private continueSent = false;
  /** Cut loose by the connection (timed out): writes go nowhere. */
  private abandoned = false;

  // Response state.
  statusCode = 0;
  headersSent = false;
  finished = false;
  /** The connection closes after this response. */
  closeAfter = false;
  private head: string | undefined;
  private chunkedOut = false;
  private noBody = false;
  needDrain = false;
  private closedCalled = false;

  // HeadFacts, filled by headerLines().
  contentLength = -1;
  askedClose = false;
  hasDate = false;

  constructor(
    readonly conn: FrontConnection,
    readonly method: string,
    readonly url: string,
    readonly httpVersion: string,
    readonly rawHeaders: string[],
    keepAlive: boolean,
  ) {
    this.keepAlive = keepAlive;
  }

  get remoteAddress(): string {
    return this.conn.remoteAddress;
  }

  get localAddress(): string {
    return this.conn.localAddress;
  }

  get memo(): ConnectionMemo {
    return this.conn.memo;
  }

  get destroyed(): boolean {
    return this.abandoned || this.conn.destroyed;
  }

  listen(events: ExchangeEvents): void {
    this.events = events;
  }

  // ---- request body -------------------------------------------------------------------------

  /** Reads the framing headers (llhttp has validated them); a non-zero `reject` is answered by the front. */
  scanFraming(): void {
    const h = this.rawHeaders;
    for (let i = 0; i < h.length; i += 2) {
      const k = h[i]!;
      switch (k.length) {
        case 6:
          if (k.toLowerCase() === 'expect' && this.httpVersion === '1.1') {
            if (h[i + 1]!.trim().toLowerCase() === '100-continue') this.expectContinue = true;
            else this.reject = 417;
          }
          break;
        case 14:
          if (k.toLowerCase() === 'content-length') this.requestLength = Number(h[i + 1]!.trim());
          break;
        case 17:
          if (k.toLowerCase() === 'transfer-encoding') {
            this.requestChunked = true;
            // Only `chunked` is understood: forwarding a body decoded from `gzip, chunked` without
            // its coding would change it, so such requests are refused (RFC 9112 §6.1: 501).
            if (h[i + 1]!.trim().toLowerCase() !== 'chunked') this.reject = 501;
          }
          break;
      }
    }
  }

  /** Whether the connection may feed body bytes now. */
  get bodyFlowing(): boolean {
    if (this.messageDone || this.bodyFailed) return false;
    return this.bodyMode === 2 || (this.bodyMode === 1 && !this.bodyPaused);
  }

  readBody(sink: BodySink): void {
    if (this.bodyMode !== 0) throw new Error('the request body is already being read');
    this.bodyMode = 1;
    this.sink = sink;
    if (this.messageDone) {
      sink.end();
      return;
    }
    if (this.bodyFailed) {
      sink.error(new Error('the request body could not be read'));
      return;
    }
    this.sendContinue();
    this.conn.pump();
  }

  resumeBody(): void {
    if (!this.bodyPaused) return;
    this.bodyPaused = false;
    this.conn.pump();
  }

  discardBody(): void {
    if (this.bodyMode === 2) return;
    this.bodyMode = 2;
    this.sink = undefined;
    this.bodyPaused = false;
    if (this.messageDone || this.bodyFailed) return;
    this.sendContinue();
    this.conn.pump();
  }

  /** From the parser (kOnBody). */
  onBody(chunk: Buffer): void {
    if (this.bodyMode === 1 && !this.bodyFailed && !this.sink!.data(chunk)) this.bodyPaused = true;
  }

  /** From the parser (kOnMessageComplete). */
  onMessageComplete(): void {
    this.messageDone = true;
    if (this.bodyMode === 1 && !this.bodyFailed) this.sink!.end();
  }

  /** The body will not arrive complete (client gone, broken chunk, timeout): the reader hears it. */
  failBody(err: Error): void {
    if (this.messageDone || this.bodyFailed) return;
    this.bodyFailed = true;
    if (this.bodyMode === 1) this.sink!.error(err);
  }

  private sendContinue(): void {
    if (!this.expectContinue || this.continueSent || this.headersSent) return;
    this.continueSent = true;
    this.conn.socket.write(CONTINUE);
  }

  /** An Expect: 100-continue client was never told to send its body. */
  get continueWithheld(): boolean {
    return this.expectContinue && !this.continueSent;
  }

  // ---- response -----------------------------------------------------------------------------

  writeHead(status: number, headers: string[], checked = false): void {
    if (this.headersSent) throw new Error('response headers were already sent');
    this.setHead(status, headerLines(headers, this, checked, status === 204 || status < 200));
  }

  /**
   * writeHead with the fields already serialized and checked (a backend's head passed on,
   * simple-response-head.ts). Not for 1xx or 204, whose Content-Length writeHead drops.
   */
  writeHeadLines(status: number, lines: string, contentLength: number, hasDate: boolean): void {
    if (this.headersSent) throw new Error('response headers were already sent');
    if (status < 200 || status === 204) throw new RangeError(`writeHeadLines cannot write a ${status}`);
    this.contentLength = contentLength;
    this.askedClose = false;
    this.hasDate = hasDate;
    this.setHead(status, lines);
  }

  /** The head to write, from the status and the fields' lines (HeadFacts filled in). */
  private setHead(status: number, lines: string): void {
    const line = statusLine(status);
    this.statusCode = status;
    this.headersSent = true;
    this.noBody = this.method === 'HEAD' || status === 204 || status === 304 || status < 200;
    let framing = '';
    if (!this.noBody && this.contentLength < 0) {
      if (this.httpVersion === '1.1') {
        this.chunkedOut = true;
        framing = 'Transfer-Encoding: chunked\r\n';
      } else {
        this.closeAfter = true; // an HTTP/1.0 client reads this body until the connection closes
      }
    }
    // A client that withheld its body (100-continue) may or may not send it now: the next request
    // cannot be found reliably, so the connection ends with this answer.
    if (this.askedClose || !this.keepAlive || this.conn.closing || (this.continueWithheld && !this.messageDone)) this.closeAfter = true;
    this.head = line + lines + (this.hasDate ? '' : dateHeaderLine()) + (this.closeAfter ? 'Connection: close\r\n' : this.conn.keepAliveLines) + framing + '\r\n';
  }

  write(chunk: Buffer): boolean {
    if (this.finished) throw new Error('write after end');
    if (!this.headersSent) this.writeHead(200, []);
    if (this.destroyed) return true;
    if (this.noBody || chunk.length === 0) {
      if (this.head !== undefined) this.flushHead();
      return true;
    }
    const socket = this.conn.socket;
    let ok: boolean;
    if (this.chunkedOut) {
      socket.cork();
      if (this.head !== undefined) this.flushHead();
      socket.write(chunk.length.toString(16) + '\r\n', 'latin1');
      socket.write(keepable(chunk));
      ok = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else if (this.head !== undefined) {
      ok = this.writeWithHead(chunk);
    } else {
      ok = socket.write(keepable(chunk));
    }
    if (!ok) this.needDrain = true;
    return ok;
  }

  end(chunk?: Buffer): void {
    if (this.finished) return;
    if (!this.headersSent) this.writeHead(200, chunk ? ['Content-Length', String(chunk.length)] : ['Content-Length', '0']);
    this.finished = true;
    if (!this.destroyed) {
      const socket = this.conn.socket;
      const body = chunk?.length && !this.noBody ? chunk : undefined;
      if (this.chunkedOut) {
        socket.cork();
        if (this.head !== undefined) this.flushHead();
        if (body) {
          socket.write(body.length.toString(16) + '\r\n', 'latin1');
          socket.write(keepable(body));
          socket.write('\r\n' + LAST_CHUNK, 'latin1');
        } else socket.write(LAST_CHUNK, 'latin1');
        socket.uncork();
      } else if (this.head !== undefined) {
        if (body) this.writeWithHead(body);
        else this.flushHead();
      } else if (body) socket.write(keepable(body));
    }
    this.conn.responseEnded(this);
    this.notifyClosed();
  }

  destroy(): void {
    // Once this answer is out and the connection lingers, the lingering bounds decide when it
    // closes: cutting it now would send the client a RST instead of letting it read the answer.
    if (this.finished && this.conn.lingering) return;
    this.conn.destroy();
  }

  /** From the connection: the client's 'drain'. */
  onDrain(): void {
    if (!this.needDrain) return;
    this.needDrain = false;
    this.events?.drain();
  }

  /** From the connection: it gave up on this exchange (timeout) and answers the client itself. */
  abandon(err: Error): void {
    this.abandoned = true;
    this.onConnectionLost(err);
  }

  /** From the connection: it closed (or was cut) before this response finished. */
  onConnectionLost(err: Error): void {
    // Aborted first: the handler stops caring, then its body reader hears why.
    if (!this.finished) this.events?.aborted();
    this.failBody(err);
    this.notifyClosed();
  }

  private notifyClosed(): void {
    if (this.closedCalled) return;
    this.closedCalled = true;
    this.events?.closed();
  }

  private flushHead(): void {
    writeLatin1(this.conn.socket, this.head!);
    this.head = undefined;
  }

  /**
   * The head and the first body bytes in one write: one syscall, one TCP segment for small answers.
   * Small bodies ride in the head's latin1 string (byte for byte), measured cheaper than a copy into
   * a new Buffer or a corked writev.
   */
  private writeWithHead(chunk: Buffer): boolean {
    const head = this.head!;
    this.head = undefined;
    const socket = this.conn.socket;
    if (chunk.length > COALESCE_MAX) {
      socket.cork();
      socket.write(head, 'latin1');
      const ok = socket.write(keepable(chunk));
      socket.uncork();
      return ok;
    }
    return writeLatin1(socket, head + latin1(chunk));
  }
}
