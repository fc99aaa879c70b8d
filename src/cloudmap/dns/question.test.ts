// The hand-written question parser against dns-packet's encoder, and against malformed packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import packet from 'dns-packet';
import { parseQuery, questionName } from './question.js';

const query = (name: string, type: packet.RecordType = 'A', extra: Partial<packet.Packet> = {}) =>
  packet.encode({ type: 'query', id: 4242, flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }], ...extra });

test('a plain query: id, RD, type, class, a lower-cased key, the question span', () => {
  const msg = query('Api.Internal', 'SRV');
  const q = parseQuery(msg);
  assert.equal(q.kind, 'query');
  if (q.kind !== 'query') return;
  assert.equal(q.id, 4242);
  assert.equal(q.rd, true);
  assert.equal(q.qtype, 33);
  assert.equal(q.qclass, 1);
  assert.equal(q.qend, msg.length);
  assert.equal(q.edns, false);
  assert.equal(q.udpSize, 512);
  assert.equal(questionName(msg, q.nameEnd), 'api.internal');
  const lower = parseQuery(query('api.internal', 'SRV'));
  assert.equal(lower.kind === 'query' && lower.key, q.key, 'case does not change the cache key');
  const other = parseQuery(query('api.internal', 'A'));
  assert.notEqual(other.kind === 'query' && other.key, q.key, 'the type is part of the key');
});

test('type bytes that look like upper-case letters are not folded into another type', () => {
  // type 0x0041 (65, HTTPS) vs 0x0061 (97): the low byte is 'A' vs 'a' in latin1
  const a = parseQuery(query('x.internal', 'HTTPS' as packet.RecordType));
  const msg = query('x.internal', 'HTTPS' as packet.RecordType);
  msg.writeUInt16BE(97, msg.length - 4);
  const b = parseQuery(msg);
  assert.ok(a.kind === 'query' && b.kind === 'query');
  assert.notEqual(a.kind === 'query' && a.key, b.kind === 'query' && b.key);
});

test('EDNS: the OPT record gives the UDP size and version', () => {
  const msg = query('a.internal', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 } as packet.Answer] });
  const q = parseQuery(msg);
  assert.ok(q.kind === 'query' && q.edns && q.udpSize === 4096 && q.ednsVersion === 0);
  const tiny = query('a.internal', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 100 } as packet.Answer] });
  assert.equal((parseQuery(tiny) as { udpSize: number }).udpSize, 512, 'never below 512');
  const v1 = Buffer.from(msg);
  v1[msg.length - 11 + 6] = 1; // OPT TTL byte 2: version
  assert.equal((parseQuery(v1) as { ednsVersion: number }).ednsVersion, 1);
});

test('malformed packets: dropped or answered FORMERR/NOTIMP, never thrown', () => {
  const good = query('svc.internal');
  assert.deepEqual(parseQuery(Buffer.alloc(0)), { kind: 'drop' });
  assert.deepEqual(parseQuery(good.subarray(0, 11)), { kind: 'drop' });
  const response = Buffer.from(good);
  response[2]! |= 0x80;
  assert.deepEqual(parseQuery(response), { kind: 'drop' }, 'never answer a response');

  const rcode = (msg: Buffer) => {
    const q = parseQuery(msg);
    return q.kind === 'error' ? q.rcode : q.kind;
  };
  const notify = Buffer.from(good);
  notify[2] = (4 << 3) | 1;
  assert.equal(rcode(notify), 4, 'NOTIFY → NOTIMP');
  const two = Buffer.from(good);
  two[5] = 2;
  assert.equal(rcode(two), 1, 'two questions → FORMERR');
  const none = Buffer.from(good);
  none[5] = 0;
  assert.equal(rcode(none), 1);
  assert.equal(rcode(good.subarray(0, good.length - 2)), 1, 'truncated type/class');
  assert.equal(rcode(good.subarray(0, 14)), 1, 'truncated name');
  const pointer = Buffer.concat([good.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
  assert.equal(rcode(pointer), 1, 'compression pointer in the question');
  const longLabel = Buffer.concat([good.subarray(0, 12), Buffer.from([64]), Buffer.alloc(64, 0x61), Buffer.from([0, 0, 1, 0, 1])]);
  assert.equal(rcode(longLabel), 1, 'label over 63');
  const longName = Buffer.concat([
    good.subarray(0, 12),
    ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([60]), Buffer.alloc(60, 0x62)])),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);
  assert.equal(rcode(longName), 1, 'name over 255');
  const badOpt = Buffer.from(query('a.internal', 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as packet.Answer] }));
  assert.equal(rcode(badOpt.subarray(0, badOpt.length - 3)), 1, 'truncated OPT');

  // random garbage: every outcome is one of the three, nothing throws
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 5000; i++) {
    const len = Math.floor(rand() * 80);
    const buf = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
    if (i % 2 && len >= 12) good.copy(buf, 0, 0, 12); // half of them with a plausible header
    const q = parseQuery(buf);
    assert.ok(['query', 'drop', 'error'].includes(q.kind));
    if (q.kind === 'query') assert.ok(q.qend <= buf.length);
  }
});

test('a dot inside a label never matches two labels of ours', () => {
  const msg = Buffer.concat([query('x').subarray(0, 12), Buffer.from([5]), Buffer.from('a.b.c'), Buffer.from([0, 0, 1, 0, 1])]);
  const q = parseQuery(msg);
  assert.ok(q.kind === 'query');
  assert.equal(questionName(msg, (q as { nameEnd: number }).nameEnd), 'a\\.b\\.c');
});
