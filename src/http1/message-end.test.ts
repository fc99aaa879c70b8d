import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlankLineScanner } from './message-end.js';

/** Every end the scanner reports when `text` arrives cut into `parts` (offsets in the whole text). */
function ends(text: string, cuts: number[]): number[] {
  const s = new BlankLineScanner();
  const out: number[] = [];
  let base = 0;
  const bounds = [...cuts, text.length];
  let start = 0;
  for (const b of bounds) {
    const buf = Buffer.from(text.slice(start, b), 'latin1');
    let from = 0;
    for (;;) {
      const e = s.next(buf, from);
      if (e < 0) break;
      out.push(base + e);
      from = e;
    }
    base += buf.length;
    start = b;
  }
  return out;
}

test('finds each blank line, also when "\\r\\n\\r\\n" is split across buffers at any byte', () => {
  const text = 'GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\n\r\n';
  const want = [27, 47];
  assert.deepEqual(ends(text, []), want);
  for (let cut = 1; cut < text.length; cut++) assert.deepEqual(ends(text, [cut]), want, `cut at ${cut}`);
  for (let a = 20; a < 28; a++) for (let b = a + 1; b < 29; b++) assert.deepEqual(ends(text, [a, b]), want, `cuts at ${a},${b}`);
});

test('a partial match that breaks off does not hide a match starting on the breaking byte', () => {
  assert.deepEqual(ends('x\r\n\r\r\n\r\ny', [4]), [8]);
  assert.deepEqual(ends('x\r\n\r\r\n\r\ny', [3]), [8]);
  assert.deepEqual(ends('\r\n\r\n\r\n\r\n', [2, 5]), [4, 8]);
});

test('a chunked body ends at the blank line after its last chunk (and trailers)', () => {
  const body = '5\r\nhello\r\n0\r\nX-T: 1\r\n\r\nGET';
  assert.deepEqual(ends(body, [14]), [body.indexOf('\r\n\r\n') + 4]);
});
