// The lean front's fast path for the common request head: a bodiless HTTP/1.1 request whose whole
// head arrived in one read, every byte inside a deliberately narrow grammar:
//   - method GET, HEAD, POST, PUT, DELETE, OPTIONS or PATCH (never CONNECT: llhttp's upgrade);
//   - an origin-form target of unreserved/sub-delims/`:@/?%` characters only (no `#`, no controls,
//     no obs-text), then exactly ` HTTP/1.1` and CRLF;
//   - at most 32 fields of `token ":" OWS value OWS CRLF`, values of VCHAR, SP and HTAB only;
//   - no Content-Length, Transfer-Encoding, Upgrade or Proxy-Connection field, at most one Host
//     and one Connection field, and a Connection of exactly `keep-alive` or `close` (no trailing whitespace);
//   - at most 4 KiB in all (llhttp's limit is node:http's 16 KiB, so no limit is ever near).
// Such a head is read here in one JavaScript pass over a latin1 string; anything else (a bare LF,
// obs-fold, whitespace before a colon, an unusual byte, a body, …) returns undefined and the same
// bytes go to llhttp (strict), which has not seen them, so llhttp decides every head this code
// does not accept. A head read here never reaches llhttp at all: it carries no body, so the parser
// stays between messages, exactly where it would be after parsing it. simple-request-head.test.ts
// checks over a generated corpus that every head accepted here is accepted by llhttp with the same
// method, target, fields and keep-alive verdict.
// Measured: llhttp through Node's binding costs one execute() call and one C++ → JS callback with
// a string per field; this pass costs less (docs/gateway.md, "Benchmark").

/** tchar (RFC 9110 §5.6.2). */
const TOKEN = new Uint8Array(256);
/** VCHAR, SP and HTAB: no controls, no DEL, no obs-text. */
const VALUE = new Uint8Array(256);
/** unreserved, sub-delims, ":", "@", "/", "?" and "%" (RFC 3986 origin-form, no fragment). */
const TARGET = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(ch)) TOKEN[c] = 1;
  if (c === 9 || (c >= 0x20 && c <= 0x7e)) VALUE[c] = 1;
  if (/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/.test(ch)) TARGET[c] = 1;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
export const SIMPLE_HEAD_MAX = 4096;
const FIELDS_MAX = 32;
const VERSION = ' HTTP/1.1\r\n';

export interface SimpleRequestHead {
  method: string;
  url: string;
  /** Flat [name, value, …], values without surrounding whitespace (as llhttp gives them). */
  headers: string[];
  keepAlive: boolean;
}

const CR = 13;
const LF = 10;
const COLON = 58;
const SP = 32;
const HTAB = 9;

/** `head` is one whole head ending with its blank line ("\r\n\r\n"). undefined: leave it to llhttp. */
export function parseSimpleRequestHead(head: string): SimpleRequestHead | undefined {
  const n = head.length;
  if (n > SIMPLE_HEAD_MAX) return undefined;
  const method = methodOf(head);
  if (method === undefined) return undefined;
  let i = method.length + 1;
  if (head.charCodeAt(i) !== 47 /* / */) return undefined;
  const urlStart = i;
  while (i < n && TARGET[head.charCodeAt(i)] === 1) i++;
  const url = head.slice(urlStart, i);
  if (!head.startsWith(VERSION, i)) return undefined;
  i += VERSION.length;
  const headers: string[] = [];
  let keepAlive = true;
  let hosts = 0;
  let connections = 0;
  while (i < n) {
    if (head.charCodeAt(i) === CR) {
      // The blank line: it must be the end of the head.
      if (head.charCodeAt(i + 1) !== LF || i + 2 !== n) return undefined;
      return { method, url, headers, keepAlive };
    }
    if (headers.length === FIELDS_MAX * 2) return undefined;
    const nameStart = i;
    while (i < n && TOKEN[head.charCodeAt(i)] === 1) i++;
    if (i === nameStart || head.charCodeAt(i) !== COLON) return undefined;
    const name = head.slice(nameStart, i);
    i++;
    while (head.charCodeAt(i) === SP || head.charCodeAt(i) === HTAB) i++;
    const valueStart = i;
    while (i < n && VALUE[head.charCodeAt(i)] === 1) i++;
    if (head.charCodeAt(i) !== CR || head.charCodeAt(i + 1) !== LF) return undefined;
    let valueEnd = i;
    while (valueEnd > valueStart && (head.charCodeAt(valueEnd - 1) === SP || head.charCodeAt(valueEnd - 1) === HTAB)) valueEnd--;
    const value = head.slice(valueStart, valueEnd);
    i += 2;
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
          if (++connections > 1 || valueEnd !== i - 2) return undefined;
          if (equalsLower(value, 'close')) keepAlive = false;
          else if (!equalsLower(value, 'keep-alive')) return undefined;
        }
        break;
      case 14:
        if (equalsLower(name, 'content-length')) return undefined;
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
  return undefined;
}

/** The method, if the head starts with one of METHODS and a space. */
function methodOf(head: string): string | undefined {
  for (let m = 0; m < METHODS.length; m++) {
    const name = METHODS[m]!;
    if (head.startsWith(name) && head.charCodeAt(name.length) === SP) return name;
  }
  return undefined;
}

/** ASCII case-insensitive comparison with a lower-case literal, without allocating. */
function equalsLower(s: string, lower: string): boolean {
  if (s.length !== lower.length) return false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
