// The fast path's grammar: what it reads itself, and every head it must leave to llhttp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kOnBody, kOnHeaders, kOnHeadersComplete, kOnMessageBegin, kOnMessageComplete, newParser, RESPONSE, releaseParser } from './llhttp.js';
import { parseSimpleResponseHead, type SimpleHead } from './simple-response-head.js';

test('a plain keep-alive answer with a Content-Length is read in one pass', () => {
  const h = parseSimpleResponseHead(
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 17\r\nDate: x\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Empty:\r\nX-Pad: \t a b \t\r\n\r\n',
  );
  assert.deepEqual(h, {
    status: 200,
    headers: ['Content-Type', 'text/plain', 'Content-Length', '17', 'Date', 'x', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'X-Empty', '', 'X-Pad', 'a b'],
    keepAlive: true,
    contentLength: 17,
  });
  assert.equal(parseSimpleResponseHead('HTTP/1.1 503 \r\ncontent-length: 0\r\nCONNECTION: Close\r\n\r\n')?.keepAlive, false);
  assert.equal(parseSimpleResponseHead('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX: \x80\xff\r\n\r\n')?.status, 404);
});

test('anything outside the narrow grammar is left to llhttp', () => {
  const refused = {
    'HTTP/1.0': 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n',
    '1xx': 'HTTP/1.1 100 Continue\r\nContent-Length: 1\r\n\r\n',
    '204': 'HTTP/1.1 204 No Content\r\nContent-Length: 1\r\n\r\n',
    '304': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 1\r\n\r\n',
    'status 600': 'HTTP/1.1 600 X\r\nContent-Length: 1\r\n\r\n',
    'no reason separator': 'HTTP/1.1 200\r\nContent-Length: 1\r\n\r\n',
    'no Content-Length': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n',
    'two Content-Lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n',
    'a list as length': 'HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n',
    'a tab after the length (llhttp refuses it)': 'HTTP/1.1 200 OK\r\nContent-Length: 1\t\r\n\r\n',
    'a signed length': 'HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n',
    'Transfer-Encoding': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n',
    'Connection: upgrade': 'HTTP/1.1 200 OK\r\nConnection: upgrade\r\nContent-Length: 1\r\n\r\n',
    'space before the colon': 'HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n',
    'obs-fold': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX: a\r\n b\r\n\r\n',
    'bare LF': 'HTTP/1.1 200 OK\r\nContent-Length: 1\nX: a\r\n\r\n',
    'a NUL in a value': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX: a\x00b\r\n\r\n',
    'a CR in a value': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX: a\rb\r\n\r\n',
    'a control in the reason': 'HTTP/1.1 200 O\x01K\r\nContent-Length: 1\r\n\r\n',
    'a non-token name': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX(y): a\r\n\r\n',
    'an empty name': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n: a\r\n\r\n',
    'bytes after the blank line': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx',
    'no blank line': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n',
  };
  for (const [why, head] of Object.entries(refused)) assert.equal(parseSimpleResponseHead(head), undefined, why);
});

/** llhttp's verdict on one response head, fed whole (strict, RESPONSE mode, as the upstream client runs it). */
function llhttpResponse(head: string): SimpleHead | undefined {
  const p = newParser(RESPONSE, 16 * 1024);
  let v: SimpleHead | undefined;
  p[kOnMessageBegin] = () => {};
  p[kOnHeaders] = () => {};
  p[kOnHeadersComplete] = (_ma: number, _mi: number, h: string[], _m: unknown, _u: unknown, status: number, _t: unknown, _up: boolean, keepAlive: boolean) => {
    let contentLength = -1;
    for (let i = 0; i < h.length; i += 2) if (h[i]!.toLowerCase() === 'content-length') contentLength = Number(h[i + 1]);
    v = { status, headers: h, keepAlive, contentLength };
    return 0;
  };
  p[kOnBody] = () => {};
  p[kOnMessageComplete] = () => {};
  const r = p.execute(Buffer.from(head, 'latin1'));
  releaseParser(p);
  return typeof r === 'number' && r === head.length ? v : undefined;
}

test('differential: every head of a generated corpus the fast path accepts, llhttp accepts identically', () => {
  const bases = [
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 17\r\nDate: x\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
    'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nConnection: close\r\nX: \t a \t\r\n\r\n',
  ];
  let accepted = 0;
  let total = 0;
  const check = (head: string): void => {
    total++;
    const f = parseSimpleResponseHead(head);
    if (!f) return;
    accepted++;
    assert.deepEqual(llhttpResponse(head), f, `the fast path accepted ${JSON.stringify(head)} differently from llhttp`);
  };
  for (const base of bases) {
    for (let pos = 0; pos < base.length; pos++) {
      for (let b = 0; b < 256; b++) {
        const c = String.fromCharCode(b);
        check(base.slice(0, pos) + c + base.slice(pos));
        check(base.slice(0, pos) + c + base.slice(pos + 1));
      }
      check(base.slice(0, pos) + base.slice(pos + 1));
    }
  }
  for (const value of ['close', 'keep-alive', 'Close', ' close\t', 'close\t', 'keep-alive ', 'upgrade', 'close, x'])
    check(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: ${value}\r\n\r\n`);
  assert.ok(accepted > 1000 && accepted < total, `${accepted} of ${total} accepted`);
});
