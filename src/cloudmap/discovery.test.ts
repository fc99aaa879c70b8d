// DiscoverInstances' selection rules as a pure function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiscoveredInstance } from './api.js';
import { selectInstances } from './discovery.js';

const inst = (instanceId: string, health: DiscoveredInstance['health'], attributes: Record<string, string> = {}): DiscoveredInstance => ({ instanceId, health, attributes });
const ids = (list: DiscoveredInstance[]) => list.map((i) => i.instanceId).sort();

test('health filters apply only with a health configuration; HEALTHY is the default; HEALTHY_OR_ELSE_ALL fails open', () => {
  const all = [inst('a', 'HEALTHY'), inst('b', 'UNHEALTHY')];
  assert.deepEqual(ids(selectInstances(all, 'custom', {})), ['a']);
  assert.deepEqual(ids(selectInstances(all, 'custom', { healthStatus: 'UNHEALTHY' })), ['b']);
  assert.deepEqual(ids(selectInstances(all, 'route53', { healthStatus: 'ALL' })), ['a', 'b']);
  assert.deepEqual(ids(selectInstances(all, 'custom', { healthStatus: 'HEALTHY_OR_ELSE_ALL' })), ['a']);
  assert.deepEqual(ids(selectInstances([inst('b', 'UNHEALTHY')], 'custom', { healthStatus: 'HEALTHY_OR_ELSE_ALL' })), ['b']);
  const unknown = [inst('x', 'UNKNOWN'), inst('y', 'UNKNOWN')];
  assert.deepEqual(ids(selectInstances(unknown, 'none', { healthStatus: 'UNHEALTHY' })), ['x', 'y']);
});

test('query parameters, optional parameters after the health filter, MaxResults', () => {
  const all = [inst('a', 'HEALTHY', { z: '1', v: 'blue' }), inst('b', 'UNHEALTHY', { z: '1', v: 'green' }), inst('c', 'HEALTHY', { z: '2', v: 'green' })];
  assert.deepEqual(ids(selectInstances(all, 'custom', { healthStatus: 'ALL', queryParameters: { z: '1' } })), ['a', 'b']);
  // the only green z=1 instance is unhealthy: the optional filter would empty the healthy result, so it is ignored
  assert.deepEqual(ids(selectInstances(all, 'custom', { queryParameters: { z: '1' }, optionalParameters: { v: 'green' } })), ['a']);
  assert.deepEqual(ids(selectInstances(all, 'custom', { optionalParameters: { v: 'green' } })), ['c']);
  assert.equal(selectInstances(all, 'none', { maxResults: 2 }).length, 2);
  const many = Array.from({ length: 150 }, (_, i) => inst(`i${i}`, 'UNKNOWN'));
  assert.equal(selectInstances(many, 'none', {}).length, 100);
});
