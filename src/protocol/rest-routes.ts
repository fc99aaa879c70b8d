// rest-json routing: the model's `http.requestUri` templates compiled into a matcher. Labels are
// matched on the raw (still percent-encoded) path and decoded exactly once, so `%2F` inside an ARN
// label or `%24default` never splits or double-decodes (docs/aws-behavior.md §6.4).
import type { ServiceModel } from './model.js';

type Segment = { literal: string } | { label: string; greedy: boolean };

export interface RestRoute {
  operation: string;
  method: string;
  segments: Segment[];
  /** Literal query parameters the template requires (e.g. `?x-id=Op`). */
  query: Array<[string, string]>;
  /** Specificity (see score()), computed once. */
  score: number[];
  /** Segments before the first greedy label: their literals are checked before any label is decoded. */
  plain: number;
}

export interface RestMatch {
  operation: string;
  labels: Record<string, string>;
}

export function compileRestRoutes(model: ServiceModel): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [name, op] of Object.entries(model.operations)) {
    const uri = op.http.requestUri ?? '/';
    const [path = '/', qs] = uri.split('?');
    const segments: Segment[] = path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => {
        const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
        return m ? { label: m[1]!, greedy: m[2] === '+' } : { literal: s };
      });
    const query: Array<[string, string]> = qs
      ? qs.split('&').map((pair) => {
          const [k = '', v = ''] = pair.split('=');
          return [k, v];
        })
      : [];
    const greedy = segments.findIndex((g) => 'label' in g && g.greedy);
    routes.push({ operation: name, method: (op.http.method ?? 'POST').toUpperCase(), segments, query, score: score(segments), plain: greedy < 0 ? segments.length : greedy });
  }
  return routes;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Specificity: literals beat labels, earlier positions count more; used to pick among matches. */
function score(segments: Segment[]): number[] {
  return segments.map((s) => ('literal' in s ? 2 : s.greedy ? 0 : 1));
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1;
    const y = b[i] ?? -1;
    if (x !== y) return x > y;
  }
  return false;
}

function matchOne(route: RestRoute, parts: string[], lastLabelAbsorbs: boolean): Record<string, string> | undefined {
  const segs = route.segments;
  // Most of a service's ~100 routes differ from the path in a literal: find that before decoding any
  // label. Only literals before a label that takes the rest of the path are compared here (the loop
  // below stops at such a label; the last one absorbs too in the second pass, and nothing follows it).
  if (!lastLabelAbsorbs && segs.length !== parts.length && route.plain === segs.length) return undefined;
  for (let i = 0; i < route.plain; i++) {
    const seg = segs[i]!;
    if ('literal' in seg && parts[i] !== seg.literal) return undefined;
  }
  const labels: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const isLast = i === segs.length - 1;
    if ('literal' in seg) {
      if (parts[i] !== seg.literal) return undefined;
      continue;
    }
    if (i >= parts.length) return undefined;
    const rest = seg.greedy || (isLast && lastLabelAbsorbs);
    const raw = rest ? parts.slice(i).join('/') : parts[i]!;
    const value = decode(raw);
    if (value === undefined || value === '') return undefined;
    labels[seg.label] = value;
    if (rest) return labels;
  }
  return segs.length === parts.length ? labels : undefined;
}

/**
 * Finds the operation for a method and raw path. Returns `methodMismatch` when the path exists under
 * another method (so the caller can answer 405-like errors honestly).
 */
export function matchRestRoute(routes: RestRoute[], method: string, rawPath: string, query: URLSearchParams): RestMatch | { methodMismatch: true } | undefined {
  const parts = rawPath.split('/').filter((s) => s !== '');
  let pathMatched = false;
  // Second pass lets a trailing label swallow '/' for clients that do not encode it (ARN labels).
  for (const absorb of [false, true]) {
    let best: { route: RestRoute; labels: Record<string, string>; score: number[] } | undefined;
    for (const route of routes) {
      const labels = matchOne(route, parts, absorb);
      if (!labels) continue;
      if (!route.query.every(([k, v]) => (v === '' ? query.has(k) : query.get(k) === v))) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const s = route.score;
      if (!best || better(s, best.score)) best = { route, labels, score: s };
    }
    if (best) return { operation: best.route.operation, labels: best.labels };
    if (pathMatched) return { methodMismatch: true };
  }
  return undefined;
}
