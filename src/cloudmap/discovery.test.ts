// DiscoverInstances' selection rules as a pure function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiscoveredInstance } from './api.js';
import { Discovery, selectInstances } from './discovery.js';
import { CloudMapStore, cloudmapMigrations, type NamespaceRecord, type ServiceRecord } from './store.js';
import { LEGACY_ACCOUNT, scopedKey, Store } from '../store/store.js';
import { silentLogger } from '../kernel/log.js';

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

test('the name index follows deletes and creates in one commit: a service replaced by another of the same name is found, the old one is gone', () => {
  const store = Store.open(':memory:', cloudmapMigrations, silentLogger);
  const cm = new CloudMapStore(store);
  const d = new Discovery(cm, silentLogger);
  d.attach(store);
  const scope = { region: 'us-east-1', accountId: LEGACY_ACCOUNT };
  const ns = { ...scope, id: 'ns-1', arn: 'arn:ns-1', name: 'local', httpName: 'local', type: 'HTTP', createdAt: 0, operationId: 'op', tags: {} } as NamespaceRecord;
  const svc = (id: string, name: string) =>
    ({ ...scope, id, arn: `arn:${id}`, name, namespaceId: 'ns-1', type: 'HTTP', attributes: {}, createdAt: 0, tags: {}, instancesRevision: 0 }) as ServiceRecord;
  store.withTx(() => {
    cm.namespaces.putTx(scopedKey(scope, 'ns-1'), ns);
    cm.services.putTx(scopedKey(scope, 'srv-a'), svc('srv-a', 'api'));
    cm.services.putTx(scopedKey(scope, 'srv-x'), svc('srv-x', 'other'));
  });
  assert.equal(d.serviceByName(scope, 'local', 'api').record.id, 'srv-a');
  // The new service's id sorts first, so its name is set before the old one's is removed in the same batch.
  store.withTx(() => {
    cm.services.putTx(scopedKey(scope, 'srv-0'), svc('srv-0', 'api'));
    cm.services.deleteTx(scopedKey(scope, 'srv-a'));
  });
  assert.equal(d.serviceByName(scope, 'local', 'api').record.id, 'srv-0');
  assert.equal(d.serviceByName(scope, 'local', 'other').record.id, 'srv-x', 'untouched services keep their names');
  store.withTx(() => cm.services.putTx(scopedKey(scope, 'srv-x'), svc('srv-x', 'renamed')));
  assert.throws(() => d.serviceByName(scope, 'local', 'other'), /ServiceNotFound|Service not found/);
  assert.equal(d.serviceByName(scope, 'local', 'renamed').record.id, 'srv-x');
  d.detach();
});
