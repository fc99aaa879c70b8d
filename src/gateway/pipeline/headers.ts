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

// Hop-by-hop names: one list for the gateway and the upstream client's forwardable-head reader.
export { hopByHopLength, isHopByHop } from '../../http1/hop-by-hop.js';
