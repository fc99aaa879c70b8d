import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countedTags, isReservedTag, withSystemTags } from './system-tags.js';

test('aws: tag keys are reserved, in any case; other keys are not', () => {
  assert.equal(isReservedTag('aws:cloudformation:stack-name', 'web'), true);
  assert.equal(isReservedTag('AWS:x', 'v'), true);
  assert.equal(isReservedTag('team', 'web'), false);
  assert.equal(isReservedTag('awsome', 'x'), false);
});

test('inside withSystemTags exactly the granted key/value pairs are allowed, also across awaits', async () => {
  await withSystemTags({ 'aws:cloudformation:stack-name': 'web' }, async () => {
    await new Promise((r) => setTimeout(r, 1));
    assert.equal(isReservedTag('aws:cloudformation:stack-name', 'web'), false);
    assert.equal(isReservedTag('aws:cloudformation:stack-name', 'other'), true);
    assert.equal(isReservedTag('aws:cloudformation:logical-id', 'Vpc'), true);
  });
  assert.equal(isReservedTag('aws:cloudformation:stack-name', 'web'), true);
});

test("AWS's own tags do not count toward a tag quota; every other key does", () => {
  assert.equal(countedTags(['team', 'aws:cloudformation:stack-name', 'AWS:x', 'awsome', 'Name']), 3);
  assert.equal(countedTags([]), 0);
});
