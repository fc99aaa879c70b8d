// Benchmark probe (bench/dns.sh's node-raw reference; not product code): a minimal authoritative DNS
// server on node:dgram (UDP, port 5302) for the svc.local zone of dns-zone.mjs. dns-packet comes from
// the repository's own dependencies.
// MODE=packet : dns-packet.decode every query + dns-packet.encode every response (straightforward version)
//      cache  : dns-packet.decode the query, send a pre-encoded response (patch id/flags, echo question)
//      raw    : no dns-packet on the hot path: walk the question labels by hand, pre-encoded response
// LOOKUP=fast: dgram socket with a no-op lookup() (skips dns.lookup() of rinfo.address on every send)
import dgram from 'node:dgram';
import packet from 'dns-packet';
import rcodes from 'dns-packet/rcodes.js';
import { zone } from './dns-zone.mjs';
const PORT = +(process.env.PORT || 5302);
const MODE = process.env.MODE || 'packet';
const opts = { type: 'udp4' };
if (process.env.LOOKUP === 'fast') opts.lookup = (addr, _o, cb) => cb(null, addr, 4);
const sock = dgram.createSocket(opts);
const FLAG_AA = 1 << 10,
  FLAG_RD = 1 << 8;
const SOA = [
  {
    name: 'svc.local',
    type: 'SOA',
    class: 'IN',
    ttl: 60,
    data: { mname: 'ns.svc.local', rname: 'hostmaster.svc.local', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 60 },
  },
];

function answerFor(q) {
  // -> { rcode, answers, authorities }
  const name = q.name.toLowerCase();
  const ans = zone.get(name + '|' + q.type);
  if (ans) return { rcode: 'NOERROR', answers: ans, authorities: [] };
  if (name === 'svc.local' || name.endsWith('.svc.local')) {
    const exists = [...zone.keys()].some((k) => k.startsWith(name + '|'));
    return { rcode: exists ? 'NOERROR' : 'NXDOMAIN', answers: [], authorities: SOA };
  }
  return { rcode: 'REFUSED', answers: [], authorities: [] };
}
function encodeFull(query) {
  const q = query.questions[0];
  const a = q ? answerFor(q) : { rcode: 'FORMERR', answers: [], authorities: [] };
  return packet.encode({
    id: query.id,
    type: 'response',
    flags: FLAG_AA | (query.flags & FLAG_RD) | rcodes.toRcode(a.rcode),
    questions: query.questions,
    answers: a.answers,
    authorities: a.authorities,
  });
}
// pre-encoded responses keyed by lower-cased wire question (qname labels + qtype + qclass)
const cache = new Map();
function template(key, qbuf) {
  let t = cache.get(key);
  if (t === undefined) {
    const q = packet.decode(qbuf);
    t = encodeFull({ id: 0, flags: 0, questions: q.questions });
    if (cache.size < 10000) cache.set(key, t);
  }
  return t;
}
function questionEnd(msg) {
  // offset just past qname+qtype+qclass of question 1, or -1
  let i = 12;
  while (i < msg.length) {
    const l = msg[i];
    if (l === 0) {
      i += 1;
      break;
    }
    if (l & 0xc0) return -1;
    i += l + 1;
  }
  return i + 4 <= msg.length ? i + 4 : -1;
}
function fromTemplate(msg, t, qend) {
  const out = Buffer.allocUnsafe(t.length);
  t.copy(out);
  out[0] = msg[0];
  out[1] = msg[1]; // id
  out[2] = (out[2] & ~1) | (msg[2] & 1); // RD echo
  msg.copy(out, 12, 12, qend); // echo question as sent (0x20 case preserved)
  return out;
}
sock.on('message', (msg, rinfo) => {
  let out;
  try {
    if (msg.length < 17 || msg[2] & 0x80 || msg[5] !== 1 || msg[4] !== 0) {
      // not a 1-question query
      out = encodeFull(packet.decode(msg));
    } else if (MODE === 'packet') {
      out = encodeFull(packet.decode(msg));
    } else if (MODE === 'cache') {
      const q = packet.decode(msg);
      const qend = questionEnd(msg);
      out = fromTemplate(msg, template(msg.toString('latin1', 12, qend).toLowerCase(), msg), qend);
      void q;
    } else {
      // raw
      const qend = questionEnd(msg);
      if (qend < 0) return;
      out = fromTemplate(msg, template(msg.toString('latin1', 12, qend).toLowerCase(), msg), qend);
    }
  } catch {
    return;
  } // malformed: drop
  sock.send(out, rinfo.port, rinfo.address);
});
sock.bind(PORT, '127.0.0.1');
