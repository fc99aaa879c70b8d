// DNS wire encoding for response templates (off the hot path). A template is a whole response for
// one lower-cased question: header, question, records, optional EDNS OPT. Owner and rdata names are
// compressed against the question name at offset 12, so when the server copies the client's own
// question bytes over it (0x20 case randomisation) every pointer still lands on the same labels.
// SRV targets are never compressed (RFC 2782).
import { isIPv4 } from 'node:net';

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33, OPT: 41, IXFR: 251, AXFR: 252, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** Extended RCODE 16 (BADVERS) lives in the OPT record: upper 8 bits = 1. */
export const EXT_BADVERS = 1;
/** The UDP payload size we advertise (the DNS flag day 2020 value). */
export const OUR_UDP_SIZE = 1232;

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export type RecordData =
  | { type: typeof TYPE.A | typeof TYPE.AAAA; address: string }
  | { type: typeof TYPE.CNAME | typeof TYPE.NS; target: string }
  | { type: typeof TYPE.SRV; priority: number; weight: number; port: number; target: string }
  | { type: typeof TYPE.SOA; soa: SoaData };

export type ResourceRecord = RecordData & { name: string; ttl: number };

export interface ResponseSpec {
  /** The question name on the wire (labels, root byte), lower-cased. */
  qname: Buffer;
  qtype: number;
  qclass: number;
  rcode: number;
  aa: boolean;
  tc?: boolean;
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** Append an OPT record (the query had EDNS). extRcode goes into its TTL. */
  opt?: { extRcode?: number };
}

export const labelsOf = (name: string): string[] => (name === '' ? [] : name.split('.'));

/** A dotted name in wire form (tests and tools; labels must be encodable). */
export function nameWire(name: string): Buffer {
  const parts = labelsOf(name).map((l) => Buffer.from(l, 'latin1'));
  return Buffer.concat([...parts.flatMap((p) => [Buffer.from([p.length]), p]), Buffer.from([0])]);
}

/** True when every label fits (1–63 bytes) and the whole name fits in 255 bytes on the wire. */
export function encodable(name: string): boolean {
  if (name === '') return true;
  let total = 1;
  for (const l of name.split('.')) {
    if (l.length === 0 || l.length > 63) return false;
    total += l.length + 1;
  }
  return total <= 255;
}

export function ipv6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  let text = address;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 && isIPv4(v4[1]!)) {
    tail.push(...v4[1]!.split('.').map(Number));
    text = text.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const r = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  groups.forEach((g, i) => {
    out.writeUInt16BE(parseInt(g || '0', 16) & 0xffff, i * 2);
  });
  if (tail.length) Buffer.from(tail).copy(out, 12);
  return out;
}

class Writer {
  private buf = Buffer.alloc(512);
  len = 0;
  /** Lower-cased dotted suffix → offset of its first label. */
  private readonly names = new Map<string, number>();

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number, at = -1): void {
    if (at >= 0) return void this.buf.writeUInt16BE(v & 0xffff, at);
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  /** Writes a name, compressing against names written before (unless compress is false). */
  name(name: string, compress = true): void {
    const labels = labelsOf(name);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase(); // names compare case-insensitively
      const at = compress ? this.names.get(suffix) : undefined;
      if (at !== undefined) return this.u16(0xc000 | at);
      if (this.len < 0x3fff && !this.names.has(suffix)) this.names.set(suffix, this.len);
      const label = Buffer.from(labels[i]!, 'latin1');
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  /** Writes a name given in wire form and remembers its suffixes for compression. */
  rawName(wire: Buffer): void {
    const starts: number[] = [];
    const labels: string[] = [];
    for (let i = 0; i < wire.length && wire[i] !== 0; i += wire[i]! + 1) {
      starts.push(this.len + i);
      labels.push(wire.toString('latin1', i + 1, i + 1 + wire[i]!).replace(/\./g, '\\.'));
    }
    labels.forEach((_, k) => {
      const suffix = labels.slice(k).join('.').toLowerCase();
      if (starts[k]! < 0x3fff && !this.names.has(suffix)) this.names.set(suffix, starts[k]!);
    });
    this.bytes(wire);
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(CLASS_IN);
  w.u32(rr.ttl);
  const lenAt = w.len;
  w.u16(0);
  const start = w.len;
  switch (rr.type) {
    case TYPE.A:
      w.bytes(Buffer.from(rr.address.split('.').map(Number)));
      break;
    case TYPE.AAAA:
      w.bytes(ipv6Bytes(rr.address));
      break;
    case TYPE.CNAME:
    case TYPE.NS:
      w.name(rr.target);
      break;
    case TYPE.SRV:
      w.u16(rr.priority);
      w.u16(rr.weight);
      w.u16(rr.port);
      w.name(rr.target, false);
      break;
    case TYPE.SOA:
      w.name(rr.soa.mname);
      w.name(rr.soa.rname);
      w.u32(rr.soa.serial);
      w.u32(rr.soa.refresh);
      w.u32(rr.soa.retry);
      w.u32(rr.soa.expire);
      w.u32(rr.soa.minimum);
      break;
  }
  w.u16(w.len - start, lenAt);
}

/** Encodes a whole response; the ID is 0 and RD clear (the server patches both per query). */
export function encodeResponse(spec: ResponseSpec): Buffer {
  const w = new Writer();
  w.u16(0); // id
  w.u8(0x80 | (spec.aa ? 0x04 : 0) | (spec.tc ? 0x02 : 0));
  w.u8(spec.rcode & 0x0f);
  w.u16(1);
  w.u16(spec.answer.length);
  w.u16(spec.authority.length);
  w.u16(spec.additional.length + (spec.opt ? 1 : 0));
  w.rawName(spec.qname);
  w.u16(spec.qtype);
  w.u16(spec.qclass);
  for (const rr of spec.answer) writeRecord(w, rr);
  for (const rr of spec.authority) writeRecord(w, rr);
  for (const rr of spec.additional) writeRecord(w, rr);
  if (spec.opt) {
    w.u8(0); // root
    w.u16(TYPE.OPT);
    w.u16(OUR_UDP_SIZE);
    w.u32(((spec.opt.extRcode ?? 0) & 0xff) << 24); // extended rcode, version 0, no flags
    w.u16(0);
  }
  return w.done();
}

/** A bare error answer (FORMERR, NOTIMP) for a query whose question cannot be used. */
export function encodeHeaderOnly(id: number, opcode: number, rd: boolean, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(id, 0);
  out[2] = 0x80 | ((opcode & 0x0f) << 3) | (rd ? 1 : 0);
  out[3] = rcode & 0x0f;
  return out;
}
