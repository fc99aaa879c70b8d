// Route selection with AWS's precedence (docs/aws-behavior.md §3.2), O(path segments) on a frozen trie:
//   1. a full match (every segment a literal or a single-segment `{var}`) beats any greedy route;
//      among full matches, literal beats variable at the first differing position, left to right;
//   2. then greedy `{x+}` routes (one or more remaining segments, never zero), again literal-first,
//      so the longer literal prefix wins (`GET /pets/{proxy+}` beats `ANY /{proxy+}`);
//   3. then `$default`.
// At equal path specificity a method-specific route beats `ANY`; a path whose routes all name other
// methods is skipped and the search goes on with less specific paths.
import type { ParsedRouteKey } from './route-key.js';

export interface RouteMatch<R> {
  value: R;
  routeKey: string;
  /** Path parameters by name, decoded; the greedy one holds the remainder joined with '/'. */
  params: Record<string, string>;
  /** The raw (still percent-encoded) greedy remainder, for `{proxy}` substitution. */
  rawParams: Record<string, string>;
}

interface Entry<R> {
  value: R;
  routeKey: string;
  /** Positions of `{var}` segments, and of the greedy one if any. */
  params: Array<{ name: string; index: number }>;
  greedy?: string;
}

class Node<R> {
  literals: Map<string, Node<R>> | undefined;
  param: Node<R> | undefined;
  end: Map<string, Entry<R>> | undefined;
  greedy: Map<string, Entry<R>> | undefined;
}

/** The request path as the router wants it: raw and decoded segments, empty ones dropped. */
export interface SplitPath {
  raw: string[];
  decoded: string[];
}

export function splitPath(rawPath: string): SplitPath {
  const raw: string[] = [];
  const decoded: string[] = [];
  let start = 1;
  const n = rawPath.length;
  for (let i = 1; i <= n; i++) {
    if (i === n || rawPath.charCodeAt(i) === 47 /* / */) {
      if (i > start) {
        const s = rawPath.slice(start, i);
        raw.push(s);
        decoded.push(s.includes('%') ? safeDecode(s) : s);
      }
      start = i + 1;
    }
  }
  return { raw, decoded };
}

/** decodeURIComponent, or the text as it came when it is not valid percent-encoding (never throws). */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class Router<R> {
  private readonly root = new Node<R>();
  private defaultRoute: Entry<R> | undefined;

  add(key: ParsedRouteKey, routeKey: string, value: R): void {
    if (key.isDefault) {
      this.defaultRoute = { value, routeKey, params: [] };
      return;
    }
    let node = this.root;
    const params: Entry<R>['params'] = [];
    let greedy: string | undefined;
    key.segments.forEach((seg, index) => {
      if (seg.kind === 'literal') {
        node.literals ??= new Map();
        let next = node.literals.get(seg.value);
        if (!next) node.literals.set(seg.value, (next = new Node<R>()));
        node = next;
      } else if (seg.kind === 'param') {
        params.push({ name: seg.name, index });
        node = node.param ??= new Node<R>();
      } else {
        greedy = seg.name;
        params.push({ name: seg.name, index });
      }
    });
    const entry: Entry<R> = { value, routeKey, params, greedy };
    if (greedy !== undefined) (node.greedy ??= new Map()).set(key.method, entry);
    else (node.end ??= new Map()).set(key.method, entry);
  }

  get hasDefault(): boolean {
    return this.defaultRoute !== undefined;
  }

  match(method: string, path: SplitPath): RouteMatch<R> | undefined {
    const segs = path.decoded;
    const full = this.full(this.root, segs, 0, method);
    if (full) return this.result(full, path, -1);
    const g = this.greedy(this.root, segs, 0, method);
    if (g) return this.result(g.entry, path, g.start);
    const d = this.defaultRoute;
    return d ? { value: d.value, routeKey: d.routeKey, params: {}, rawParams: {} } : undefined;
  }

  private full(node: Node<R>, segs: string[], i: number, method: string): Entry<R> | undefined {
    if (i === segs.length) return node.end ? (node.end.get(method) ?? node.end.get('ANY')) : undefined;
    const lit = node.literals?.get(segs[i]!);
    if (lit) {
      const r = this.full(lit, segs, i + 1, method);
      if (r) return r;
    }
    return node.param ? this.full(node.param, segs, i + 1, method) : undefined;
  }

  private greedy(node: Node<R>, segs: string[], i: number, method: string): { entry: Entry<R>; start: number } | undefined {
    if (i >= segs.length) return undefined;
    const lit = node.literals?.get(segs[i]!);
    if (lit) {
      const r = this.greedy(lit, segs, i + 1, method);
      if (r) return r;
    }
    if (node.param) {
      const r = this.greedy(node.param, segs, i + 1, method);
      if (r) return r;
    }
    const e = node.greedy ? (node.greedy.get(method) ?? node.greedy.get('ANY')) : undefined;
    return e ? { entry: e, start: i } : undefined;
  }

  private result(e: Entry<R>, path: SplitPath, greedyStart: number): RouteMatch<R> {
    const params: Record<string, string> = {};
    const rawParams: Record<string, string> = {};
    for (const p of e.params) {
      if (p.name === e.greedy && greedyStart >= 0) {
        params[p.name] = path.decoded.slice(greedyStart).join('/');
        rawParams[p.name] = path.raw.slice(greedyStart).join('/');
      } else {
        params[p.name] = path.decoded[p.index]!;
        rawParams[p.name] = path.raw[p.index]!;
      }
    }
    return { value: e.value, routeKey: e.routeKey, params, rawParams };
  }
}
