// Serializing a response head for the lean front: cached status lines and Date, header names and
// values checked as node:http checks them (a CR or LF in a mapped header value must never split
// the response), and the framing facts the writer needs, found in the same single pass.
import { STATUS_CODES } from 'node:http';

const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

export class InvalidHeaderError extends TypeError {
  readonly code = 'ERR_INVALID_CHAR';
}

const statusLines = new Map<number, string>();

export function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    if (!Number.isInteger(status) || status < 100 || status > 999) throw new RangeError(`invalid status code ${status}`);
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    statusLines.set(status, line);
  }
  return line;
}

let dateLine = '';

function clearDateLine(): void {
  dateLine = '';
}

/** `Date: …\r\n`, cached until the next second begins (as node:http does): no clock read per response. */
export function dateHeaderLine(): string {
  if (dateLine === '') {
    const now = Date.now();
    dateLine = `Date: ${new Date(now).toUTCString()}\r\n`;
    setTimeout(clearDateLine, 1000 - (now % 1000)).unref();
  }
  return dateLine;
}

/** What the writer must know about the headers it was given. */
export interface HeadFacts {
  /** The Content-Length value, -1 when absent. */
  contentLength: number;
  /** The headers asked for `Connection: close`. */
  askedClose: boolean;
  hasDate: boolean;
}

/**
 * `Name: value\r\n` lines for every header except the ones the writer owns (Connection,
 * Keep-Alive, Transfer-Encoding: framing is decided by the writer), and Content-Length when
 * `noLength` (a 204 must not carry one, RFC 9110 §8.6, even when the backend's 204 did). Throws
 * InvalidHeaderError.
 */
export function headerLines(headers: readonly string[], facts: HeadFacts, checked: boolean, noLength = false): string {
  let out = '';
  facts.contentLength = -1;
  facts.askedClose = false;
  facts.hasDate = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    if (!checked) {
      if (!TOKEN.test(name)) throw new InvalidHeaderError(`invalid header name "${name}"`);
      if (INVALID_VALUE.test(value)) throw new InvalidHeaderError(`invalid character in header "${name}"`);
    }
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'date') facts.hasDate = true;
        break;
      case 10: {
        const l = name.toLowerCase();
        if (l === 'connection') {
          if (/(^|,)\s*close\s*(,|$)/i.test(value)) facts.askedClose = true;
          continue;
        }
        if (l === 'keep-alive') continue;
        break;
      }
      case 14:
        if (name.toLowerCase() === 'content-length') {
          const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
          if (!Number.isSafeInteger(n)) throw new InvalidHeaderError(`invalid Content-Length "${value}"`);
          if (noLength) continue;
          facts.contentLength = n;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') continue;
        break;
    }
    out += name + ': ' + value + '\r\n';
  }
  return out;
}
