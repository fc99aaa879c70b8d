// One client connection on the lean front: llhttp (strict) fed one slice at a time, so the byte
// where each message ends is always known (message-end.ts). That gives, with one request at a time:
//   - pipelined requests answered in order (the next head is parsed only once the answer is out;
//     its bytes wait in `held`, and the socket stops reading meanwhile);
//   - request-body backpressure (body bytes are fed only while the handler's sink accepts them);
//   - a hand-over to node:http exactly at a message boundary, when a request is not the front's.
// A connection that closes after an answer closes lingering (lingering-close.ts): the client reads
// the answer instead of a RST, even while it is still sending.
// Timeouts are checked by the Front's sweeper against the deadlines kept here.
import type { Socket } from 'node:net';
import type { ConnectionMemo } from './exchange.js';
import { FrontExchange } from './front-exchange.js';
import type { Front } from './front.js';
import { lingeringClose } from './lingering-close.js';
import {
  isParseError,
  kOnBody,
  kOnHeaders,
  kOnHeadersComplete,
  kOnMessageBegin,
  kOnMessageComplete,
  METHODS,
  newParser,
  releaseParser,
  REQUEST,
  type ParseError,
  type Parser,
} from './llhttp.js';
import { latin1 } from './latin1.js';
import { BlankLineScanner } from './message-end.js';
import { parseSimpleRequestHead, type SimpleRequestHead } from './simple-request-head.js';
import { inReadBuffer, outputBacklogged, readDirect, readToStream } from './socket-io.js';

const enum Phase {
  /** Between messages or inside a head: slices end at blank lines. */
  Head,
  /** Inside a Content-Length body: slices end where the body ends. */
  LengthBody,
  /** Inside a chunked body: slices end at blank lines (where a chunked body can end). */
  ChunkedBody,
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
};

export class FrontConnection {
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly memo: ConnectionMemo = {};
  destroyed = false;
  handedOff = false;
  /** The connection is closing: the answer is out, what the client still sends is dropped (lingering-close.ts). */
  lingering = false;

  // Deadlines (Front.clock milliseconds; 0 = none), checked by the Front's sweeper.
  headersDeadline = 0;
  requestDeadline = 0;
  idleDeadline = 0;

  private readonly parser: Parser;
  private readonly scanner = new BlankLineScanner();
  private phase = Phase.Head;
  private remaining = 0;
  /** Received bytes not fed to the parser yet, in order. */
  private held: Buffer[] = [];
  /** The current head's bytes fed so far: given back to node:http on a hand-over. */
  private headBytes: Buffer[] = [];
  /** The exchange being received or answered (one at a time). */
  private current: FrontExchange | undefined;
  /** Claimed inside the parser callback; its handler runs once execute() has returned. */
  private claimed: FrontExchange | undefined;
  private handoffWanted = false;
  /** Heads with more than 32 fields arrive in parts (kOnHeaders) before kOnHeadersComplete. */
  private partialHeaders: string[] | undefined;
  private partialUrl = '';
  private inHead = false;
  private desync = false;
  /** kOnMessageBegin is set: a message that begins now is a desync (see execute). */
  private watchingBegin = false;
  /** kOnMessageComplete is set (it is not while a bodiless request completes: see onHeadersComplete). */
  private completeCallback = true;
  /** A bodiless request completed with its head: onMessageComplete runs once execute() returns. */
  private completeAfterExecute = false;
  /** The Content-Length body of a head read without llhttp: its bytes go to the exchange, not the parser. */
  private bodyWithoutParser = false;
  private pumping = false;
  private readPaused = false;
  private clientEnded = false;
  private ending = false;

  constructor(
    readonly socket: Socket,
    readonly front: Front,
  ) {
    const ip = socket.remoteAddress ?? '';
    this.remoteAddress = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    this.localAddress = socket.localAddress ?? '127.0.0.1';
    this.headersDeadline = front.clock + front.options.headersTimeoutMs;
    const p = (this.parser = newParser(REQUEST, front.options.maxHeaderSize));
    // The message begins when a head slice starts with something other than CR/LF (feedOne), so
    // llhttp calls no JavaScript for it; kOnMessageBegin only watches for a desync (execute).
    p[kOnMessageBegin] = null;
    p[kOnHeaders] = (headers: string[], url: string) => this.onHeaders(headers, url);
    p[kOnHeadersComplete] = (
      major: number,
      minor: number,
      headers: string[] | undefined,
      method: number,
      url: string | undefined,
      _s: unknown,
      _m: unknown,
      upgrade: boolean,
      keepAlive: boolean,
    ) => this.onHeadersComplete(major, minor, headers, method, url, upgrade, keepAlive);
    p[kOnBody] = (chunk: Buffer) => this.current?.onBody(chunk);
    p[kOnMessageComplete] = this.onComplete;
    // Reads straight from the handle into a shared buffer when possible (socket-io.ts).
    if (!readDirect(socket, this.onRead)) socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', noop);
    socket.on('close', this.onClose);
  }

  get closing(): boolean {
    return this.ending || this.front.closing;
  }

  /** `Connection: keep-alive` plus the idle timeout hint, as node:http sends them. */
  get keepAliveLines(): string {
    return this.front.keepAliveLines;
  }

  /** Pipelined requests wait until the client reads the answers already written (canFeed). */
  private get waitingForReader(): boolean {
    return this.current === undefined && !this.inHead && this.held.length > 0 && outputBacklogged(this.socket);
  }

  get idle(): boolean {
    // A lingering connection is not idle: a graceful stop lets its client read the answer.
    return this.current === undefined && this.held.length === 0 && !this.inHead && !this.lingering;
  }

  // ---- input --------------------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    this.held.push(chunk);
    this.pump();
  };

  /** A read in the shared buffer: parsed now; what must wait (pipelined bytes, a partial head) is copied. */
  private readonly onRead = (chunk: Buffer): void => {
    this.held.push(chunk);
    this.pump();
    if (this.held.length > 0) copyOut(this.held);
    if (this.headBytes.length > 0) copyOut(this.headBytes);
  };

  /** Feeds held bytes while the state allows; safe to call from anywhere (never re-enters execute). */
  pump(): void {
    if (this.pumping || this.destroyed || this.handedOff || this.lingering) return;
    this.pumping = true;
    try {
      while (this.held.length > 0 && this.canFeed()) if (!this.feedOne()) break;
    } finally {
      this.pumping = false;
    }
    if (this.destroyed || this.handedOff || this.lingering) return;
    this.checkClientEnd();
    this.updateReading();
  }

  private canFeed(): boolean {
    if (this.destroyed || this.handedOff) return false;
    // Closing: the rest of a body being dropped is still read, a next request is not.
    // A pipelined request waits while the client is not reading our answers: answers to a flood of
    // requests from a client that never reads would otherwise pile up in memory without bound. A head
    // already begun (cut across two reads) is read to its end, though: its headers timeout runs, and
    // must not fire because we stopped reading (one more answer at most is queued).
    if (this.phase === Phase.Head) return this.current === undefined && !this.ending && (this.inHead || !outputBacklogged(this.socket));
    return this.current?.bodyFlowing === true;
  }

  /** Cuts the next slice at the next possible message end and parses it. false: stop feeding. */
  private feedOne(): boolean {
    const buf = this.held[0]!;
    let end: number;
    let atBlankLine = false;
    if (this.phase === Phase.LengthBody) end = Math.min(buf.length, this.remaining);
    else {
      const e = this.scanner.next(buf, 0);
      atBlankLine = e >= 0;
      end = atBlankLine ? e : buf.length;
    }
    let slice = buf;
    if (end === buf.length) this.held.shift();
    else {
      slice = buf.subarray(0, end);
      this.held[0] = buf.subarray(end);
    }
    const phase = this.phase;
    if (phase === Phase.Head) {
      // A whole head in one slice that fits the narrow grammar is read without llhttp.
      if (atBlankLine && !this.inHead && end <= this.front.simpleHeadMax) {
        const simple = parseSimpleRequestHead(latin1(slice));
        if (simple) return this.simpleHead(slice, simple);
      }
      this.headBytes.push(slice);
      // llhttp skips CR/LF between messages and begins one at any other byte.
      if (!this.inHead && !onlyLineEnds(slice)) this.onMessageBegin();
    } else if (phase === Phase.LengthBody) {
      this.remaining -= end;
      if (this.bodyWithoutParser) return this.bodySlice(slice);
    }
    if (!this.execute(slice)) return false;
    // The invariants that make the boundaries exact; a violation closes the connection.
    if (phase === Phase.Head && atBlankLine && this.inHead) return this.broken('head did not end at its blank line');
    if (phase === Phase.LengthBody && this.remaining === 0 && this.phase === Phase.LengthBody) return this.broken('body did not end at its length');
    return this.runClaimed();
  }

  /**
   * Parses one slice. A message that ends inside it and another that begins after it in the same
   * slice mean the boundaries are not where the front cut: the begin watcher, set when a message
   * completes, flags that (a desync), and the connection closes.
   */
  private execute(slice: Buffer): boolean {
    if (this.watchingBegin) {
      this.watchingBegin = false;
      this.parser[kOnMessageBegin] = null;
    }
    let r: number | ParseError;
    try {
      r = this.parser.execute(slice);
    } catch (e) {
      // A body sink threw inside a parser callback: the parser state is unknown now.
      this.front.options.report(e, 'request body handler failed');
      this.destroy();
      return false;
    }
    if (isParseError(r)) {
      this.completeAfterExecute = false;
      this.parseFailed(r);
      return false;
    }
    if (this.completeAfterExecute) {
      this.completeAfterExecute = false;
      this.onMessageComplete();
      if (this.destroyed) return false;
    }
    if (this.desync) return this.broken('a message ended inside a slice');
    if (this.handoffWanted) {
      this.handoff();
      return false;
    }
    return !this.destroyed;
  }

  /**
   * A head read by simple-request-head.ts: the same steps as llhttp's callbacks for it (begin,
   * headers complete, then message complete at once or after its Content-Length body, bodySlice),
   * without llhttp, which stays between messages.
   */
  private simpleHead(slice: Buffer, head: SimpleRequestHead): boolean {
    this.headBytes.push(slice);
    this.onMessageBegin();
    this.inHead = false;
    this.headersDeadline = 0;
    const x = new FrontExchange(this, head.method, head.url, '1.1', head.headers, head.keepAlive);
    if (!this.front.claims(x)) {
      this.handoff();
      return false;
    }
    this.headBytes = [];
    this.current = x;
    this.claimed = x;
    this.scanner.reset();
    if (x.requestLength > 0) {
      // Never chunked here (the fast path refuses Transfer-Encoding): the body is the next
      // requestLength bytes, cut by feedOne as for llhttp, and handed over by bodySlice.
      this.phase = Phase.LengthBody;
      this.remaining = x.requestLength;
      this.bodyWithoutParser = true;
      return this.runClaimed();
    }
    // No body: the message is complete with its head.
    this.onMessageComplete();
    if (this.destroyed) return false;
    return this.runClaimed();
  }

  /** A slice of a body whose head llhttp never saw: what its kOnBody and kOnMessageComplete would do. */
  private bodySlice(slice: Buffer): boolean {
    // As inside execute(): a body sink that throws (at a chunk or at the end) closes this connection only.
    try {
      // kOnBody hands over a copy; a view of the shared read buffer would be overwritten by the next read
      // (a sink may keep the chunk: a buffered body, a backend that is slow to take it).
      this.current?.onBody(inReadBuffer(slice) ? Buffer.from(slice) : slice);
      if (this.remaining === 0) {
        this.bodyWithoutParser = false;
        this.onMessageComplete();
      }
    } catch (e) {
      this.front.options.report(e, 'request body handler failed');
      this.destroy();
      return false;
    }
    return !this.destroyed && !this.handedOff;
  }

  private runClaimed(): boolean {
    const x = this.claimed;
    if (!x) return true;
    this.claimed = undefined;
    this.front.serve(x);
    return !this.destroyed && !this.handedOff;
  }

  // ---- parser callbacks (inside execute): they never re-enter the parser; a claimed request's
  // handler runs once execute() has returned, body bytes go to its sink (which may write upstream).

  /** A message begins (from feedOne, before its first slice is parsed). */
  private onMessageBegin(): void {
    this.inHead = true;
    this.idleDeadline = 0;
    const now = this.front.clock;
    this.headersDeadline = now + this.front.options.headersTimeoutMs;
    this.requestDeadline = now + this.front.options.requestTimeoutMs;
  }

  private onHeaders(headers: string[], url: string): void {
    if (!this.inHead) return; // trailers after a chunked body: dropped, as a proxy may
    this.partialHeaders = this.partialHeaders ? this.partialHeaders.concat(headers) : headers;
    this.partialUrl += url;
  }

  private onHeadersComplete(major: number, minor: number, headers: string[] | undefined, method: number, url: string | undefined, upgrade: boolean, keepAlive: boolean): number {
    this.inHead = false;
    this.headersDeadline = 0;
    if (this.partialHeaders) {
      headers = headers ? this.partialHeaders.concat(headers) : this.partialHeaders;
      url = this.partialUrl + (url ?? '');
      this.partialHeaders = undefined;
      this.partialUrl = '';
    }
    if (upgrade) {
      // Upgrade and CONNECT stay node:http's, as before the front existed.
      this.handoffWanted = true;
      return 0;
    }
    const x = new FrontExchange(this, METHODS[method] ?? 'GET', url ?? '/', major === 1 && minor === 1 ? '1.1' : `${major}.${minor}`, headers ?? [], keepAlive);
    if (!this.front.claims(x)) {
      this.handoffWanted = true;
      return 0;
    }
    this.headBytes = [];
    this.current = x;
    this.claimed = x;
    if (x.requestChunked) this.phase = Phase.ChunkedBody;
    else if (x.requestLength > 0) {
      this.phase = Phase.LengthBody;
      this.remaining = x.requestLength;
    }
    this.scanner.reset();
    const p = this.parser;
    if (this.phase === Phase.Head) {
      // No body: llhttp completes the message right after this callback. That completion runs once
      // execute() returns (no second JavaScript call); a message beginning after it is a desync.
      // Should llhttp expect a body after all, the next head is parsed as that body and the
      // "head did not end at its blank line" check closes the connection.
      if (this.completeCallback) {
        this.completeCallback = false;
        p[kOnMessageComplete] = null;
      }
      this.completeAfterExecute = true;
      this.watchBegin();
    } else if (!this.completeCallback) {
      this.completeCallback = true;
      p[kOnMessageComplete] = this.onComplete;
    }
    return 0;
  }

  private watchBegin(): void {
    this.watchingBegin = true;
    this.parser[kOnMessageBegin] = this.onStrayBegin;
  }

  private readonly onStrayBegin = (): void => {
    this.desync = true;
  };

  /** llhttp's kOnMessageComplete (messages with a body): no later message may begin in this slice. */
  private readonly onComplete = (): void => {
    this.watchBegin();
    this.onMessageComplete();
  };

  private onMessageComplete(): void {
    this.requestDeadline = 0;
    if (this.phase === Phase.LengthBody && this.remaining !== 0) this.desync = true;
    this.phase = Phase.Head;
    this.scanner.reset();
    const x = this.current;
    if (!x) return; // a message handed over (upgrade without body) or already abandoned
    x.onMessageComplete();
    if (x.finished) this.finishExchange();
  }

  // ---- the exchange's side ------------------------------------------------------------------

  /** The response was written completely. */
  responseEnded(x: FrontExchange): void {
    if (x !== this.current) return;
    if (x.closeAfter) this.ending = true;
    if (!x.messageDone) {
      // An early answer: the rest of the body is dropped, so the client can finish sending and read
      // the answer. On a connection that stays open the next request starts where this body ends,
      // so the parser reads it; on one that closes, the lingering close drops it unparsed.
      x.discardBody();
      if (!this.ending) return;
      this.current = undefined;
    }
    this.finishExchange();
  }

  private finishExchange(): void {
    this.current = undefined;
    if (this.ending) {
      this.endSocket();
      return;
    }
    // Also bounds how long pipelined requests wait for a client that does not read (waitingForReader).
    this.idleDeadline = this.front.clock + this.front.options.keepAliveTimeoutMs;
    if (this.held.length === 0) {
      this.checkClientEnd();
      this.updateReading();
    } else if (!this.pumping) {
      // Pipelined bytes are waiting: parse them, but not on the stack of whoever ended the answer.
      queueMicrotask(() => this.pump());
    }
  }

  // ---- errors, timeouts, the end --------------------------------------------------------------

  private parseFailed(err: ParseError): void {
    const x = this.current;
    if (x) {
      // The body of a request being answered is broken (a bad chunk): the handler gives up on it
      // (its backend never sees a complete body) and the client gets a 400 if nothing was sent yet.
      this.current = undefined;
      x.abandon(new Error(`bad request body: ${err.reason}`));
      if (x.headersSent) this.destroy();
      else this.answerAndClose(400);
      return;
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      const partial = Buffer.concat(this.headBytes).toString('latin1');
      const custom = this.front.options.headTooLarge?.(partial);
      if (custom) this.answerAndClose(custom.status, custom.headers, custom.body);
      else this.answerAndClose(431);
      return;
    }
    this.answerAndClose(err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : 400);
  }

  /** An error answer from the front itself, then the connection closes. */
  answerAndClose(status: number, headers: string[] = [], body = ''): void {
    if (this.destroyed || this.handedOff) return;
    let head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n`;
    for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    head += `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    this.held = [];
    this.ending = true;
    this.socket.write(head + body);
    this.endSocket();
  }

  /** From the sweeper. */
  checkTimeouts(now: number): void {
    if (this.destroyed || this.handedOff) return;
    if (this.lingering) {
      if (now >= this.idleDeadline && !this.socket.writableFinished) this.destroy();
      return;
    }
    if (this.idleDeadline && now >= this.idleDeadline && (this.idle || this.waitingForReader)) {
      this.destroy();
      return;
    }
    const headers = this.headersDeadline && now >= this.headersDeadline;
    const request = this.requestDeadline && now >= this.requestDeadline;
    if (!headers && !request) return;
    const x = this.current;
    if (!x && !this.inHead) {
      // Connected but never started a request: nothing to answer.
      this.destroy();
      return;
    }
    if (x?.headersSent) {
      this.destroy();
      return;
    }
    this.current = undefined;
    if (x) x.abandon(new Error('the request timed out'));
    this.answerAndClose(408);
  }

  private readonly onEnd = (): void => {
    this.clientEnded = true;
    this.checkClientEnd();
  };

  /** The client sent FIN: once everything it sent is handled, our side ends too. */
  private checkClientEnd(): void {
    if (!this.clientEnded || this.held.length > 0 || this.destroyed || this.handedOff) return;
    const x = this.current;
    if (x) {
      if (x.messageDone) return; // answered when its response ends (finishExchange ends the socket)
      x.failBody(new Error('the client closed the connection before the request body ended'));
      this.destroy();
      return;
    }
    if (this.inHead)
      this.destroy(); // half a request: nothing to answer
    else this.endSocket();
  }

  /**
   * The last answer is written: our side ends, and what the client still sends is read and dropped
   * within bounds before the socket closes (lingering-close.ts), so the client reads the answer
   * instead of a RST. The connection stays in the front's set (a shutdown still cuts it).
   */
  private endSocket(): void {
    if (this.destroyed || this.lingering) return;
    this.ending = true;
    this.lingering = true;
    this.held = [];
    this.inHead = false;
    this.headersDeadline = 0;
    this.requestDeadline = 0;
    // A client that never reads what is left cannot keep the connection: the idle limit applies
    // until our answer is out; the lingering bounds apply after.
    this.idleDeadline = this.front.clock + this.front.options.keepAliveTimeoutMs;
    readToStream(this.socket);
    lingeringClose(this.socket);
  }

  private broken(why: string): false {
    this.front.options.report(new Error(`HTTP/1.1 framing check failed: ${why}`), 'front closed a connection');
    this.current?.failBody(new Error(why));
    this.destroy();
    return false;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.socket.destroy();
    this.onClose();
  }

  private readonly onDrain = (): void => {
    // Pipelined requests that waited for the client to read (canFeed) go on.
    if (this.current === undefined) this.pump();
    else this.current.onDrain();
  };

  private readonly onClose = (): void => {
    if (this.destroyed && this.current === undefined) return;
    if (!this.destroyed) releaseParser(this.parser);
    this.destroyed = true;
    this.front.forget(this);
    const x = this.current;
    this.current = undefined;
    this.claimed = undefined;
    if (x) x.onConnectionLost(new Error('the client connection closed'));
  };

  /** Reading stops while bytes wait (pipelining, body backpressure) and resumes when they are used. */
  private updateReading(): void {
    if (this.destroyed || this.handedOff || this.lingering) return;
    if (this.held.length > 0) {
      if (!this.readPaused) {
        this.readPaused = true;
        this.socket.pause();
      }
    } else if (this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  // ---- hand-over ------------------------------------------------------------------------------

  /** Gives the connection to node:http with the current message's bytes, from its first byte. */
  private handoff(): void {
    this.handedOff = true;
    const s = this.socket;
    s.off('data', this.onData);
    s.off('end', this.onEnd);
    s.off('drain', this.onDrain);
    s.off('error', noop);
    s.off('close', this.onClose);
    this.front.forget(this);
    releaseParser(this.parser);
    readToStream(s);
    const bytes = this.headBytes.concat(this.held);
    this.headBytes = [];
    this.held = [];
    // Buffer.concat copies: node:http reads these later, after the shared read buffer was reused.
    this.front.handoff(s, bytes.length === 1 && !inReadBuffer(bytes[0]!) ? bytes[0]! : Buffer.concat(bytes), this.readPaused);
  }
}

function noop(): void {}

/** Whether the slice holds nothing but CR and LF (what llhttp skips before a message). */
function onlyLineEnds(slice: Buffer): boolean {
  for (let i = 0; i < slice.length; i++) {
    const b = slice[i]!;
    if (b !== 13 && b !== 10) return false;
  }
  return true;
}

/** Replaces views of the shared read buffer by copies (they outlive the read). */
function copyOut(list: Buffer[]): void {
  for (let i = 0; i < list.length; i++) if (inReadBuffer(list[i]!)) list[i] = Buffer.from(list[i]!);
}
