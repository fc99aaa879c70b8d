import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contains, overlaps, parseCidr } from './cidr.js';

test('CIDRs parse only as network addresses', () => {
  assert.deepEqual(parseCidr('10.0.0.0/16'), { base: 0x0a000000, prefix: 16, text: '10.0.0.0/16' });
  assert.equal(parseCidr('10.0.0.1/16'), undefined);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('300.0.0.0/8'), undefined);
  assert.equal(parseCidr('nonsense'), undefined);
});

test('containment and overlap', () => {
  const vpc = parseCidr('10.0.0.0/16')!;
  assert.ok(contains(vpc, parseCidr('10.0.1.0/24')!));
  assert.ok(!contains(vpc, parseCidr('10.1.0.0/24')!));
  assert.ok(!contains(vpc, parseCidr('10.0.0.0/8')!));
  assert.ok(overlaps(parseCidr('10.0.0.0/24')!, parseCidr('10.0.0.128/25')!));
  assert.ok(!overlaps(parseCidr('10.0.0.0/25')!, parseCidr('10.0.0.128/25')!));
});
