// A node:http request/response pair seen through the ServerExchange contract, for requests node:http
// serves (connections the front handed over). Not the hot path: plain listeners per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodySink, ConnectionMemo, ExchangeEvents, ServerExchange } from './exchange.js';
import { keepable } from './socket-io.js';

const MEMO = Symbol('wayfinder.connection-memo');

type WithMemo = { [MEMO]?: ConnectionMemo };

export class NodeExchange implements ServerExchange {
  readonly method: string;
  readonly url: string;
  readonly remoteAddress: string;
  private events: ExchangeEvents | undefined;
  private reading = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    const ip = req.socket.remoteAddress ?? '';
    this.remoteAddress = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    res.once('close', () => {
      if (!res.writableFinished) this.events?.aborted();
      this.events?.closed();
    });
    res.on('drain', () => this.events?.drain());
  }

  get httpVersion(): string {
    return this.req.httpVersion;
  }

  get rawHeaders(): string[] {
    return this.req.rawHeaders;
  }

  get localAddress(): string {
    return this.req.socket.localAddress ?? '127.0.0.1';
  }

  get memo(): ConnectionMemo {
    const s = this.req.socket as typeof this.req.socket & WithMemo;
    return (s[MEMO] ??= {});
  }

  listen(events: ExchangeEvents): void {
    this.events = events;
  }

  readBody(sink: BodySink): void {
    if (this.reading) throw new Error('the request body is already being read');
    this.reading = true;
    const req = this.req;
    if (req.complete && req.readableEnded) {
      sink.end();
      return;
    }
    let done = false;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      sink.error(e);
    };
    req.on('data', (chunk: Buffer) => {
      if (!done && !sink.data(chunk)) req.pause();
    });
    req.once('end', () => {
      if (done) return;
      done = true;
      sink.end();
    });
    req.once('error', fail);
    req.once('close', () => {
      if (!req.complete) fail(new Error('the client connection closed'));
    });
  }

  resumeBody(): void {
    this.req.resume();
  }

  discardBody(): void {
    const req = this.req;
    req.removeAllListeners('data');
    req.resume();
  }

  writeHead(status: number, headers: string[], _checked?: boolean): void {
    // A 204 must not carry a Content-Length (RFC 9110 §8.6), even when the backend's did; node:http
    // would pass it on.
    this.res.writeHead(status, status === 204 ? withoutContentLength(headers) : headers);
  }

  write(chunk: Buffer): boolean {
    return this.res.write(keepable(chunk));
  }

  end(chunk?: Buffer): void {
    if (chunk) this.res.end(keepable(chunk));
    else this.res.end();
  }

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  get finished(): boolean {
    return this.res.writableEnded;
  }

  get destroyed(): boolean {
    return this.res.destroyed;
  }

  destroy(): void {
    this.res.destroy();
  }
}

function withoutContentLength(headers: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() !== 'content-length') out.push(headers[i]!, headers[i + 1]!);
  return out;
}
