import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageOf } from './paging.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);

test('pages in the given order, 100 by default, and the last page has no NextToken', () => {
  const first = pageOf(ids(250), (x) => x, undefined);
  assert.equal(first.items.length, 100);
  assert.equal(first.items[0], 'e0');
  const second = pageOf(ids(250), (x) => x, first.NextToken);
  assert.deepEqual([second.items[0], second.items.length], ['e100', 100]);
  const third = pageOf(ids(250), (x) => x, second.NextToken);
  assert.deepEqual([third.items[0], third.items.length, third.NextToken], ['e200', 50, undefined]);
  assert.equal(pageOf(ids(100), (x) => x, undefined).NextToken, undefined);
});

test('items added at the front between pages are neither repeated nor skipped', () => {
  const first = pageOf(ids(5), (x) => x, undefined, 2);
  const grown = ['new', ...ids(5)];
  assert.deepEqual(pageOf(grown, (x) => x, first.NextToken, 2).items, ['e2', 'e3']);
});

test('a token that is not ours is a ValidationError', () => {
  assert.throws(
    () => pageOf(ids(3), (x) => x, 'garbage'),
    (e: Error & { code?: string }) => e.code === 'ValidationError',
  );
});
