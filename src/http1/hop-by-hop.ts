// Hop-by-hop header fields (RFC 9110 §7.6.1, and the older names proxies still drop): never relayed,
// either way, by a proxy. One list, read two ways: as a lower-cased string (the gateway's header
// arrays, src/gateway/pipeline/headers.ts re-exports these) and as bytes of a received head (the
// upstream client's forwardable-head reader, simple-response-head.ts), so both drop the same names.

/**
 * Whether a lower-cased name is hop-by-hop. A switch on the length, then string compares: no hashing
 * of a fresh lower-cased string per header (a Set lookup was ~1 % of the gateway's profile).
 */
export function isHopByHop(l: string): boolean {
  switch (l.length) {
    case 2:
      return l === 'te';
    case 7:
      return l === 'trailer' || l === 'upgrade';
    case 8:
      return l === 'trailers';
    case 10:
      return l === 'connection' || l === 'keep-alive';
    case 16:
      return l === 'proxy-connection';
    case 17:
      return l === 'transfer-encoding';
    case 18:
      return l === 'proxy-authenticate';
  }
  return false;
}

/** Whether a name of this length can be hop-by-hop: names of other lengths need no lower-casing. */
export function hopByHopLength(length: number): boolean {
  switch (length) {
    case 2: // te
    case 7: // trailer, upgrade
    case 8: // trailers
    case 10: // connection, keep-alive
    case 16: // proxy-connection
    case 17: // transfer-encoding
    case 18: // proxy-authenticate
      return true;
  }
  return false;
}

/**
 * `isHopByHop` for a name given as bytes (`len` bytes of token characters at `start`), without
 * making a string of it.
 */
export function isHopByHopBytes(b: Uint8Array, start: number, len: number): boolean {
  switch (len) {
    case 2:
      return bytesEqualLower(b, start, 'te');
    case 7:
      return bytesEqualLower(b, start, 'trailer') || bytesEqualLower(b, start, 'upgrade');
    case 8:
      return bytesEqualLower(b, start, 'trailers');
    case 10:
      return bytesEqualLower(b, start, 'connection') || bytesEqualLower(b, start, 'keep-alive');
    case 16:
      return bytesEqualLower(b, start, 'proxy-connection');
    case 17:
      return bytesEqualLower(b, start, 'transfer-encoding');
    case 18:
      return bytesEqualLower(b, start, 'proxy-authenticate');
  }
  return false;
}

/**
 * Whether the bytes at `start` are `lower` (a literal of a–z and '-') in any case. Setting bit 0x20
 * lower-cases A–Z and leaves a–z and '-' as they are; of the bytes a header name may hold, only the
 * letter itself maps onto a letter, and only '-' (or a CR, which no name holds) onto '-'.
 */
export function bytesEqualLower(b: Uint8Array, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((b[start + i]! | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}
