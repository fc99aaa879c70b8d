// One keep-alive connection to a backend, one request at a time: writes the request (head and body
// coalesced when small), parses the answer with llhttp in RESPONSE mode (strict), and goes back to
// its pool only when the exchange ended cleanly (response complete, request fully sent, keep-alive,
// no stray bytes after the response). Anything else destroys the connection.
//
// llhttp is fed the response head only (cut at its blank line, as the front cuts requests): a body
// with a Content-Length is counted here and handed on as views of the shared read buffer (measured:
// llhttp's copy of each body and its three extra callbacks per response cost more than the count).
// Chunked and close-delimited bodies go through llhttp as before.
import type { Socket } from 'node:net';
import { type ClientCall, UpstreamError } from './client-call.js';
import { latin1 } from './latin1.js';
import { writeLatin1 } from './socket-io.js';
import { BlankLineScanner } from './message-end.js';
import { parseSimpleResponseHead, readForwardableResponseHead, type ForwardHead, type SimpleHead } from './simple-response-head.js';
import type { ClientPool } from './client-pool.js';
import { clock, deadlineIn, track, untrack, type Expiring } from './client-clock.js';
import { isParseError, kOnBody, kOnHeaders, kOnHeadersComplete, kOnMessageBegin, kOnMessageComplete, newParser, releaseParser, RESPONSE, type Parser } from './llhttp.js';

/** Up to this size a request head and a Buffer body go out in one write. */
const COALESCE_MAX = 16 * 1024;
const LAST_CHUNK = '0\r\n\r\n';
/** How long an unused connection stays open (undici's default; below node:http's 5 s keepAliveTimeout). */
const DEFAULT_IDLE_MS = 4000;
const EMPTY = Buffer.alloc(0);

export class ClientConnection implements Expiring {
  readonly socket: Socket;
  call: ClientCall | undefined;
  connected = false;
  destroyed = false;
  private readonly parser: Parser;
  /** When the current wait (connect, response head, next body chunk) fails; 0: none. */
  private deadline = 0;
  /** When this connection became idle; 0: busy. */
  private idleSince = 0;
  private learnedKeepAlive = false;
  private keepAlive = true;
  private informational = false;
  private completed = false;
  private strayBytes = false;
  private readPaused = false;
  private bodyWaitsForDrain = false;
  private partialHeaders: string[] | undefined;
  /** The final (non-1xx) response head was parsed: what follows is body, or stray bytes. */
  private headDone = false;
  /** Bytes of a Content-Length body still to come, counted here; 0: llhttp frames the body (if any). */
  private bodyLeft = 0;
  /** Finds the end of the response head, so llhttp is fed the head alone. */
  private readonly scanner = new BlankLineScanner();
  /** llhttp has been fed bytes of this response (from then on it parses the rest of the head). */
  private fedParser = false;
  private lastError: (Error & { code?: string }) | undefined;
  private idleMs = DEFAULT_IDLE_MS;

  constructor(
    private readonly pool: ClientPool,
    connectTimeoutMs: number,
  ) {
    // Plain TCP reads land in the pool's shared buffer and go straight to the parser (no Readable,
    // no 'data' event); llhttp copies what it keeps, so the buffer is free again on return.
    const socket = (this.socket = pool.open((n, buf) => {
      this.onData(buf.subarray(0, n));
      return !this.readPaused;
    }));
    const p = (this.parser = newParser(RESPONSE, pool.maxHeaderSize));
    // kOnMessageBegin is set only while llhttp frames a body (onHead): a message that begins after
    // the response is stray bytes. Otherwise the head slice ends the parser's input, and bytes after
    // a counted body or a bodiless answer are found stray here (onData), with no callback per response.
    p[kOnMessageBegin] = null;
    p[kOnHeaders] = (headers: string[]) => {
      // Trailers after a chunked body are dropped, as a proxy may.
      if (!this.headDone) this.partialHeaders = this.partialHeaders ? this.partialHeaders.concat(headers) : headers;
    };
    p[kOnHeadersComplete] = (_ma: number, _mi: number, headers: string[] | undefined, _m: unknown, _u: unknown, status: number, _t: unknown, _up: boolean, keepAlive: boolean) =>
      this.onHead(status, headers, keepAlive);
    p[kOnBody] = (chunk: Buffer) => this.onBody(chunk);
    p[kOnMessageComplete] = () => {
      if (this.strayBytes || this.bodyLeft > 0) return; // a counted body completes in onData
      if (this.informational) this.informational = false;
      else this.completed = true;
    };
    socket.setNoDelay(true);
    socket.on(pool.tls ? 'secureConnect' : 'connect', this.onConnect);
    if (pool.tls) socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.deadline = deadlineIn(connectTimeoutMs);
    track(this);
  }

  /** Runs a call on this connection (now if connected, else once it is). */
  start(call: ClientCall): void {
    this.call = call;
    call.connection = this;
    this.completed = false;
    this.strayBytes = false;
    this.keepAlive = true;
    this.idleSince = 0;
    this.headDone = false;
    this.fedParser = false;
    this.bodyLeft = 0;
    this.scanner.reset();
    this.parser[kOnMessageBegin] = null;
    if (this.connected) {
      this.deadline = deadlineIn(call.request.timeoutMs);
      this.send(call);
    } else {
      // Connecting counts against the call's timeout too (a black-holed backend must not cost more).
      this.deadline = Math.min(this.deadline, deadlineIn(call.request.timeoutMs));
    }
  }

  private readonly onConnect = (): void => {
    this.connected = true;
    const call = this.call;
    if (!call) {
      this.deadline = 0;
      this.idleSince = clock;
      return;
    }
    this.deadline = deadlineIn(call.request.timeoutMs);
    this.send(call);
  };

  private send(call: ClientCall): void {
    call.connected = true;
    call.handler.onConnected(call);
    if (call.done) return;
    let head: string;
    try {
      head = call.head(this.pool.hostHeader);
    } catch (e) {
      call.fail(e as UpstreamError);
      return;
    }
    const body = call.request.body;
    const s = this.socket;
    if (body === null) {
      call.requestSent = true;
      writeLatin1(s, head);
    } else if (Buffer.isBuffer(body)) {
      call.requestSent = true;
      if (body.length <= COALESCE_MAX) {
        writeLatin1(s, head + latin1(body));
      } else {
        s.cork();
        s.write(head, 'latin1');
        s.write(body);
        s.uncork();
      }
    } else {
      s.write(head, 'latin1');
      body.start(call);
    }
  }

  // ---- request body (from ClientCall, the BodySink) -------------------------------------------

  writeBody(chunk: Buffer, chunked: boolean): boolean {
    const s = this.socket;
    let ok: boolean;
    if (chunked) {
      s.cork();
      s.write(chunk.length.toString(16) + '\r\n', 'latin1');
      s.write(chunk);
      ok = s.write('\r\n', 'latin1');
      s.uncork();
    } else ok = s.write(chunk);
    if (!ok) this.bodyWaitsForDrain = true;
    return ok;
  }

  endBody(call: ClientCall, chunked: boolean): void {
    if (chunked) this.socket.write(LAST_CHUNK, 'latin1');
    call.requestSent = true;
  }

  private readonly onDrain = (): void => {
    if (!this.bodyWaitsForDrain) return;
    this.bodyWaitsForDrain = false;
    const b = this.call?.request.body;
    if (b && !Buffer.isBuffer(b)) b.resume();
  };

  // ---- response ---------------------------------------------------------------------------

  /**
   * A read (in the shared buffer for plain TCP). The head goes to llhttp slice by slice up to its
   * blank line; then a counted body is handed on here, anything else goes to llhttp.
   * Bytes after the response (a 204, 304 or HEAD answer that carries a body anyway, or anything
   * else the backend should not have sent) are no response of ours: they are ignored, the answer
   * ends as it was, and the connection is closed instead of reused (it is out of step).
   */
  private readonly onData = (chunk: Buffer): void => {
    const call = this.call;
    if (!call) {
      this.destroy(); // bytes nobody asked for: this connection cannot be trusted any more
      return;
    }
    let rest = chunk;
    while (!this.headDone && rest.length > 0) {
      // A 1xx head is followed by another head: the loop feeds that one too.
      const end = this.scanner.next(rest, 0);
      // A whole head in one read, in the narrow grammar of simple-response-head.ts: read without llhttp.
      if (end > 0 && !this.fedParser && end <= this.pool.maxHeaderSize && call.request.method !== 'HEAD') {
        const bytes = end === rest.length ? rest : rest.subarray(0, end);
        const text = latin1(bytes);
        // Passed on as it came when the caller wants that (once the backend's keep-alive hint is known).
        if (this.learnedKeepAlive && call.handler.forwardsHead?.() === true) {
          const forward = readForwardableResponseHead(bytes, text);
          if (forward) {
            rest = rest.subarray(end);
            this.onForwardHead(call, forward);
            if (this.call !== call) return; // abandoned by the handler
            continue;
          }
        }
        const simple = parseSimpleResponseHead(text);
        if (simple) {
          rest = rest.subarray(end);
          this.onSimpleHead(call, simple);
          if (this.call !== call) return; // abandoned by the handler
          continue;
        }
      }
      const slice = end < 0 ? rest : rest.subarray(0, end);
      rest = end < 0 ? EMPTY : rest.subarray(end);
      if (!this.parse(call, slice)) return;
    }
    if (rest.length > 0) {
      if (this.completed) this.strayBytes = true;
      else if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, rest.length);
        this.bodyLeft -= n;
        this.onBody(n === rest.length ? rest : rest.subarray(0, n));
        if (this.call !== call) return; // abandoned by the handler
        if (this.bodyLeft === 0) {
          this.completed = true;
          if (n < rest.length) this.strayBytes = true;
        }
      } else if (!this.parse(call, rest)) return;
    }
    if (this.completed) this.finish(call);
  };

  /** Feeds llhttp; false: the call is over (abandoned in a callback, or failed on a parse error). */
  private parse(call: ClientCall, slice: Buffer): boolean {
    this.fedParser = true;
    const r = this.parser.execute(slice);
    if (this.call !== call) return false; // the call was abandoned inside a callback
    if (!isParseError(r)) return true;
    if (this.completed) {
      this.strayBytes = true; // bytes after the response that are not even a response
      return true;
    }
    call.fail(new UpstreamError(`invalid response from the backend: ${r.reason}`, r.code, 'protocol', true, call.responseStarted));
    return false;
  }

  private onHead(status: number, headers: string[] | undefined, keepAlive: boolean): number {
    if (this.strayBytes) return 1;
    if (this.partialHeaders) {
      headers = headers ? this.partialHeaders.concat(headers) : this.partialHeaders;
      this.partialHeaders = undefined;
    }
    const call = this.call;
    if (!call || call.done) return 0;
    if (status < 200) {
      if (status === 101) {
        call.fail(new UpstreamError('the backend switched protocols', 'ERR_UPGRADE', 'protocol', true, true));
        return 0;
      }
      this.informational = true; // 100 Continue, 103 Early Hints: the real answer follows
      return 0;
    }
    call.responseStarted = true;
    this.headDone = true;
    const h = headers ?? [];
    // A 204 announcing a body (RFC 9110 forbids Content-Length and Transfer-Encoding in one) comes
    // from a backend that will send that body, perhaps in a later packet: not reused either.
    this.keepAlive = keepAlive && !(status === 204 && announcesBody(h));
    if (!this.learnedKeepAlive) this.noteKeepAliveHint(h);
    this.deadline = deadlineIn(call.request.timeoutMs);
    // The answer to HEAD has no body whatever its Content-Length says; 204 and 304 have none either.
    const head = call.request.method === 'HEAD';
    const length = head || status === 204 || status === 304 ? -1 : countableLength(h);
    // Counted here: llhttp is told the message has no body (1) and is not fed it.
    if (length > 0) this.bodyLeft = length;
    else this.parser[kOnMessageBegin] = this.onLaterMessage;
    call.handler.onHead(status, h);
    return head || length > 0 ? 1 : 0;
  }

  /** A head read by parseSimpleResponseHead: a final status, a Content-Length body, no llhttp involved. */
  private onSimpleHead(call: ClientCall, h: SimpleHead): void {
    if (!this.learnedKeepAlive) this.noteKeepAliveHint(h.headers);
    this.headRead(call, h.keepAlive, h.contentLength);
    call.handler.onHead(h.status, h.headers);
  }

  /** A head read by readForwardableResponseHead: as onSimpleHead, for a handler that passes it on. */
  private onForwardHead(call: ClientCall, h: ForwardHead): void {
    this.headRead(call, h.keepAlive, h.contentLength);
    call.handler.onForwardHead!(h);
  }

  /** A head read without llhttp: the body it frames (Content-Length bytes counted here) comes next. */
  private headRead(call: ClientCall, keepAlive: boolean, contentLength: number): void {
    call.responseStarted = true;
    this.headDone = true;
    this.keepAlive = keepAlive;
    this.deadline = deadlineIn(call.request.timeoutMs);
    if (contentLength > 0) this.bodyLeft = contentLength;
    else this.completed = true;
  }

  /** While llhttp frames the body: a message that begins after the response is stray bytes. */
  private readonly onLaterMessage = (): void => {
    if (this.completed) this.strayBytes = true;
  };

  private onBody(chunk: Buffer): void {
    const call = this.call;
    if (!call || call.done || this.strayBytes) return;
    this.deadline = deadlineIn(call.request.timeoutMs);
    if (!call.handler.onData(chunk) && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    }
  }

  resumeResponse(call: ClientCall): void {
    if (this.call !== call || !this.readPaused) return;
    this.readPaused = false;
    this.socket.resume();
  }

  private finish(call: ClientCall): void {
    this.call = undefined;
    call.done = true;
    this.deadline = 0;
    this.idleSince = clock;
    if (this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
    // An answer that came before the request body was sent leaves that body half-written.
    if (this.keepAlive && call.requestSent && !this.strayBytes && !this.destroyed) this.pool.release(this);
    else this.destroy();
    call.handler.onEnd();
  }

  /** Servers announce how long they keep an idle connection: leave a second before that. */
  private noteKeepAliveHint(headers: string[]): void {
    this.learnedKeepAlive = true;
    for (let i = 0; i < headers.length; i += 2) {
      const k = headers[i]!;
      if (k.length !== 10 || k.toLowerCase() !== 'keep-alive') continue;
      const m = /timeout\s*=\s*(\d+)/i.exec(headers[i + 1]!);
      if (!m) return;
      const ms = Math.max(1000, Number(m[1]) * 1000 - 1000);
      if (ms < this.idleMs) this.idleMs = ms;
      return;
    }
  }

  // ---- timers, errors, the end -----------------------------------------------------------------

  /** From the sweeper: the connect or integration deadline, and the idle limit. */
  sweep(now: number): void {
    if (this.destroyed) return;
    if (this.deadline && now >= this.deadline) {
      this.deadline = 0;
      const call = this.call;
      if (!this.connected) {
        this.lastError = Object.assign(new Error('connect timed out'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
        this.destroy();
        return;
      }
      if (!call || call.done) return;
      const code = call.responseStarted ? 'UND_ERR_BODY_TIMEOUT' : 'UND_ERR_HEADERS_TIMEOUT';
      call.fail(new UpstreamError(`the backend did not answer within ${call.request.timeoutMs} ms`, code, 'timeout', true, call.responseStarted));
      return;
    }
    if (this.idleSince && !this.call && now - this.idleSince >= this.idleMs) this.destroy();
  }

  private readonly onEnd = (): void => {
    const call = this.call;
    // A counted body cut short is truncated: the call fails when the connection closes.
    if (call && !call.done && call.responseStarted && !this.completed && this.bodyLeft === 0) {
      // A body delimited by the connection's end completes now (or is found truncated).
      const r = this.parser.finish();
      if (this.completed && !isParseError(r)) {
        this.keepAlive = false;
        this.finish(call);
        return;
      }
    }
    this.destroy();
  };

  private readonly onError = (err: Error): void => {
    this.lastError = err;
  };

  private readonly onClose = (): void => {
    this.destroyed = true;
    untrack(this);
    releaseParser(this.parser);
    this.pool.removed(this);
    const call = this.call;
    this.call = undefined;
    if (!call || call.done) return;
    const e = this.lastError;
    if (!this.connected) {
      call.fail(new UpstreamError(e?.message ?? 'could not connect to the backend', e?.code ?? 'ECONNREFUSED', 'connect', false, false));
    } else {
      call.fail(new UpstreamError(e?.message ?? 'the backend closed the connection', e?.code ?? 'UND_ERR_SOCKET', 'closed', true, call.responseStarted));
    }
  };

  /** The call is over for its owner (aborted or failed): this connection's state is unknown now. */
  abandon(call: ClientCall): void {
    if (this.call !== call) return;
    this.call = undefined;
    this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.socket.destroy();
    // 'close' follows and removes this connection from the pool.
  }
}

/**
 * The body length to count: the one Content-Length (llhttp has checked it is digits, single, and not
 * beside Transfer-Encoding); -1 when the body is framed otherwise (chunked, until close) or the value
 * is not a plain number, so llhttp frames it.
 */
function countableLength(headers: string[]): number {
  let length = -1;
  for (let i = 0; i < headers.length; i += 2) {
    const k = headers[i]!;
    if (k.length === 14 && k.toLowerCase() === 'content-length') {
      if (length >= 0) return -1;
      const n = Number(headers[i + 1]!);
      if (!Number.isSafeInteger(n) || n < 0 || headers[i + 1]!.trim() === '') return -1;
      length = n;
    } else if (k.length === 17 && k.toLowerCase() === 'transfer-encoding') return -1;
  }
  return length;
}

/** A Content-Length other than 0, or a Transfer-Encoding. */
function announcesBody(headers: string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const k = headers[i]!;
    if (k.length === 14 && k.toLowerCase() === 'content-length' && headers[i + 1]!.trim() !== '0') return true;
    if (k.length === 17 && k.toLowerCase() === 'transfer-encoding') return true;
  }
  return false;
}
