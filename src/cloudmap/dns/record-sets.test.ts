// The hosted zones' record sets, from a real discovery view (in-memory store): one set per instance and
// type with the routing policy Cloud Map writes, the SRV targets' A records, and the zones an account owns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloudMapWorld } from '../../../test/support/cloudmap-world.js';
import { LEGACY_ACCOUNT } from '../../store/store.js';

const brief = (sets: { name: string; type: string; values: string[]; setIdentifier?: string; routingPolicy?: string }[]) =>
  sets.map((s) => `${s.name} ${s.type} ${s.setIdentifier ?? '-'} ${s.routingPolicy ?? '-'} ${s.values.join(',')}`);

test('record sets: WEIGHTED and CNAME services, SRV targets, unhealthy instances kept (DNS picks by health)', async () => {
  const w = await cloudMapWorld();
  const zones = w.cm.api.hostedZones;
  const [zone] = zones.zones(LEGACY_ACCOUNT);
  assert.equal(zone!.name, 'internal');
  assert.equal(zone!.private, true);
  const reg = (serviceId: string, instanceId: string, attributes: Record<string, string>) => w.cm.api.registry.registerInstance({ serviceId, instanceId, attributes });
  const api = w.service('api', { DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'SRV', TTL: 5 }] }, HealthCheckCustomConfig: {} }).Id;
  reg(api, 'b', { AWS_INSTANCE_IPV4: '10.0.0.2', AWS_INSTANCE_PORT: '81', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' });
  reg(api, 'a', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' });
  const www = w.service('www', { DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'CNAME', TTL: 7 }] } }).Id;
  reg(www, 'c', { AWS_INSTANCE_CNAME: 'example.com' });
  assert.deepEqual(brief(zones.recordSets(LEGACY_ACCOUNT, zone!.id)!), [
    'internal NS - - ns-1536.awsdns-00.co.uk.,ns-0.awsdns-00.com.,ns-1024.awsdns-00.org.,ns-512.awsdns-00.net.',
    'internal SOA - - ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400',
    'api.internal SRV a WEIGHTED 1 1 80 a.api.internal.',
    'api.internal SRV b WEIGHTED 1 1 81 b.api.internal.',
    'a.api.internal A - - 10.0.0.1',
    'b.api.internal A - - 10.0.0.2',
    'www.internal CNAME c WEIGHTED example.com.',
  ]);
  assert.equal(zones.zone('111111111111', zone!.id), undefined, 'another account does not see the zone');
  assert.equal(zones.recordSets('111111111111', zone!.id), undefined);
  assert.deepEqual(zones.zones('111111111111'), []);
  await w.close();
});
