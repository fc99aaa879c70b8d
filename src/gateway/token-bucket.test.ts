import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';

test('a bucket allows its burst at once, then refills at its rate', () => {
  const b = new TokenBucket(10, 3, 0);
  assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
  assert.equal(b.take(50), false, 'half a token after 50 ms at 10/s');
  assert.equal(b.take(100), true, 'one token after 100 ms');
  assert.equal(b.take(10_000), true);
  assert.deepEqual([b.take(10_000), b.take(10_000), b.take(10_000)], [true, true, false], 'refill never exceeds the burst');
});

test('rate 0 and burst 0 block everything', () => {
  const b = new TokenBucket(0, 0, 0);
  assert.equal(b.take(0), false);
  assert.equal(b.take(1e9), false);
});
