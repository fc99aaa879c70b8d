// HTTP_PROXY to a URL (docs/aws-behavior.md §3.4): the `$default` route appends the request path (stage removed) to
// the integration URI; other routes use the URI as written after substituting `{var}` / `{proxy}`
// (raw, as the client encoded them) and `${stageVariables.x}`. The query string is always forwarded;
// `overwrite:path` / querystring mappings replace what would be sent.
import type { GatewayExchange } from '../pipeline/gateway-exchange.js';
import { parseUrl, type ParsedUrl, type UrlTarget } from '../snapshot.js';

export interface UrlDestination {
  origin: string;
  path: string;
}

function joinPath(base: string, path: string): string {
  if (!base || base === '/') return path;
  return base.endsWith('/') ? base + path.slice(1) : base + path;
}

/** The destination, or an error text when the rendered URI is not an http(s) URL. */
export function urlDestination(x: GatewayExchange, t: UrlTarget): UrlDestination | string {
  let u: ParsedUrl | undefined = t.fixed;
  if (!u) {
    let rendered = '';
    for (const p of t.parts) {
      if (p.kind === 'text') rendered += p.text;
      else if (p.kind === 'param') rendered += x.matched?.rawParams[p.name] ?? '';
      else rendered += x.stage?.stageVariables[p.name] ?? '';
    }
    u = parseUrl(rendered);
    if (!u) return `integration URI renders to '${rendered.slice(0, 200)}', which is not an http(s) URL`;
  }
  let path = x.overwritePath ?? (x.route!.isDefault ? joinPath(u.path, x.path) : u.path || '/');
  if (!path.startsWith('/')) path = `/${path}`;
  const q = x.upstreamQuery ?? x.query;
  const query = u.query && q ? `${u.query}&${q}` : u.query || q;
  return { origin: u.origin, path: query ? `${path}?${query}` : path };
}
