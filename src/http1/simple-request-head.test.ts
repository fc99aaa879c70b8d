// The request fast path may only accept a head that llhttp (strict, as the front runs it) accepts
// identically: same method, target, fields and keep-alive verdict, and a message that ends after
// exactly the Content-Length the fast path read (at once without one). Checked on named
// malformed classes and on a generated corpus of mutated heads (every byte at every kind of position,
// line-end and whitespace variants, seeded random edits).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kOnBody, kOnHeaders, kOnHeadersComplete, kOnMessageBegin, kOnMessageComplete, METHODS, newParser, REQUEST, releaseParser } from './llhttp.js';
import { parseSimpleRequestHead } from './simple-request-head.js';

interface Verdict {
  method: string;
  url: string;
  headers: string[];
  keepAlive: boolean;
  upgrade: boolean;
  complete: boolean;
  body: boolean;
}

/** llhttp's verdict on one head (and what follows it), fed whole, as the front's parser is configured (16 KiB, strict). */
function llhttp(head: string): Verdict | undefined {
  const p = newParser(REQUEST, 16 * 1024);
  let v: Verdict | undefined;
  let partial: string[] = [];
  let partialUrl = '';
  p[kOnMessageBegin] = () => {};
  p[kOnHeaders] = (h: string[], url: string) => {
    partial = partial.concat(h);
    partialUrl += url;
  };
  p[kOnHeadersComplete] = (
    _ma: number,
    mi: number,
    h: string[] | undefined,
    m: number,
    url: string | undefined,
    _s: unknown,
    _m: unknown,
    upgrade: boolean,
    keepAlive: boolean,
  ) => {
    v = { method: `${METHODS[m]}/1.${mi}`, url: partialUrl + (url ?? ''), headers: partial.concat(h ?? []), keepAlive, upgrade, complete: false, body: false };
    return 0;
  };
  p[kOnBody] = () => {
    if (v) v.body = true;
  };
  p[kOnMessageComplete] = () => {
    if (v) v.complete = true;
  };
  const r = p.execute(Buffer.from(head, 'latin1'));
  releaseParser(p);
  if (typeof r !== 'number' || r !== head.length) return undefined;
  return v;
}

function fast(head: string): Verdict | undefined {
  const h = parseSimpleRequestHead(head);
  return h && { method: `${h.method}/1.1`, url: h.url, headers: h.headers, keepAlive: h.keepAlive, upgrade: false, complete: h.contentLength === 0, body: false };
}

function agrees(head: string): void {
  const f = fast(head);
  if (f === undefined) return;
  assert.deepEqual(llhttp(head), f, `the fast path accepted ${JSON.stringify(head)} differently from llhttp`);
  const n = parseSimpleRequestHead(head)!.contentLength;
  if (n === 0 || n > 100_000) return;
  // llhttp's message ends after exactly n body bytes: not one before.
  assert.equal(llhttp(head + 'b'.repeat(n - 1))?.complete, false, `llhttp ended ${JSON.stringify(head)} before ${n} body bytes`);
  assert.deepEqual(llhttp(head + 'b'.repeat(n)), { ...f, complete: true, body: true }, `llhttp did not end ${JSON.stringify(head)} after ${n} body bytes`);
}

const PLAIN = 'GET /_aws/execute-api/abc123/%24default/pets?x=1&y=a:b@c HTTP/1.1\r\nHost: 127.0.0.1:5600\r\nUser-Agent: wrk\r\nAccept: */*\r\nX-Pad: \t a b \t\r\nX-Empty:\r\n\r\n';

test('a plain request head is read in one pass, as llhttp reads it', () => {
  const h = parseSimpleRequestHead(PLAIN);
  assert.deepEqual(h, {
    method: 'GET',
    url: '/_aws/execute-api/abc123/%24default/pets?x=1&y=a:b@c',
    headers: ['Host', '127.0.0.1:5600', 'User-Agent', 'wrk', 'Accept', '*/*', 'X-Pad', 'a b', 'X-Empty', ''],
    keepAlive: true,
    contentLength: 0,
  });
  agrees(PLAIN);
  const close = 'DELETE /x HTTP/1.1\r\nhost: a\r\nCONNECTION: Close\r\n\r\n';
  assert.equal(parseSimpleRequestHead(close)?.keepAlive, false);
  agrees(close);
  for (const m of ['HEAD', 'POST', 'PUT', 'OPTIONS', 'PATCH']) agrees(`${m} / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n`);
});

test('a Content-Length head is read in one pass, and llhttp ends its message after as many body bytes', () => {
  const post = 'POST / HTTP/1.1\r\nHost: 127.0.0.1:4566\r\nX-Amz-Target: AmazonEC2ContainerServiceV20141113.CreateService\r\ncontent-length: 73\r\n\r\n';
  assert.equal(parseSimpleRequestHead(post)?.contentLength, 73);
  agrees(post);
  for (const value of ['0', '1', '999999999999999']) {
    const head = `PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length:  ${value}\r\n\r\n`;
    assert.equal(parseSimpleRequestHead(head)?.contentLength, Number(value), value);
    agrees(head);
  }
});

test('every malformed or unusual head class is left to llhttp', () => {
  const refused: Record<string, string> = {
    'HTTP/1.0': 'GET / HTTP/1.0\r\nHost: a\r\n\r\n',
    'HTTP/2.0': 'GET / HTTP/2.0\r\nHost: a\r\n\r\n',
    'lower-case version': 'GET / http/1.1\r\nHost: a\r\n\r\n',
    CONNECT: 'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n',
    'unknown method': 'FOO / HTTP/1.1\r\nHost: a\r\n\r\n',
    'lower-case method': 'get / HTTP/1.1\r\nHost: a\r\n\r\n',
    'absolute-form': 'GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n',
    'asterisk-form': 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n',
    fragment: 'GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n',
    'space in the target': 'GET /a b HTTP/1.1\r\nHost: a\r\n\r\n',
    'two spaces before the target': 'GET  / HTTP/1.1\r\nHost: a\r\n\r\n',
    'obs-text in the target': 'GET /\xe9 HTTP/1.1\r\nHost: a\r\n\r\n',
    'two Content-Length fields': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n',
    'Content-Length list': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n',
    'Content-Length with a sign': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n',
    'Content-Length with a leading zero': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 03\r\n\r\n',
    'Content-Length with a trailing space': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3 \r\n\r\n',
    'Content-Length of 16 digits': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000000000\r\n\r\n',
    'empty Content-Length': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n',
    'Transfer-Encoding': 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
    'Content-Length with Transfer-Encoding': 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    Upgrade: 'GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n',
    'Proxy-Connection': 'GET / HTTP/1.1\r\nHost: a\r\nProxy-Connection: close\r\n\r\n',
    'Connection list': 'GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n',
    'Connection with a trailing tab': 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\t\r\n\r\n',
    'two Connection fields': 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n',
    'two Host fields': 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
    'obs-fold': 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n',
    'space before the colon': 'GET / HTTP/1.1\r\nHost : a\r\n\r\n',
    'empty field name': 'GET / HTTP/1.1\r\n: a\r\n\r\n',
    'bare LF line end': 'GET / HTTP/1.1\nHost: a\r\n\r\n',
    'bare LF in a field': 'GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n',
    'bare CR in a value': 'GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n',
    'bare LF blank line': 'GET / HTTP/1.1\r\nHost: a\r\n\n',
    'NUL in a value': 'GET / HTTP/1.1\r\nHost: a\0\r\n\r\n',
    'DEL in a value': 'GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n',
    'obs-text in a value': 'GET / HTTP/1.1\r\nHost: a\r\nX: \xe9\r\n\r\n',
    'control in a value': 'GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n',
    'non-token in a name': 'GET / HTTP/1.1\r\nX(y): a\r\n\r\n',
    'leading CRLF': '\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n',
    'bytes after the head': 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET',
    'no blank line': 'GET / HTTP/1.1\r\nHost: a\r\n',
    'over 32 fields': `GET / HTTP/1.1\r\n${'X: a\r\n'.repeat(33)}\r\n`,
    'over 4 KiB': `GET / HTTP/1.1\r\nX: ${'a'.repeat(4100)}\r\n\r\n`,
    'over 16 KiB': `GET / HTTP/1.1\r\nX: ${'a'.repeat(17000)}\r\n\r\n`,
  };
  for (const [why, head] of Object.entries(refused)) assert.equal(parseSimpleRequestHead(head), undefined, why);
  // 32 fields are still read here (llhttp flushes more than 32 through kOnHeaders).
  agrees(`GET / HTTP/1.1\r\n${'X: a\r\n'.repeat(32)}\r\n`);
});

/** Deterministic PRNG (mulberry32): the corpus is the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASES = [
  PLAIN,
  'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
  'POST /p?q HTTP/1.1\r\nHost: h:1\r\nConnection: close\r\nExpect: 100-continue\r\n\r\n',
  'OPTIONS /a/b HTTP/1.1\r\nhost: x\r\nOrigin: http://o\r\nAccess-Control-Request-Method: PUT\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 12\r\n\r\n',
];

test('differential: every head of a generated corpus the fast path accepts, llhttp accepts identically', () => {
  let accepted = 0;
  let total = 0;
  const check = (head: string): void => {
    total++;
    if (fast(head)) accepted++;
    agrees(head);
  };
  for (const base of BASES) {
    // Every byte inserted at, and replacing, every position of the head.
    for (let pos = 0; pos < base.length; pos++) {
      for (let b = 0; b < 256; b++) {
        const c = String.fromCharCode(b);
        check(base.slice(0, pos) + c + base.slice(pos));
        check(base.slice(0, pos) + c + base.slice(pos + 1));
      }
      check(base.slice(0, pos) + base.slice(pos + 1));
    }
  }
  // Seeded random edits: several at once, drawn from the bytes that matter to the grammar.
  const next = rng(16);
  const pick = ' \t\r\n:/?#%@;,"\\()<>[]{}\0\x7f\x80\xffAaZz09-_.~!$&\'*+=^`|';
  for (let k = 0; k < 20000; k++) {
    let head = BASES[k % BASES.length]!;
    const edits = 1 + Math.floor(next() * 4);
    for (let e = 0; e < edits; e++) {
      const pos = Math.floor(next() * head.length);
      const c = pick[Math.floor(next() * pick.length)]!;
      const op = next();
      if (op < 0.4) head = head.slice(0, pos) + c + head.slice(pos);
      else if (op < 0.8) head = head.slice(0, pos) + c + head.slice(pos + 1);
      else head = head.slice(0, pos) + head.slice(pos + 1);
    }
    check(head);
  }
  // Field names that llhttp treats specially, in every case mix that matters.
  for (const name of [
    'Content-Length',
    'content-length',
    'CONTENT-LENGTH',
    'Transfer-Encoding',
    'transfer-encoding',
    'Upgrade',
    'Connection',
    'connection',
    'Proxy-Connection',
    'Host',
    'Expect',
  ]) {
    for (const value of [
      '0',
      '1',
      '10',
      '007',
      '+1',
      '-1',
      '1 ',
      '1,1',
      '1e3',
      '0x1',
      '18446744073709551616',
      'chunked',
      'close',
      'keep-alive',
      'upgrade',
      'Close',
      'KEEP-ALIVE',
      ' close ',
      'close,',
      '',
      'x',
    ]) {
      check(`GET / HTTP/1.1\r\nHost: a\r\n${name}: ${value}\r\n\r\n`);
      check(`GET / HTTP/1.1\r\n${name}: ${value}\r\n\r\n`);
    }
  }
  // The corpus exercised both sides of the grammar.
  assert.ok(accepted > 1000 && accepted < total, `${accepted} of ${total} accepted`);
});
