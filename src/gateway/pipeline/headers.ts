// Header list helpers for the flat [name, value, …] arrays the pipeline passes to the upstream
// client and to writeHead (no header objects on the hot path).

/** Removes every entry named `lower` (case-insensitive). */
export function removeHeader(h: string[], lower: string): void {
  let w = 0;
  for (let i = 0; i < h.length; i += 2) {
    const k = h[i]!;
    if (k.length === lower.length && k.toLowerCase() === lower) continue;
    h[w++] = k;
    h[w++] = h[i + 1]!;
  }
  h.length = w;
}

/** The values of `lower`, joined with ',' (undefined when absent). */
export function getHeader(h: readonly string[], lower: string): string | undefined {
  let out: string | undefined;
  for (let i = 0; i < h.length; i += 2) {
    const k = h[i]!;
    if (k.length === lower.length && k.toLowerCase() === lower) out = out === undefined ? h[i + 1]! : `${out},${h[i + 1]!}`;
  }
  return out;
}

/** Applies append/overwrite/remove to a header list (parameter mapping semantics, docs/aws-behavior.md §3.6). */
export function applyHeaderOp(h: string[], action: 'append' | 'overwrite' | 'remove', lower: string, value: string | undefined): void {
  if (action === 'remove') return removeHeader(h, lower);
  if (value === undefined) return;
  if (action === 'overwrite') {
    removeHeader(h, lower);
    h.push(lower, value);
    return;
  }
  for (let i = 0; i < h.length; i += 2) {
    const k = h[i]!;
    if (k.length === lower.length && k.toLowerCase() === lower) {
      h[i + 1] = `${h[i + 1]!},${value}`;
      return;
    }
  }
  h.push(lower, value);
}

/**
 * Whether a lower-cased name is hop-by-hop (RFC 9110 §7.6.1, and the older names proxies still drop):
 * never relayed, either way, by the gateway. A switch on the length, then string compares: no hashing
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
