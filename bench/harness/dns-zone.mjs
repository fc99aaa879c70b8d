// Benchmark harness: the svc.local test zone (the same data as bench/conf/unbound.conf and as the
// Cloud Map records bench/lib/cloudmap-setup.mjs creates), as dns-packet answer records for dns-probe.mjs.
const TTL = 60;
const A = (name, data) => ({ name, type: 'A', class: 'IN', ttl: TTL, data });
const SRV = (target, priority, weight) => ({ name: '_http._tcp.svc.local', type: 'SRV', class: 'IN', ttl: TTL, data: { priority, weight, port: 8080, target } });
export const zone = new Map([
  ['svc.local|A', [A('svc.local', '10.0.0.1'), A('svc.local', '10.0.0.2'), A('svc.local', '10.0.0.3')]],
  ['a.svc.local|A', [A('a.svc.local', '10.0.0.1')]],
  ['b.svc.local|A', [A('b.svc.local', '10.0.0.2')]],
  ['c.svc.local|A', [A('c.svc.local', '10.0.0.3')]],
  ['_http._tcp.svc.local|SRV', [SRV('a.svc.local', 10, 50), SRV('b.svc.local', 10, 50), SRV('c.svc.local', 20, 10)]],
]);
