// Answer building from a real discovery view (in-memory store), and the encoded bytes checked with
// an independent decoder (dns-packet), compression pointers included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import packet from 'dns-packet';
import { cloudMapWorld } from '../../../test/support/cloudmap-world.js';
import { MAX_MULTIVALUE, planAnswer, type AnswerVariant } from './answers.js';
import { encodeResponse, nameWire, RCODE, TYPE } from './wire.js';
import { buildZoneIndex, ZoneIndexer } from './zones.js';

async function world() {
  const w = await cloudMapWorld();
  const svc = (Name: string, extra: object, NamespaceId = w.nsId) => w.service(Name, extra, NamespaceId).Id;
  const reg = (serviceId: string, instanceId: string, attributes: Record<string, string>) => w.cm.api.registry.registerInstance({ serviceId, instanceId, attributes });
  const index = () => buildZoneIndex(w.cm.api.discovery.snapshot);
  return { cm: w.cm, ns: w.namespace, svc, reg, index, close: w.close };
}

interface Rec {
  name: string;
  type: string;
  ttl: number;
  // biome-ignore lint/suspicious/noExplicitAny: dns-packet's decoded record data differs per record type
  data: any;
}
const decode = (name: string, qtype: number, v: AnswerVariant, rcode = 0) => {
  const p = packet.decode(encodeResponse({ qname: nameWire(name), qtype, qclass: 1, rcode, aa: true, ...v }));
  return { answers: p.answers as unknown as Rec[], additionals: p.additionals as unknown as Rec[] };
};

test('A, MULTIVALUE: up to 8 random healthy values; none healthy → up to 8 of the unhealthy ones', async () => {
  const w = await world();
  const web = w.svc('web', { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 42 }] }, HealthCheckCustomConfig: {} });
  for (let i = 1; i <= 10; i++) w.reg(web, `t${i}`, { AWS_INSTANCE_IPV4: `10.0.0.${i}`, AWS_INIT_HEALTH_STATUS: i <= 9 ? 'HEALTHY' : 'UNHEALTHY' });
  const plan = planAnswer(w.index(), 'web.internal', TYPE.A);
  assert.equal(plan.rcode, RCODE.NOERROR);
  assert.ok(plan.aa);
  assert.ok(plan.variants.length > 1, 'several random picks are prepared');
  const seen = new Set<string>();
  for (const v of plan.variants) {
    assert.equal(v.answer.length, MAX_MULTIVALUE);
    for (const rr of v.answer) {
      assert.equal(rr.ttl, 42);
      assert.notEqual((rr as { address: string }).address, '10.0.0.10', 'the unhealthy one is left out');
      seen.add((rr as { address: string }).address);
    }
  }
  assert.ok(seen.size > MAX_MULTIVALUE, 'different picks across variants');
  const p = decode('web.internal', TYPE.A, plan.variants[0]!);
  assert.equal(p.answers.length, 8);
  assert.ok(p.answers.every((a) => a.name === 'web.internal' && a.type === 'A'));

  for (let i = 1; i <= 9; i++) w.cm.api.registry.setCustomHealth(web, `t${i}`, 'UNHEALTHY');
  const failOpen = planAnswer(w.index(), 'web.internal', TYPE.A);
  assert.equal(failOpen.variants[0]!.answer.length, 8, 'all unhealthy: answer anyway (fail open)');
  await w.close();
});

test('WEIGHTED: one value; CNAME answers any type; AAAA', async () => {
  const w = await world();
  const one = w.svc('one', {
    DnsConfig: {
      RoutingPolicy: 'WEIGHTED',
      DnsRecords: [
        { Type: 'A', TTL: 5 },
        { Type: 'AAAA', TTL: 6 },
      ],
    },
  });
  w.reg(one, 'a', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_IPV6: '2001:db8::1' });
  w.reg(one, 'b', { AWS_INSTANCE_IPV4: '10.0.0.2', AWS_INSTANCE_IPV6: '2001:db8::2' });
  const a = planAnswer(w.index(), 'one.internal', TYPE.A);
  assert.ok(a.variants.every((v) => v.answer.length === 1));
  const aaaa = decode('one.internal', TYPE.AAAA, planAnswer(w.index(), 'one.internal', TYPE.AAAA).variants[0]!);
  assert.match(aaaa.answers[0]!.data as string, /^2001:db8::[12]$/);
  assert.equal(aaaa.answers[0]!.ttl, 6);

  const www = w.svc('www', { DnsConfig: { RoutingPolicy: 'WEIGHTED', DnsRecords: [{ Type: 'CNAME', TTL: 30 }] } });
  w.reg(www, 'c', { AWS_INSTANCE_CNAME: 'backend.example.com' });
  for (const qtype of [TYPE.A, TYPE.CNAME, TYPE.AAAA]) {
    const p = decode('www.internal', qtype, planAnswer(w.index(), 'www.internal', qtype).variants[0]!);
    assert.deepEqual(
      p.answers.map((x) => [x.type, x.data]),
      [['CNAME', 'backend.example.com']],
    );
  }
  await w.close();
});

test('SRV: 1 1 <port> <instanceId>.<svc>.<ns> with the target A records in the additional section', async () => {
  const w = await world();
  const api = w.svc('api', { DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: {} });
  w.reg(api, 'Task-1', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: '8080' });
  w.reg(api, 'task-2', { AWS_INSTANCE_IPV4: '127.0.0.2', AWS_INSTANCE_PORT: '8081', AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' });
  const plan = planAnswer(w.index(), 'api.internal', TYPE.SRV);
  const p = decode('api.internal', TYPE.SRV, plan.variants[0]!);
  assert.deepEqual(
    p.answers.map((x) => x.data),
    [{ priority: 1, weight: 1, port: 8080, target: 'Task-1.api.internal' }],
  );
  assert.deepEqual(
    p.additionals.map((x) => [x.name, x.type, x.data]),
    [['Task-1.api.internal', 'A', '127.0.0.1']],
  );
  // the target names answer A (any case), and exist regardless of health
  for (const name of ['task-1.api.internal', 'task-2.api.internal']) {
    const t = planAnswer(w.index(), name, TYPE.A);
    assert.equal(t.rcode, RCODE.NOERROR);
    assert.equal(t.variants[0]!.answer.length, 1);
  }
  assert.equal(planAnswer(w.index(), 'api.internal', TYPE.A).variants[0]!.answer.length, 0, 'no A record set: NODATA');
  await w.close();
});

test('NXDOMAIN vs NODATA vs REFUSED; SOA and NS at the apex; empty non-terminals; names only exist with records', async () => {
  const w = await world();
  const deep = w.svc('_http._tcp.api', { DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] } });
  w.svc('empty', { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } });
  w.svc('apionly', { Type: 'HTTP' });
  w.reg(deep, 'x', { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' });
  const idx = w.index();
  const rc = (name: string, t: number = TYPE.A) => planAnswer(idx, name, t);
  assert.equal(rc('nope.internal').rcode, RCODE.NXDOMAIN);
  assert.equal(rc('nope.internal').variants[0]!.authority[0]!.type, TYPE.SOA);
  assert.equal(rc('empty.internal').rcode, RCODE.NXDOMAIN, 'a service without instances has no records');
  assert.equal(rc('apionly.internal').rcode, RCODE.NXDOMAIN, 'HTTP-only services have no DNS');
  assert.equal(rc('_tcp.api.internal').rcode, RCODE.NOERROR, 'empty non-terminal');
  assert.equal(rc('_tcp.api.internal').variants[0]!.answer.length, 0);
  assert.equal(rc('api.internal').rcode, RCODE.NOERROR);
  assert.equal(rc('_http._tcp.api.internal', TYPE.SRV).variants[0]!.answer.length, 1);
  assert.equal(rc('x._http._tcp.api.internal').variants[0]!.answer.length, 1);
  assert.equal(rc('internal').rcode, RCODE.NOERROR, 'the apex exists');
  const soa = decode('internal', TYPE.SOA, rc('internal', TYPE.SOA).variants[0]!);
  assert.equal((soa.answers[0]!.data as { mname: string }).mname, 'ns-1536.awsdns-00.co.uk');
  assert.equal(soa.answers[0]!.ttl, 15, 'the namespace SOA TTL (default 15)');
  assert.equal(decode('internal', TYPE.NS, rc('internal', TYPE.NS).variants[0]!).answers.length, 4);
  assert.equal(rc('example.com').rcode, RCODE.REFUSED);
  assert.equal(rc('example.com').aa, false);
  assert.equal(rc('internal', TYPE.AXFR).rcode, RCODE.REFUSED, 'no zone transfers');
  const any = decode('internal', TYPE.ANY, rc('internal', TYPE.ANY).variants[0]!);
  assert.deepEqual(
    any.answers.map((a) => a.type),
    ['SOA', 'NS', 'NS', 'NS', 'NS'],
  );
  await w.close();
});

test('the most specific zone wins; HTTP namespaces have no zone', async () => {
  const w = await world();
  const sub = w.ns('sub.internal');
  const s = w.svc('api', { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 1 }] } }, sub);
  w.reg(s, 'i', { AWS_INSTANCE_IPV4: '10.9.9.9' });
  const p = planAnswer(w.index(), 'api.sub.internal', TYPE.A);
  assert.deepEqual(
    p.variants[0]!.answer.map((r) => (r as { address: string }).address),
    ['10.9.9.9'],
  );
  assert.equal(planAnswer(w.index(), 'nope.sub.internal', TYPE.A).variants[0]!.authority[0]!.name, 'sub.internal');
  await w.close();
});

test('encoding compresses names against the question and decodes cleanly', () => {
  const v: AnswerVariant = {
    answer: [{ name: 'api.internal', type: TYPE.SRV, ttl: 10, priority: 1, weight: 1, port: 80, target: 'abc.api.internal' }],
    authority: [],
    additional: [{ name: 'abc.api.internal', type: TYPE.A, ttl: 10, address: '10.0.0.1' }],
  };
  const buf = encodeResponse({ qname: nameWire('api.internal'), qtype: TYPE.SRV, qclass: 1, rcode: 0, aa: true, ...v, opt: {} });
  const p = packet.decode(buf);
  assert.equal(p.answers![0]!.name, 'api.internal');
  assert.equal(p.additionals![0]!.name, 'abc.api.internal');
  assert.equal(p.additionals![1]!.type, 'OPT');
  // owner of the SRV record is a 2-byte pointer to offset 12
  const qlen = nameWire('api.internal').length + 4;
  assert.equal(buf.readUInt16BE(12 + qlen), 0xc00c);
});

test('the zone index brought up to date service by service answers as one built from scratch', async () => {
  const w = await world();
  const indexer = new ZoneIndexer();
  const touched = new Set<string>();
  let all = true;
  const off = w.cm.api.discovery.onChange((t) => {
    if (!t) all = true;
    else for (const id of t) touched.add(id);
  });
  const sync = () => {
    const idx = indexer.update(w.cm.api.discovery.snapshot, all ? undefined : touched);
    touched.clear();
    all = false;
    return idx;
  };
  const questions: Array<[string, number]> = [];
  const check = () => {
    const inc = sync();
    const full = w.index();
    for (const [name, qtype] of questions) {
      const a = planAnswer(inc, name, qtype, () => 0);
      const b = planAnswer(full, name, qtype, () => 0);
      assert.deepEqual({ rcode: a.rcode, variants: a.variants }, { rcode: b.rcode, variants: b.variants }, `${name} ${qtype}`);
    }
  };
  const web = w.svc('web', { DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] }, HealthCheckCustomConfig: {} });
  const api = w.svc('_http._tcp.api', { DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] } });
  questions.push(
    ['web.internal', TYPE.A],
    ['_http._tcp.api.internal', TYPE.SRV],
    ['_tcp.api.internal', TYPE.A],
    ['api.internal', TYPE.A],
    ['t1._http._tcp.api.internal', TYPE.A],
    ['nope.internal', TYPE.A],
  );
  check();
  w.reg(web, 't1', { AWS_INSTANCE_IPV4: '10.0.0.1' });
  w.reg(api, 't1', { AWS_INSTANCE_IPV4: '10.0.0.2', AWS_INSTANCE_PORT: '80' });
  check();
  w.reg(api, 't2', { AWS_INSTANCE_IPV4: '10.0.0.3', AWS_INSTANCE_PORT: '81' });
  w.cm.api.registry.setCustomHealth(web, 't1', 'UNHEALTHY');
  check();
  w.cm.api.registry.deregisterInstance(api, 't1');
  w.cm.api.registry.deregisterInstance(api, 't2');
  check(); // the SRV owner and its empty non-terminals are gone again
  off();
  await w.close();
});
