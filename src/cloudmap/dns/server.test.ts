// The server's per-message path (no sockets): template patching, 0x20 case, the revision-keyed
// cache, truncation, EDNS, and survival of malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import packet from 'dns-packet';
import { silentLogger } from '../../kernel/log.js';
import { cloudMapWorld } from '../../../test/support/cloudmap-world.js';
import { DnsServer } from './server.js';

async function world() {
  const w = await cloudMapWorld();
  const api = w.service('api', {
    DnsConfig: {
      DnsRecords: [
        { Type: 'SRV', TTL: 10 },
        { Type: 'A', TTL: 10 },
      ],
    },
  }).Id;
  const dns = new DnsServer(w.cm.api.discovery, silentLogger);
  return { cm: w.cm, api, dns, close: w.close };
}

const q = (name: string, type: string, opts: { id?: number; rd?: boolean; edns?: number } = {}) =>
  packet.encode({
    type: 'query',
    id: opts.id ?? 1,
    flags: opts.rd === false ? 0 : packet.RECURSION_DESIRED,
    questions: [{ name, type: type as packet.RecordType, class: 'IN' }],
    ...(opts.edns ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns } as packet.Answer] } : {}),
  });

type Decoded = ReturnType<typeof packet.decode> & { rcode?: string; flag_tc?: boolean; flag_aa?: boolean; flag_rd?: boolean };
const decode = (b: Buffer | undefined): Decoded => packet.decode(b!) as Decoded;

test('ID, RD and the question as the client wrote it (0x20) come back; answers follow the view', async () => {
  const w = await world();
  w.cm.api.registry.registerInstance({ serviceId: w.api, instanceId: 'one', attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '80' } });
  const r1 = decode(w.dns.answer(q('aPi.InTeRnAl', 'A', { id: 777 }), false));
  assert.equal(r1.id, 777);
  assert.equal(r1.flag_rd, true);
  assert.equal(r1.flag_aa, true);
  assert.equal(r1.questions![0]!.name, 'aPi.InTeRnAl');
  assert.equal((r1.answers![0] as { name: string }).name, 'aPi.InTeRnAl', 'owner names point at the question');
  const r2 = decode(w.dns.answer(q('api.internal', 'A', { id: 9, rd: false }), false));
  assert.equal(r2.id, 9);
  assert.equal(r2.flag_rd, false);
  assert.equal(r2.answers!.length, 1);

  w.cm.api.registry.registerInstance({ serviceId: w.api, instanceId: 'two', attributes: { AWS_INSTANCE_IPV4: '10.0.0.2', AWS_INSTANCE_PORT: '80' } });
  assert.equal(decode(w.dns.answer(q('api.internal', 'A'), false)).answers!.length, 2, 'a new revision drops the cache');
  w.cm.api.registry.deregisterInstance(w.api, 'one');
  w.cm.api.registry.deregisterInstance(w.api, 'two');
  assert.equal(decode(w.dns.answer(q('api.internal', 'A'), false)).rcode, 'NXDOMAIN');
  await w.close();
});

test('UDP answers that do not fit are truncated (TC) and complete over TCP; EDNS raises the limit', async () => {
  const w = await world();
  for (let i = 0; i < 8; i++) {
    w.cm.api.registry.registerInstance({
      serviceId: w.api,
      instanceId: `${String(i).padStart(2, '0')}-${'x'.repeat(40)}`,
      attributes: { AWS_INSTANCE_IPV4: `10.0.0.${i + 1}`, AWS_INSTANCE_PORT: '80' },
    });
  }
  const udp = decode(w.dns.answer(q('api.internal', 'SRV'), false));
  assert.equal(udp.flag_tc, true);
  assert.equal(udp.answers!.length, 0);
  const tcp = decode(w.dns.answer(q('api.internal', 'SRV'), true));
  assert.equal(tcp.flag_tc, false);
  assert.equal(tcp.answers!.length, 8);
  assert.equal(tcp.additionals!.length, 8);
  const edns = decode(w.dns.answer(q('api.internal', 'SRV', { edns: 1232 }), false));
  assert.equal(edns.flag_tc, false, 'fits in 1232 bytes');
  assert.equal(edns.answers!.length, 8);
  assert.equal(edns.additionals!.filter((a) => a.type === 'OPT').length, 1, 'OPT echoed');
  assert.equal(decode(w.dns.answer(q('api.internal', 'A'), false)).answers!.length, 8, 'small enough for 512');
  await w.close();
});

test('EDNS version 1 → BADVERS; CHAOS class → REFUSED; malformed input never throws', async () => {
  const w = await world();
  const v1 = q('api.internal', 'A', { edns: 1232 });
  v1[v1.length - 11 + 6] = 1;
  const bad = w.dns.answer(v1, false)!;
  assert.equal(bad[3]! & 0x0f, 0);
  assert.equal(bad[bad.length - 11 + 5], 1, 'extended RCODE 16 (BADVERS) in the OPT record');
  const chaos = packet.encode({ type: 'query', id: 3, questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] });
  assert.equal(decode(w.dns.answer(chaos, false)).rcode, 'REFUSED');
  const formerr = Buffer.from(q('api.internal', 'A'));
  formerr[5] = 3;
  const fe = w.dns.answer(formerr, false)!;
  assert.equal(fe.readUInt16BE(0), 1);
  assert.equal(fe[3]! & 0x0f, 1, 'FORMERR');
  assert.equal(w.dns.answer(Buffer.from([1, 2, 3]), false), undefined);
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const good = q('api.internal', 'SRV', { edns: 1232 });
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.from(good);
    for (let k = 0; k < 3; k++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
    const out = w.dns.answer(buf.subarray(0, Math.floor(rand() * (buf.length + 1))), false);
    if (out) assert.ok(out.length >= 12);
  }
  await w.close();
});
