// Character tests the two fast head readers (simple-request-head.ts, simple-response-head.ts) share.
const SP = 32;
const HTAB = 9;

/** Optional whitespace of RFC 9110: SP or HTAB. */
export function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

/** ASCII case-insensitive comparison with a lower-case literal, without allocating. */
export function equalsLower(s: string, lower: string): boolean {
  if (s.length !== lower.length) return false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
