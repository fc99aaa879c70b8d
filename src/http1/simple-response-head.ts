// The upstream client's fast path for the common response head: HTTP/1.1, a final status with a
// body, one Content-Length, no Transfer-Encoding, Connection absent or keep-alive/close, every
// byte inside a deliberately narrow grammar. Such a head is checked by one regular expression and
// cut in one pass over a latin1 string;
// anything else (an unusual byte, 1xx, 204/304, chunked, obs-fold, whitespace before a colon, a
// second Content-Length, …) returns undefined and the same bytes go to llhttp, which has not seen
// them yet, so its strict checks still decide every head this code does not accept.
// Measured: llhttp through Node's binding builds each header string and calls back into
// JavaScript once per head; this single pass costs less.
import { equalsLower, isOws } from './head-text.js';

/**
 * The whole grammar, checked by the regular-expression engine in one native pass (a loop over
 * charCodeAt costs more): HTTP/1.1, a 2xx–5xx status, a reason of field-vchar/SP/HTAB (obs-text
 * included, as llhttp allows it), fields of tchar names and field-vchar/SP/HTAB values, every line
 * ending in CRLF, nothing after the blank line. The loop below only cuts the fields out (a name
 * holds no ":", a value no CR) and checks the framing fields.
 */
const GRAMMAR = /^HTTP\/1\.1 [2-5][0-9][0-9] [\t\x20-\x7e\x80-\xff]*\r\n(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*\r\n$/;

export interface SimpleHead {
  status: number;
  /** Flat [name, value, …], values without surrounding whitespace. */
  headers: string[];
  keepAlive: boolean;
  contentLength: number;
}

/** `head` ends with its blank line ("\r\n\r\n"). undefined: not in the narrow grammar (use llhttp). */
export function parseSimpleResponseHead(head: string): SimpleHead | undefined {
  if (!GRAMMAR.test(head)) return undefined;
  const status = (head.charCodeAt(9) - 48) * 100 + (head.charCodeAt(10) - 48) * 10 + (head.charCodeAt(11) - 48);
  if (status === 204 || status === 304) return undefined;
  const n = head.length - 2; // the blank line
  let i = head.indexOf('\r\n', 13) + 2;
  const headers: string[] = [];
  let contentLength = -1;
  let keepAlive = true;
  while (i < n) {
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
      case 10:
        if (equalsLower(name, 'connection')) {
          // llhttp matches the connection tokens on the raw value: `close\t` is not `close` to it.
          if (valueEnd !== lineEnd) return undefined;
          if (equalsLower(value, 'close')) keepAlive = false;
          else if (!equalsLower(value, 'keep-alive')) return undefined;
        }
        break;
      case 14:
        if (equalsLower(name, 'content-length')) {
          // llhttp refuses a tab after the digits (`1\t`): any trailing whitespace goes to llhttp.
          if (contentLength >= 0 || valueEnd !== lineEnd || !allDigits(value)) return undefined;
          contentLength = Number(value);
        }
        break;
      case 17:
        if (equalsLower(name, 'transfer-encoding')) return undefined;
        break;
    }
    headers.push(name, value);
  }
  if (contentLength < 0) return undefined;
  return { status, headers, keepAlive, contentLength };
}

function allDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
