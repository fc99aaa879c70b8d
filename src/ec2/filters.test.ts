import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFilters, wildcardMatch } from './filters.js';

test('wildcards: * is any run, ? one character, everything else literal', () => {
  assert.equal(wildcardMatch('web*', 'web-1'), true);
  assert.equal(wildcardMatch('web*', 'web'), true);
  assert.equal(wildcardMatch('*-1', 'web-1'), true);
  assert.equal(wildcardMatch('w?b', 'web'), true);
  assert.equal(wildcardMatch('w?b', 'wb'), false);
  assert.equal(wildcardMatch('a*b*c', 'axxbyyc'), true);
  assert.equal(wildcardMatch('a*b*c', 'axxbyy'), false);
  assert.equal(wildcardMatch('10.0.*', '10.0.1.0/24'), true);
  assert.equal(wildcardMatch('10.0.*', '10x0.1'), false, 'a dot is a dot');
  assert.equal(wildcardMatch('(a)+', '(a)+'), true);
  assert.equal(wildcardMatch('(a)+', 'aa'), false);
  assert.equal(wildcardMatch('', ''), true);
  assert.equal(wildcardMatch('*', ''), true);
  assert.equal(wildcardMatch('x', ''), false);
});

test('a pattern with many stars against a long value answers (no exponential backtracking)', () => {
  const value = 'a'.repeat(5000);
  assert.equal(wildcardMatch(`${'*a'.repeat(40)}*b`, value), false);
  assert.equal(wildcardMatch(`${'*a'.repeat(40)}*`, value), true);
  const records = [{ tags: { x: value } }, { tags: { x: `${value}b` } }];
  assert.deepEqual(applyFilters(records, [{ Name: 'tag:x', Values: [`${'*a'.repeat(12)}*b`] }], {}), [records[1]]);
});
