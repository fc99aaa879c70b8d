// The upstream client's fast path for the common response head: HTTP/1.1, a final status with a
// body, one Content-Length, no Transfer-Encoding, Connection absent or keep-alive/close, every
// byte inside a deliberately narrow grammar. Such a head is read here from one latin1 string;
// anything else (an unusual byte, 1xx, 204/304, chunked, obs-fold, whitespace before a colon, a
// second Content-Length, …) returns undefined and the same bytes go to llhttp, which has not seen
// them yet, so its strict checks still decide every head this code does not accept.
// Measured: llhttp through Node's binding builds each header string and calls back into
// JavaScript once per head; this single pass costs less.

/** tchar (RFC 9110 §5.6.2). */
const TOKEN = new Uint8Array(256);
/** field-vchar, SP and HTAB (obs-text included, as llhttp allows it); never CR, LF, NUL or other controls. */
const VALUE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(ch)) TOKEN[c] = 1;
  if (c === 9 || (c >= 0x20 && c <= 0x7e) || c >= 0x80) VALUE[c] = 1;
}

export interface SimpleHead {
  status: number;
  /** Flat [name, value, …], values without surrounding whitespace. */
  headers: string[];
  keepAlive: boolean;
  contentLength: number;
}

const CR = 13;
const LF = 10;
const COLON = 58;
const SP = 32;
const HTAB = 9;

/** `head` ends with its blank line ("\r\n\r\n"). undefined: not in the narrow grammar (use llhttp). */
export function parseSimpleResponseHead(head: string): SimpleHead | undefined {
  const n = head.length;
  if (n < 17 || !head.startsWith('HTTP/1.1 ')) return undefined;
  const d0 = head.charCodeAt(9) - 48;
  const d1 = head.charCodeAt(10) - 48;
  const d2 = head.charCodeAt(11) - 48;
  if (d0 < 2 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || head.charCodeAt(12) !== SP) return undefined;
  const status = d0 * 100 + d1 * 10 + d2;
  if (status === 204 || status === 304) return undefined;
  let i = 13;
  while (i < n && VALUE[head.charCodeAt(i)] === 1) i++; // the reason phrase
  if (head.charCodeAt(i) !== CR || head.charCodeAt(i + 1) !== LF) return undefined;
  i += 2;
  const headers: string[] = [];
  let contentLength = -1;
  let keepAlive = true;
  while (i < n) {
    if (head.charCodeAt(i) === CR) {
      // The blank line: it must be the end of the head.
      if (head.charCodeAt(i + 1) !== LF || i + 2 !== n) return undefined;
      if (contentLength < 0) return undefined;
      return { status, headers, keepAlive, contentLength };
    }
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
      case 10:
        if (equalsLower(name, 'connection')) {
          if (equalsLower(value, 'close')) keepAlive = false;
          else if (!equalsLower(value, 'keep-alive')) return undefined;
        }
        break;
      case 14:
        if (equalsLower(name, 'content-length')) {
          if (contentLength >= 0 || !allDigits(value)) return undefined;
          contentLength = Number(value);
        }
        break;
      case 17:
        if (equalsLower(name, 'transfer-encoding')) return undefined;
        break;
    }
    headers.push(name, value);
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

function allDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
