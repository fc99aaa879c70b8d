// RegisterInstance attribute rules and CreateService configuration rules, as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAwsError } from '../kernel/errors.js';
import { checkInstanceAttributes, initialHealth, parsePort, type InstanceRules } from './instance-attributes.js';
import { checkDnsUpdate, checkServiceConfig } from './service-config.js';
import type { ServiceRecord } from './store.js';

const rules = (over: Partial<InstanceRules>): InstanceRules => ({ namespaceType: 'DNS_PRIVATE', recordTypes: [], healthCheck: false, customHealth: false, ...over });

function message(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isAwsError(e) && e.code === 'InvalidInput', String(e));
    return e.message;
  }
  return 'ok';
}

test('required reserved attributes follow the record types and the health check', () => {
  assert.match(
    message(() => checkInstanceAttributes(rules({ recordTypes: ['A'] }), {})),
    /AWS_INSTANCE_IPV4 is required/,
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ recordTypes: ['AAAA'] }), { AWS_INSTANCE_IPV4: '1.2.3.4' })),
    /AWS_INSTANCE_IPV6 is required/,
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ recordTypes: ['SRV'] }), { AWS_INSTANCE_IPV4: '1.2.3.4' })),
    /AWS_INSTANCE_PORT is required/,
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ recordTypes: ['SRV'] }), { AWS_INSTANCE_PORT: '1' })),
    /IPV4 or AWS_INSTANCE_IPV6/,
  );
  assert.equal(
    message(() => checkInstanceAttributes(rules({ recordTypes: ['SRV'] }), { AWS_INSTANCE_IPV6: '::1', AWS_INSTANCE_PORT: '1' })),
    'ok',
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ recordTypes: ['CNAME'], routingPolicy: 'WEIGHTED' }), {})),
    /AWS_INSTANCE_CNAME is required/,
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ namespaceType: 'HTTP', healthCheck: true }), { AWS_INSTANCE_IPV4: '1.2.3.4' })),
    /AWS_INSTANCE_PORT is required: the service has a Route 53/,
  );
  assert.equal(
    message(() => checkInstanceAttributes(rules({ namespaceType: 'HTTP' }), { anything: 'goes' })),
    'ok',
    'HTTP services need nothing',
  );
});

test('formats: IPv4, IPv6, port range, CNAME, AWS_INIT_HEALTH_STATUS', () => {
  const a = rules({ recordTypes: ['A', 'AAAA', 'SRV'] });
  const ok = { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_IPV6: '2001:db8::1', AWS_INSTANCE_PORT: '65535' };
  assert.equal(
    message(() => checkInstanceAttributes(a, ok)),
    'ok',
  );
  assert.match(
    message(() => checkInstanceAttributes(a, { ...ok, AWS_INSTANCE_IPV4: '10.0.0' })),
    /IPv4/,
  );
  assert.match(
    message(() => checkInstanceAttributes(a, { ...ok, AWS_INSTANCE_IPV6: '2001:zz::1' })),
    /IPv6/,
  );
  assert.match(
    message(() => checkInstanceAttributes(a, { ...ok, AWS_INSTANCE_PORT: '65536' })),
    /PORT/,
  );
  assert.match(
    message(() => checkInstanceAttributes(a, { ...ok, AWS_INSTANCE_PORT: '-1' })),
    /PORT/,
  );
  assert.match(
    message(() => checkInstanceAttributes(a, { ...ok, AWS_INIT_HEALTH_STATUS: 'healthy' })),
    /HEALTHY or UNHEALTHY/,
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ recordTypes: ['CNAME'], routingPolicy: 'WEIGHTED' }), { AWS_INSTANCE_CNAME: 'not a host' })),
    /domain name/,
  );
  assert.equal(parsePort('080'), 80);
  assert.equal(parsePort('1e3'), undefined);
  assert.equal(initialHealth({}), 'HEALTHY');
  assert.equal(initialHealth({ AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }), 'UNHEALTHY');
});

test('limits: 30 custom attributes, 5000 characters; alias and EC2 rules', () => {
  const custom = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
  assert.equal(
    message(() => checkInstanceAttributes(rules({ namespaceType: 'HTTP' }), custom(30))),
    'ok',
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ namespaceType: 'HTTP' }), custom(31))),
    /at most 30/,
  );
  assert.equal(
    message(() => checkInstanceAttributes(rules({ namespaceType: 'HTTP' }), { AWS_INSTANCE_IPV4: '1.1.1.1', ...custom(30) })),
    'ok',
    'reserved ones do not count',
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ namespaceType: 'HTTP' }), { a: 'x'.repeat(2500), b: 'y'.repeat(2499) })),
    /5000/,
  );
  const weightedA = rules({ recordTypes: ['A'], routingPolicy: 'WEIGHTED' });
  assert.equal(
    message(() => checkInstanceAttributes(weightedA, { AWS_ALIAS_DNS_NAME: 'my-lb-1.us-east-1.elb.amazonaws.com' })),
    'ok',
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ recordTypes: ['A'], routingPolicy: 'MULTIVALUE' }), { AWS_ALIAS_DNS_NAME: 'lb.example.com' })),
    /WEIGHTED/,
  );
  assert.match(
    message(() => checkInstanceAttributes(weightedA, { AWS_ALIAS_DNS_NAME: 'lb.example.com', AWS_INSTANCE_IPV4: '1.1.1.1' })),
    /cannot be combined/,
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({}), { AWS_EC2_INSTANCE_ID: 'i-1' })),
    /HTTP namespaces/,
  );
  assert.match(
    message(() => checkInstanceAttributes(rules({ namespaceType: 'HTTP' }), { AWS_EC2_INSTANCE_ID: 'i-1', AWS_INSTANCE_PORT: '1' })),
    /cannot be combined/,
  );
});

test('service configuration: record sets, routing policies, health configs per namespace type', () => {
  const cfg = (input: Partial<Parameters<typeof checkServiceConfig>[0]>) => message(() => void checkServiceConfig({ namespaceType: 'DNS_PRIVATE', ...input }));
  const recs = (...types: Array<'A' | 'AAAA' | 'SRV' | 'CNAME'>) => types.map((Type) => ({ Type, TTL: 60 }));
  for (const set of [recs('A'), recs('AAAA'), recs('A', 'AAAA'), recs('SRV'), recs('A', 'SRV')]) assert.equal(cfg({ dnsConfig: { DnsRecords: set } }), 'ok');
  assert.match(cfg({ dnsConfig: { DnsRecords: recs('CNAME') } }), /WEIGHTED/);
  assert.equal(cfg({ dnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: recs('CNAME') } }), 'ok');
  assert.match(cfg({ dnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: recs('CNAME', 'A') } }), /cannot be combined/);
  assert.match(cfg({ dnsConfig: { DnsRecords: recs('A', 'A') } }), /more than one A/);
  assert.match(cfg({ healthCheckConfig: { Type: 'HTTP' } }), /private DNS/);
  assert.equal(cfg({ namespaceType: 'DNS_PUBLIC', healthCheckConfig: { Type: 'HTTP' } }), 'ok');
  assert.match(cfg({ namespaceType: 'DNS_PUBLIC', dnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: recs('CNAME') }, healthCheckConfig: { Type: 'HTTP' } }), /CNAME/);
  assert.match(cfg({ namespaceType: 'HTTP', dnsConfig: { DnsRecords: recs('A') } }), /HTTP namespace/);
  assert.match(cfg({ type: 'HTTP', dnsConfig: { DnsRecords: recs('A') } }), /type HTTP/);
  const c = checkServiceConfig({ namespaceType: 'HTTP', healthCheckConfig: { Type: 'HTTPS' } });
  assert.deepEqual(c.healthCheck, { type: 'HTTPS', failureThreshold: 1, resourcePath: '/' });
  assert.equal(checkServiceConfig({ namespaceType: 'DNS_PRIVATE' }).type, 'HTTP', 'no DnsConfig: an API-only service');

  const svc = {
    dnsRecords: [
      { type: 'A', ttl: 5 },
      { type: 'SRV', ttl: 5 },
    ],
    routingPolicy: 'MULTIVALUE',
  } as ServiceRecord;
  assert.deepEqual(
    checkDnsUpdate(svc, [
      { Type: 'SRV', TTL: 9 },
      { Type: 'A', TTL: 8 },
    ]),
    [
      { type: 'SRV', ttl: 9 },
      { type: 'A', ttl: 8 },
    ],
  );
  assert.match(
    message(() => void checkDnsUpdate(svc, [{ Type: 'A', TTL: 9 }])),
    /cannot be changed/,
  );
});
