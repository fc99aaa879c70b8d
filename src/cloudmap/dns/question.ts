// The hot-path query parser: reads the header, walks the one question's labels by hand, and looks
// at the first additional record for EDNS (OPT). No codec, no allocation beyond the result and the
// cache key. Everything a client may get wrong maps to an outcome here:
//   too short / a response (QR set)        → drop (never answer a response: no reflection loops)
//   opcode other than QUERY                → NOTIMP
//   QDCOUNT ≠ 1, bad labels, pointers in the question, truncated question or OPT → FORMERR
//   OPT with version > 0                   → BADVERS (answered by the server)

export type ParsedQuery =
  | {
      kind: 'query';
      id: number;
      rd: boolean;
      /** End of the question name (offset just past its root label). */
      nameEnd: number;
      /** End of the question (name + type + class). */
      qend: number;
      qtype: number;
      qclass: number;
      /** Lower-cased question bytes (name, type, class) as a latin1 string: the cache key. */
      key: string;
      edns: boolean;
      /** The requester's UDP payload size (512 without EDNS). */
      udpSize: number;
      ednsVersion: number;
    }
  | { kind: 'drop' }
  | { kind: 'error'; id: number; opcode: number; rd: boolean; rcode: number };

const FORMERR = 1;
const NOTIMP = 4;
const scratch = Buffer.alloc(255);

export function parseQuery(msg: Buffer): ParsedQuery {
  const len = msg.length;
  if (len < 12) return { kind: 'drop' };
  const flags = msg[2]!;
  if (flags & 0x80) return { kind: 'drop' };
  const id = (msg[0]! << 8) | msg[1]!;
  const opcode = (flags >> 3) & 0x0f;
  const rd = (flags & 1) === 1;
  const fail = (rcode: number): ParsedQuery => ({ kind: 'error', id, opcode, rd, rcode });
  if (opcode !== 0) return fail(NOTIMP);
  if (msg[4] !== 0 || msg[5] !== 1) return fail(FORMERR);

  let i = 12;
  let upper = false;
  for (;;) {
    if (i >= len) return fail(FORMERR);
    const l = msg[i]!;
    if (l === 0) break;
    if (l > 63) return fail(FORMERR); // compression pointers and extended label types have no place in a question
    if (i + 1 + l > len) return fail(FORMERR);
    for (let j = i + 1; j <= i + l; j++) {
      const c = msg[j]!;
      if (c >= 0x41 && c <= 0x5a) upper = true;
    }
    i += l + 1;
    if (i - 12 > 254) return fail(FORMERR); // a name is at most 255 bytes with its root label
  }
  const nameEnd = i + 1;
  const qend = nameEnd + 4;
  if (qend > len) return fail(FORMERR);
  const qtype = (msg[nameEnd]! << 8) | msg[nameEnd + 1]!;
  const qclass = (msg[nameEnd + 2]! << 8) | msg[nameEnd + 3]!;

  let key: string;
  if (!upper) key = msg.toString('latin1', 12, qend);
  else {
    // Lower-case only the name's ASCII letters: label lengths are ≤ 63 (never a letter), and the
    // type and class bytes after the name must stay as they are.
    const n = nameEnd - 12;
    msg.copy(scratch, 0, 12, nameEnd);
    for (let j = 0; j < n; j++) {
      const c = scratch[j]!;
      if (c >= 0x41 && c <= 0x5a) scratch[j] = c | 0x20;
    }
    key = scratch.toString('latin1', 0, n) + msg.toString('latin1', nameEnd, qend);
  }

  let edns = false;
  let udpSize = 512;
  let ednsVersion = 0;
  const ancount = (msg[6]! << 8) | msg[7]!;
  const nscount = (msg[8]! << 8) | msg[9]!;
  const arcount = (msg[10]! << 8) | msg[11]!;
  if (arcount > 0 && ancount === 0 && nscount === 0) {
    // The OPT pseudo-record: root name (0), type 41, class = UDP size, TTL = ext-rcode/version/flags.
    if (qend + 11 > len) return fail(FORMERR);
    if (msg[qend] === 0 && msg[qend + 1] === 0 && msg[qend + 2] === 41) {
      edns = true;
      udpSize = Math.max(512, (msg[qend + 3]! << 8) | msg[qend + 4]!);
      ednsVersion = msg[qend + 6]!;
      const rdlen = (msg[qend + 9]! << 8) | msg[qend + 10]!;
      if (qend + 11 + rdlen > len) return fail(FORMERR);
    }
  }
  return { kind: 'query', id, rd, nameEnd, qend, qtype, qclass, key, edns, udpSize, ednsVersion };
}

/** The dotted, lower-cased question name of a parsed query (slow path only). */
export function questionName(msg: Buffer, nameEnd: number): string {
  const labels: string[] = [];
  let i = 12;
  while (i < nameEnd - 1) {
    const l = msg[i]!;
    // ASCII-only lower-casing, like the cache key; a dot inside a label is escaped so it can never
    // match a two-label name of ours.
    labels.push(
      msg
        .toString('latin1', i + 1, i + 1 + l)
        .replace(/[A-Z]/g, (c) => c.toLowerCase())
        .replace(/\./g, '\\.'),
    );
    i += l + 1;
  }
  return labels.join('.');
}
