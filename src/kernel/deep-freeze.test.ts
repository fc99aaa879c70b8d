import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from './deep-freeze.js';

test('deepFreeze freezes objects and arrays to the leaves, returns the value, and stops at cycles', () => {
  const value = { a: { b: [1, { c: 'x' }] }, d: [[{ e: true }]], s: 'text', n: null };
  const cyclic: Record<string, unknown> = { value };
  value.a.b.push(cyclic as never);
  assert.equal(deepFreeze(value), value);
  for (const o of [value, value.a, value.a.b, value.a.b[1], value.d, value.d[0], value.d[0]![0], cyclic]) assert.ok(Object.isFrozen(o));
  assert.throws(() => {
    (value.d[0]![0] as { e: boolean }).e = false;
  }, TypeError);
  assert.equal(deepFreeze('text'), 'text');
  assert.equal(deepFreeze(null), null);
});
