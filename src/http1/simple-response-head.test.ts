// The fast path's grammar: what it reads itself, and every head it must leave to llhttp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kOnBody, kOnHeaders, kOnHeadersComplete, kOnMessageBegin, kOnMessageComplete, newParser, RESPONSE, releaseParser } from './llhttp.js';
import { isHopByHop } from './hop-by-hop.js';
import { parseSimpleResponseHead, readForwardableResponseHead, type SimpleHead } from './simple-response-head.js';

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

/** readForwardableResponseHead on a latin1 head, as the upstream client calls it. */
function forwardable(head: string): ReturnType<typeof readForwardableResponseHead> {
  return readForwardableResponseHead(Buffer.from(head, 'latin1'), head);
}

/** What the slow path writes for parseSimpleResponseHead's fields: the kept ones, serialized. */
function keptLines(fields: string[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i += 2) if (!isHopByHop(fields[i]!.toLowerCase())) out += `${fields[i]}: ${fields[i + 1]}\r\n`;
  return out;
}

test('a forwardable head: its kept fields as they came, hop-by-hop ones dropped', () => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\nContent-Length: 17\r\nKeep-Alive: timeout=5\r\nDATE: x\r\nX-Empty: \r\nTrailer: y\r\n\r\n';
  assert.deepEqual(forwardable(head), {
    status: 200,
    keepAlive: true,
    contentLength: 17,
    lines: 'Content-Type: text/plain\r\nContent-Length: 17\r\nDATE: x\r\nX-Empty: \r\n',
    hasDate: true,
    text: head,
  });
  assert.equal(forwardable('HTTP/1.1 503 \r\ncontent-length: 0\r\nCONNECTION: Close\r\n\r\n')?.keepAlive, false);
  assert.equal(forwardable('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n')?.hasDate, false);
  // Fields a writer would give another form: left to the slow path, which normalizes them.
  for (const field of ['X:a', 'X:  a', 'X: a ', 'X:\ta', 'X: a\t', 'X:', 'Content-Length:  1'])
    assert.equal(forwardable(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n${field}\r\n\r\n`), undefined, field);
  // The hop-by-hop fields are dropped whatever their form (Connection's rules aside).
  assert.equal(forwardable('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nKeep-Alive:timeout=5 \r\n\r\n')?.lines, 'Content-Length: 1\r\n');
});

test('differential: a forwardable head reads as the slow path reads it, and every slow-path head in that form is forwardable', () => {
  const bases = [
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 17\r\nDate: x\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
    'HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nConnection: close\r\nX: a\r\nTE: y\r\n\r\n',
  ];
  let forwarded = 0;
  const check = (head: string): void => {
    const slow = parseSimpleResponseHead(head);
    const fast = forwardable(head);
    if (fast) {
      forwarded++;
      assert.ok(slow, `forwardable but not in the grammar: ${JSON.stringify(head)}`);
      assert.deepEqual(
        { status: fast.status, keepAlive: fast.keepAlive, contentLength: fast.contentLength, lines: fast.lines },
        { status: slow.status, keepAlive: slow.keepAlive, contentLength: slow.contentLength, lines: keptLines(slow.headers) },
        JSON.stringify(head),
      );
      assert.equal(
        fast.hasDate,
        slow.headers.some((v, i) => i % 2 === 0 && v.toLowerCase() === 'date'),
        JSON.stringify(head),
      );
      return;
    }
    // Refused: either the slow path refuses it too, or a kept field would be written in another form.
    if (slow) assert.notEqual(keptLines(slow.headers), rawKeptLines(head), `refused although forwardable as it came: ${JSON.stringify(head)}`);
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
  assert.ok(forwarded > 1000, `${forwarded} forwarded`);
});

/** The kept field lines of a head exactly as they stand in it. */
function rawKeptLines(head: string): string {
  const lines = head
    .slice(head.indexOf('\r\n') + 2, -2)
    .split('\r\n')
    .slice(0, -1);
  return lines
    .filter((l) => !isHopByHop(l.slice(0, l.indexOf(':')).toLowerCase()))
    .map((l) => `${l}\r\n`)
    .join('');
}
