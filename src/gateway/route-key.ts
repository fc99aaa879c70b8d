// HTTP API route keys (docs/aws-behavior.md §2.3): `$default`, or `<METHOD> <path>` where the path starts with `/`
// and each segment is a literal, a `{name}` variable, or a greedy `{name+}` (last segment only).
// Parsed once here for both the control plane (validation) and the router (matching).

export const ROUTE_METHODS = new Set(['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export type PathSegment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface ParsedRouteKey {
  isDefault: boolean;
  method: string;
  path: string;
  segments: PathSegment[];
}

export class RouteKeyError extends Error {}

/** Parses and validates an HTTP API route key; throws RouteKeyError with a message fit for a 400. */
export function parseRouteKey(routeKey: string): ParsedRouteKey {
  if (routeKey === '$default') return { isDefault: true, method: 'ANY', path: '', segments: [] };
  const space = routeKey.indexOf(' ');
  if (space < 0) throw new RouteKeyError(`Invalid route key: '${routeKey}'. Use '$default' or '<METHOD> <path>', e.g. 'GET /pets/{id}'.`);
  const method = routeKey.slice(0, space);
  const path = routeKey.slice(space + 1);
  if (!ROUTE_METHODS.has(method)) {
    throw new RouteKeyError(`Invalid HTTP method '${method}' in route key '${routeKey}'. Must be one of ${[...ROUTE_METHODS].join(', ')}.`);
  }
  if (!path.startsWith('/')) throw new RouteKeyError(`Invalid route key '${routeKey}': the path must start with '/'.`);
  if (/\s/.test(path)) throw new RouteKeyError(`Invalid route key '${routeKey}': the path must not contain whitespace.`);
  const raw = path === '/' ? [] : path.slice(1).split('/');
  const segments: PathSegment[] = [];
  const names = new Set<string>();
  raw.forEach((s, i) => {
    if (s === '') {
      // A trailing slash is tolerated ("/pets/"), empty inner segments are not.
      if (i === raw.length - 1 && i > 0) return;
      throw new RouteKeyError(`Invalid route key '${routeKey}': empty path segment.`);
    }
    const m = /^\{([^{}+]+)(\+?)\}$/.exec(s);
    if (m) {
      const name = m[1]!;
      if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new RouteKeyError(`Invalid path parameter name '${name}' in route key '${routeKey}'.`);
      if (names.has(name)) throw new RouteKeyError(`Duplicate path parameter '${name}' in route key '${routeKey}'.`);
      names.add(name);
      if (m[2]) {
        if (i !== raw.length - 1) throw new RouteKeyError(`Invalid route key '${routeKey}': a greedy path variable {${name}+} must be the last segment.`);
        segments.push({ kind: 'greedy', name });
      } else {
        segments.push({ kind: 'param', name });
      }
      return;
    }
    if (/[{}]/.test(s)) throw new RouteKeyError(`Invalid route key '${routeKey}': malformed path variable in segment '${s}'.`);
    segments.push({ kind: 'literal', value: s });
  });
  return { isDefault: false, method, path, segments };
}

/** The OpenAPI path template of a route key (`{proxy+}` kept, as AWS exports it). */
export function routePathOf(routeKey: string): string {
  return routeKey === '$default' ? '/$default' : routeKey.slice(routeKey.indexOf(' ') + 1);
}
