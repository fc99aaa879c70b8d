// The lean front's fast path for the common request head: an HTTP/1.1 request whose whole head
// arrived in one read, every byte inside a deliberately narrow grammar:
//   - method GET, HEAD, POST, PUT, DELETE, OPTIONS or PATCH (never CONNECT: llhttp's upgrade);
//   - an origin-form target of unreserved/sub-delims/`:@/?%` characters only (no `#`, no controls,
//     no obs-text), then exactly ` HTTP/1.1` and CRLF;
//   - at most 32 fields of `token ":" OWS value OWS CRLF`, values of VCHAR, SP and HTAB only;
//   - no Transfer-Encoding, Upgrade or Proxy-Connection field, at most one Host, one Connection and
//     one Content-Length field, a Connection of exactly `keep-alive` or `close` and a Content-Length
//     of 1 to 15 digits without a leading zero (neither with trailing whitespace);
//   - at most 4 KiB in all, and never more than the server's own header limit (Front.simpleHeadMax), so a head
//     llhttp would refuse as too large always goes to llhttp.
// Such a head is checked by one regular expression and cut in one pass over a latin1 string; anything else (a bare LF,
// obs-fold, whitespace before a colon, an unusual byte, a chunked body, …) returns undefined and the same
// bytes go to llhttp (strict), which has not seen them, so llhttp decides every head this code
// does not accept. A head read here never reaches llhttp at all, nor does its Content-Length body
// (front-connection.ts hands those bytes to the exchange as llhttp's kOnBody would), so the parser
// stays between messages, exactly where it would be after parsing both. simple-request-head.test.ts
// checks over a generated corpus that every head accepted here is accepted by llhttp with the same
// method, target, fields and keep-alive verdict, and that llhttp ends its message after exactly
// Content-Length body bytes.
// Measured: llhttp through Node's binding costs one execute() call and one C++ → JS callback with
// a string per field; this pass costs less (docs/gateway.md, "Benchmark").
import { equalsLower, isOws } from './head-text.js';

/**
 * The whole grammar, checked by the regular-expression engine in one native pass (a loop over
 * charCodeAt costs more): method, origin-form target (unreserved, sub-delims, ":@/?%"), exactly
 * HTTP/1.1, fields of tchar names and VCHAR/SP/HTAB values, every line ending in CRLF, and nothing
 * after the blank line. The loop below only cuts the fields out (a name holds no ":", a value no CR).
 */
const GRAMMAR = /^(?:GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH) \/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]* HTTP\/1\.1\r\n(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e]*\r\n)*\r\n$/;

export const SIMPLE_HEAD_MAX = 4096;
const FIELDS_MAX = 32;

export interface SimpleRequestHead {
  method: string;
  url: string;
  /** Flat [name, value, …], values without surrounding whitespace (as llhttp gives them). */
  headers: string[];
  keepAlive: boolean;
  /** The Content-Length field's value; 0 without one (the message ends with its head). */
  contentLength: number;
}

/** A Content-Length the fast path reads: no sign, no leading zero, no list, at most 15 digits (exact as a Number). */
const LENGTH = /^(?:0|[1-9][0-9]{0,14})$/;

/** `head` is one whole head ending with its blank line ("\r\n\r\n"). undefined: leave it to llhttp. */
export function parseSimpleRequestHead(head: string): SimpleRequestHead | undefined {
  if (head.length > SIMPLE_HEAD_MAX || !GRAMMAR.test(head)) return undefined;
  const methodEnd = head.indexOf(' ');
  const urlEnd = head.indexOf(' ', methodEnd + 1);
  const method = head.slice(0, methodEnd);
  const url = head.slice(methodEnd + 1, urlEnd);
  const n = head.length - 2; // the blank line
  let i = urlEnd + 11; // past " HTTP/1.1\r\n"
  const headers: string[] = [];
  let keepAlive = true;
  let hosts = 0;
  let connections = 0;
  let contentLength = -1;
  while (i < n) {
    if (headers.length === FIELDS_MAX * 2) return undefined;
    const colon = head.indexOf(':', i);
    const lineEnd = head.indexOf('\r\n', colon);
    let valueStart = colon + 1;
    while (valueStart < lineEnd && isOws(head.charCodeAt(valueStart))) valueStart++;
    let valueEnd = lineEnd;
    while (valueEnd > valueStart && isOws(head.charCodeAt(valueEnd - 1))) valueEnd--;
    const name = head.slice(i, colon);
    const value = head.slice(valueStart, valueEnd);
    i = lineEnd + 2;
    switch (name.length) {
      case 4:
        if (equalsLower(name, 'host') && ++hosts > 1) return undefined;
        break;
      case 7:
        if (equalsLower(name, 'upgrade')) return undefined;
        break;
      case 10:
        if (equalsLower(name, 'connection')) {
          // llhttp matches the connection tokens on the raw value: `close\t` is not `close` to it.
          if (++connections > 1 || valueEnd !== lineEnd) return undefined;
          if (equalsLower(value, 'close')) keepAlive = false;
          else if (!equalsLower(value, 'keep-alive')) return undefined;
        }
        break;
      case 14:
        if (equalsLower(name, 'content-length')) {
          if (contentLength >= 0 || valueEnd !== lineEnd || !LENGTH.test(value)) return undefined;
          contentLength = Number(value);
        }
        break;
      case 16:
        if (equalsLower(name, 'proxy-connection')) return undefined;
        break;
      case 17:
        if (equalsLower(name, 'transfer-encoding')) return undefined;
        break;
    }
    headers.push(name, value);
  }
  return { method, url, headers, keepAlive, contentLength: Math.max(contentLength, 0) };
}
