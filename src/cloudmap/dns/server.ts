// The authoritative DNS server for Cloud Map's DNS namespaces, on UDP and TCP of one port.
// Hot path (docs/architecture.md §7): parse only the question by hand, look the lower-cased question
// up in a cache of pre-encoded responses, copy the template, patch ID and RD, and copy the client's
// question bytes over ours (so 0x20 case randomisation comes back unchanged). The cache is dropped
// whenever the discovery view's revision moves; a miss builds the answer from the view's snapshot
// (zones.ts → answers.ts → wire.ts). Nothing here reads SQL. Malformed input never throws out.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { isIP, isIPv6 } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import type { Logger } from '../../kernel/log.js';
import type { Discovery } from '../discovery.js';
import { planAnswer } from './answers.js';
import { parseQuery, questionName, type ParsedQuery } from './question.js';
import { ZoneIndexer, type ZoneIndex } from './zones.js';
import { encodeHeaderOnly, encodeResponse, EXT_BADVERS, OUR_UDP_SIZE, RCODE, type ResponseSpec } from './wire.js';

interface CachedAnswer {
  plain: Buffer[];
  edns: Buffer[];
  truncatedPlain: Buffer;
  truncatedEdns: Buffer;
  next: number;
}

type Query = Extract<ParsedQuery, { kind: 'query' }>;

const MAX_CACHE_ENTRIES = 10_000;
/**
 * DNS-over-TCP connections held at once (BIND's tcp-clients default is 150, unbound's incoming-num-tcp 10 per
 * thread). Every connection is a file descriptor of the one process that also serves the edge port, so without a
 * cap a client that opens idle connections starves the edge of descriptors. At the cap a new connection evicts the
 * least recently active one (RFC 7766 §6.2.3 lets a busy server close idle connections), so TCP queries keep working.
 */
export const DNS_TCP_MAX_CONNECTIONS = 128;
/** RFC 7766 §6.2.3: an idle DNS-over-TCP connection is closed after a timeout "on the order of seconds". */
export const DNS_TCP_IDLE_MS = 5_000;
const TCP_MAX_BACKLOG = 1 << 20;
const CLASS_IN = 1;
const CLASS_ANY = 255;

export class DnsServer {
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly conns = new Set<Socket>();
  private readonly cache = new Map<string, CachedAnswer>();
  private cacheRevision = -1;
  private index?: ZoneIndex;
  private readonly indexer = new ZoneIndexer();
  /** Services the view rebuilt since the zone index was last brought up to date (all: a namespace changed). */
  private readonly changed = new Set<string>();
  private changedAll = true;
  /** The bound port (config port 0 picks a free one). */
  port = 0;

  constructor(
    private readonly view: Discovery,
    private readonly logger: Logger,
  ) {
    view.onChange((touched) => {
      if (!touched) this.changedAll = true;
      else for (const id of touched) this.changed.add(id);
    });
  }

  async start(host: string, port: number): Promise<void> {
    const type = isIPv6(host) ? 'udp6' : 'udp4';
    for (let attempt = 0; ; attempt++) {
      // Answers go to rinfo.address, always an IP literal: handing it straight back skips dns.lookup's
      // process.nextTick round on every answer sent. A name (a --host such as localhost) is still looked up.
      const udp = createSocket({ type, lookup: (address, opts, done) => (isIP(address) ? done(null, address, isIP(address)) : dnsLookup(address, opts, done)) });
      udp.on('message', (msg, rinfo) => {
        const out = this.answer(msg, false);
        if (out) udp.send(out, rinfo.port, rinfo.address);
      });
      udp.on('error', (e) => this.logger.warn({ err: e }, 'dns udp socket error'));
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, host, () => (udp.off('error', reject), resolve()));
      });
      const bound = udp.address().port;
      const tcp = createServer((sock) => this.serveTcp(sock));
      // A backstop above the eviction in serveTcp: evicted sockets leave the server's count only once their close
      // event has run, so a burst within one tick may briefly pass the cap; past twice the cap, Node drops arrivals.
      tcp.maxConnections = 2 * DNS_TCP_MAX_CONNECTIONS;
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(bound, host, () => (tcp.off('error', reject), resolve()));
        });
      } catch (e) {
        udp.close();
        // With port 0 the UDP port may be taken on TCP by someone else: try another one.
        if (port === 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 10) continue;
        throw e;
      }
      tcp.on('error', (e) => this.logger.warn({ err: e }, 'dns tcp server error'));
      this.udp = udp;
      this.tcp = tcp;
      this.port = bound;
      return;
    }
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all([udp ? new Promise<void>((resolve) => udp.close(() => resolve())) : undefined, tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : undefined]);
    this.cache.clear();
  }

  /** The answer to one DNS message, or undefined when it must be dropped. Never throws. */
  answer(msg: Buffer, tcp: boolean): Buffer | undefined {
    let q: ParsedQuery;
    try {
      q = parseQuery(msg);
      if (q.kind === 'drop') return undefined;
      if (q.kind === 'error') return encodeHeaderOnly(q.id, q.opcode, q.rd, q.rcode);
      if (q.edns && q.ednsVersion > 0)
        return this.patch(msg, q, this.encode(q, { rcode: RCODE.NOERROR, aa: false, answer: [], authority: [], additional: [] }, { extRcode: EXT_BADVERS }));

      if (this.view.revision !== this.cacheRevision) {
        this.cache.clear();
        this.cacheRevision = this.view.revision;
      }
      let entry = this.cache.get(q.key);
      if (!entry) {
        entry = this.build(msg, q);
        if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear(); // random-name floods must not grow memory
        this.cache.set(q.key, entry);
      }
      const list = q.edns ? entry.edns : entry.plain;
      let t = list.length === 1 ? list[0]! : list[entry.next++ % list.length]!;
      if (!tcp && t.length > (q.edns ? Math.min(q.udpSize, OUR_UDP_SIZE) : 512)) t = q.edns ? entry.truncatedEdns : entry.truncatedPlain;
      return this.patch(msg, q, t);
    } catch (e) {
      this.logger.debug({ err: e }, 'dns query failed');
      return msg.length >= 12 && !(msg[2]! & 0x80) ? encodeHeaderOnly(msg.readUInt16BE(0), (msg[2]! >> 3) & 0x0f, (msg[2]! & 1) === 1, RCODE.SERVFAIL) : undefined;
    }
  }

  private zoneIndex(): ZoneIndex {
    const snap = this.view.snapshot;
    if (this.index?.revision !== snap.revision) {
      this.index = this.indexer.update(snap, this.changedAll ? undefined : this.changed);
      this.changed.clear();
      this.changedAll = false;
    }
    return this.index;
  }

  private encode(q: Query, body: Omit<ResponseSpec, 'qname' | 'qtype' | 'qclass'>, opt?: ResponseSpec['opt']): Buffer {
    const qname = Buffer.from(q.key.slice(0, q.nameEnd - 12), 'latin1');
    return encodeResponse({ ...body, qname, qtype: q.qtype, qclass: q.qclass, ...(opt ? { opt } : {}) });
  }

  private build(msg: Buffer, q: Query): CachedAnswer {
    const plan =
      q.qclass === CLASS_IN || q.qclass === CLASS_ANY
        ? planAnswer(this.zoneIndex(), questionName(msg, q.nameEnd), q.qtype)
        : { rcode: RCODE.REFUSED, aa: false, variants: [{ answer: [], authority: [], additional: [] }] };
    const head = { rcode: plan.rcode, aa: plan.aa };
    const none = { answer: [], authority: [], additional: [] };
    return {
      plain: plan.variants.map((v) => this.encode(q, { ...head, ...v })),
      edns: plan.variants.map((v) => this.encode(q, { ...head, ...v }, {})),
      truncatedPlain: this.encode(q, { ...head, ...none, tc: true }),
      truncatedEdns: this.encode(q, { ...head, ...none, tc: true }, {}),
      next: 0,
    };
  }

  /** Copies a template and makes it this query's answer: ID, RD, and the question as the client wrote it. */
  private patch(msg: Buffer, q: Query, t: Buffer): Buffer {
    const out = Buffer.allocUnsafe(t.length);
    t.copy(out);
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    if (q.rd) out[2]! |= 1;
    msg.copy(out, 12, 12, q.qend);
    return out;
  }

  private serveTcp(sock: Socket): void {
    if (this.conns.size >= DNS_TCP_MAX_CONNECTIONS) {
      // conns is kept in order of last activity: its first entry is the connection idle for longest.
      const idlest = this.conns.values().next().value as Socket;
      this.conns.delete(idlest);
      idlest.destroy();
      this.logger.debug({ open: this.conns.size }, 'dns tcp connection cap reached: closed the idlest connection');
    }
    this.conns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(DNS_TCP_IDLE_MS, () => sock.destroy());
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      if (this.conns.delete(sock)) this.conns.add(sock); // most recently active goes last
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const out = this.answer(msg, true);
        if (!out) continue;
        const frame = Buffer.allocUnsafe(2 + out.length);
        frame.writeUInt16BE(out.length, 0);
        out.copy(frame, 2);
        sock.write(frame);
        if (sock.writableLength > TCP_MAX_BACKLOG) return void sock.destroy(); // a client that never reads
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
  }
}
