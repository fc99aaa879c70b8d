import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepCopy, deepFreeze } from './plain-data.js';

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

test('deepCopy copies every object and array, so editing the copy leaves the original as it was', () => {
  const value = { a: { b: [1, { c: 'x' }] }, d: [[{ e: true }]], s: 'text', n: null, z: 0 };
  const before = JSON.stringify(value);
  const copy = deepCopy(value);
  assert.deepEqual(copy, value);
  assert.notEqual(copy.a, value.a);
  assert.notEqual(copy.a.b[1], value.a.b[1]);
  assert.notEqual(copy.d[0], value.d[0]);
  (copy.a.b[1] as { c: string }).c = 'y';
  copy.d[0]![0]!.e = false;
  copy.a.b.push(2);
  assert.equal(JSON.stringify(value), before);
  assert.equal(deepCopy(deepFreeze({ f: [1] })).f.push(2), 2, 'a copy of a frozen value can be edited');
});
