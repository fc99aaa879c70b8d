// Node's own llhttp binding (`_http_common.HTTPParser`), the hardened HTTP/1.1 parser node:http
// uses, typed for the lean front and the upstream client. Always strict: no lenient flags, so
// Content-Length together with Transfer-Encoding, duplicate Content-Length, bad chunk sizes,
// obs-fold, whitespace before the colon and bare LF line ends are parse errors, as in node:http.
//
// Callback contract of the Node 20 binding (lib/_http_common.js is its only other user):
//   kOnMessageBegin()                       a message starts (first byte after any leading CRLF)
//   kOnHeaders(headers, url)                only when a head has more than 32 header fields, or for
//                                           trailers after a chunked body: a partial flush
//   kOnHeadersComplete(major, minor, headers, method, url, statusCode, statusMessage, upgrade,
//                      shouldKeepAlive)    headers/url are undefined when they were flushed through
//                                           kOnHeaders; the return value 1 tells a RESPONSE parser
//                                           the message has no body (answer to HEAD)
//   kOnBody(chunk)                          a copy of (decoded) body bytes
//   kOnMessageComplete()
// execute(buffer) returns the number of bytes parsed or an Error with `code` (HPE_*), `reason`
// and `bytesParsed`. `pause()` from inside a callback does NOT stop execute() in Node 20, which is
// why the front slices its input at possible message ends (see message-end.ts) instead.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface ParseError extends Error {
  code: string;
  reason: string;
  bytesParsed: number;
}

export interface Parser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | ParseError;
  finish(): ParseError | undefined;
  /** Frees the native parser: it is not garbage-collected otherwise. */
  close(): void;
  [callback: number]: unknown;
}

interface Binding {
  HTTPParser: {
    new (): Parser;
    REQUEST: number;
    RESPONSE: number;
    kOnMessageBegin: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
    kLenientNone: number;
  };
  methods: string[];
}

const binding = require('node:_http_common') as Binding;
const P = binding.HTTPParser;

export const REQUEST = P.REQUEST;
export const RESPONSE = P.RESPONSE;
export const kOnMessageBegin = P.kOnMessageBegin;
export const kOnHeaders = P.kOnHeaders;
export const kOnHeadersComplete = P.kOnHeadersComplete;
export const kOnBody = P.kOnBody;
export const kOnMessageComplete = P.kOnMessageComplete;
/** Method names by the index kOnHeadersComplete reports. */
export const METHODS: readonly string[] = binding.methods;

/** Parsers of closed connections, kept for the next ones (node:http keeps up to 1000 the same way). */
const free: Parser[] = [];
const FREE_MAX = 256;
const CALLBACKS = [P.kOnMessageBegin, P.kOnHeaders, P.kOnHeadersComplete, P.kOnBody, P.kOnMessageComplete];

export function newParser(type: number, maxHeaderSize: number): Parser {
  const p = free.pop() ?? new P();
  // The resource object is what async_hooks would see as this parser's owner; nothing here uses it.
  p.initialize(type, {}, maxHeaderSize, P.kLenientNone);
  return p;
}

/**
 * A connection is done with its parser. The native object is strongly held (node:http frees its own
 * the same way), so it must be reused or closed; never while it may still be executing: a
 * connection can close from inside one of the parser's own callbacks, hence setImmediate.
 */
export function releaseParser(p: Parser): void {
  for (const k of CALLBACKS) p[k] = null;
  setImmediate(() => {
    if (free.length < FREE_MAX) free.push(p);
    else p.close();
  });
}

export function isParseError(r: unknown): r is ParseError {
  return typeof r === 'object' && r !== null;
}
