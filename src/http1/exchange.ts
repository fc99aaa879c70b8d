// The contract between whoever parsed a request (the lean front, or node:http after a connection
// was handed over) and the code that answers it (the gateway data plane). One object per request
// carries both directions, so the hot path allocates no IncomingMessage/ServerResponse pair, no
// streams and no per-request closures: the handler registers one `ExchangeEvents` object.

/** Where request body bytes go. `data` returning false pauses the flow until `resumeBody()`. */
export interface BodySink {
  data(chunk: Buffer): boolean;
  end(): void;
  /** The body cannot be read to its end (the client went away, or sent a broken body). */
  error(err: Error): void;
}

/** What the answering side hears about the exchange. */
export interface ExchangeEvents {
  /** The response accepts writes again (after `write()` returned false). */
  drain(): void;
  /** The client connection went away before the response was finished. */
  aborted(): void;
  /** Called once when the exchange is over: the response was finished, or the connection is gone. */
  closed(): void;
}

/** Per-connection memo, kept across the requests of one keep-alive connection. */
export type ConnectionMemo = Record<string, unknown>;

export interface ServerExchange {
  readonly method: string;
  /** The request-target as sent (origin-form path and query, usually). */
  readonly url: string;
  /** "1.1" or "1.0". */
  readonly httpVersion: string;
  /** Flat [name, value, …] as received (names keep their case). */
  readonly rawHeaders: string[];
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly memo: ConnectionMemo;

  listen(events: ExchangeEvents): void;

  /** Streams the request body into `sink` (called at most once; `end()` at once when there is none). */
  readBody(sink: BodySink): void;
  resumeBody(): void;
  /** Reads and drops the rest of the body (an early answer; the connection may stay usable). */
  discardBody(): void;

  /**
   * Header names and values are checked (no CR/LF/NUL): invalid ones throw, as node:http does.
   * `checked`: the caller vouches for them (they came from llhttp or from validated configuration).
   */
  writeHead(status: number, headers: string[], checked?: boolean): void;
  /**
   * Optional (the lean front has it): writeHead with the fields already serialized, `Name: value\r\n`
   * each, checked by the caller and holding no hop-by-hop field, and the facts the writer needs from
   * them: the Content-Length (-1: none) and whether a Date is among them.
   */
  writeHeadLines?(status: number, lines: string, contentLength: number, hasDate: boolean): void;
  /**
   * false: the client is slow, wait for `drain`. Data for bodiless answers (HEAD, 204, 304) is dropped.
   * The chunk may be a view of the shared read buffer (socket-io.ts): what is kept past the call is copied.
   */
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer): void;
  readonly headersSent: boolean;
  /** The whole response was handed to the connection. */
  readonly finished: boolean;
  /** The connection is gone (or was destroyed): nothing more can be written. */
  readonly destroyed: boolean;
  /** Cuts the connection (a response that cannot be completed must not look complete). */
  destroy(): void;
}
