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
import { bytesEqualLower, isHopByHopBytes } from './hop-by-hop.js';

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

/**
 * A head in the narrow grammar whose fields a proxy can pass on as they came: the fields that are
 * not hop-by-hop (hop-by-hop.ts), each already in the form a writer gives it (`Name: value` with one
 * SP after the colon and no whitespace around the value), as one string.
 */
export interface ForwardHead {
  status: number;
  keepAlive: boolean;
  contentLength: number;
  /** The fields minus hop-by-hop ones, `Name: value\r\n` each, in their order, bytes as received. */
  lines: string;
  /** A Date field is among them. */
  hasDate: boolean;
  /** The whole head (latin1), for a reader that needs its fields one by one (parseSimpleResponseHead). */
  text: string;
}

/**
 * `bytes` is one whole head ending with its blank line, `text` the same as latin1. Accepts exactly
 * the heads parseSimpleResponseHead accepts (same grammar, same framing rules) whose kept fields are
 * all in that form: for those, `lines` is byte for byte what serializing parseSimpleResponseHead's
 * fields minus the hop-by-hop ones gives (simple-response-head.test.ts checks both over a corpus).
 * undefined: use parseSimpleResponseHead. Measured cheaper than cutting every field into strings
 * and joining them again (docs/gateway.md, "Measured").
 */
export function readForwardableResponseHead(bytes: Uint8Array, text: string): ForwardHead | undefined {
  if (!GRAMMAR.test(text)) return undefined;
  const status = (bytes[9]! - 48) * 100 + (bytes[10]! - 48) * 10 + (bytes[11]! - 48);
  if (status === 204 || status === 304) return undefined;
  const n = bytes.length - 2; // the blank line
  let i = 13;
  while (bytes[i] !== 10) i++; // the reason holds no LF (grammar)
  i++;
  let lines = '';
  let runStart = i;
  let contentLength = -1;
  let keepAlive = true;
  let hasDate = false;
  while (i < n) {
    let colon = i;
    while (bytes[colon] !== 58) colon++; // a name holds no ':' (grammar)
    let lineEnd = colon + 1;
    while (bytes[lineEnd] !== 13) lineEnd++; // a value holds no CR (grammar)
    // The value as parseSimpleResponseHead trims it.
    let valueStart = colon + 1;
    while (valueStart < lineEnd && isOws(bytes[valueStart]!)) valueStart++;
    let valueEnd = lineEnd;
    while (valueEnd > valueStart && isOws(bytes[valueEnd - 1]!)) valueEnd--;
    const len = colon - i;
    if (isHopByHopBytes(bytes, i, len)) {
      if (len === 17) return undefined; // Transfer-Encoding
      if (len === 10 && bytesEqualLower(bytes, i, 'connection')) {
        // As parseSimpleResponseHead: exactly keep-alive or close, no whitespace after it.
        if (valueEnd !== lineEnd) return undefined;
        const vlen = valueEnd - valueStart;
        if (vlen === 5 && bytesEqualLower(bytes, valueStart, 'close')) keepAlive = false;
        else if (vlen !== 10 || !bytesEqualLower(bytes, valueStart, 'keep-alive')) return undefined;
      }
      // Dropped: the kept fields before it are one run of the text.
      if (runStart < i) lines += text.slice(runStart, i);
      runStart = lineEnd + 2;
    } else {
      // Kept as received only when serializing it would give the same bytes.
      if (bytes[colon + 1] !== 32 || valueStart !== colon + 2 || valueEnd !== lineEnd) return undefined;
      if (len === 14 && bytesEqualLower(bytes, i, 'content-length')) {
        // As parseSimpleResponseHead: one, 1 to 15 digits (a safe integer).
        if (contentLength >= 0 || valueEnd === valueStart || valueEnd - valueStart > 15) return undefined;
        contentLength = 0;
        for (let d = valueStart; d < valueEnd; d++) {
          const c = bytes[d]!;
          if (c < 48 || c > 57) return undefined;
          contentLength = contentLength * 10 + (c - 48);
        }
      } else if (len === 4 && bytesEqualLower(bytes, i, 'date')) hasDate = true;
    }
    i = lineEnd + 2;
  }
  if (contentLength < 0) return undefined;
  if (runStart < n) lines += text.slice(runStart, n);
  return { status, keepAlive, contentLength, lines, hasDate, text };
}

function allDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
