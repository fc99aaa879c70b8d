// Private integration through a VPC link to a Cloud Map service (docs/aws-behavior.md §3.5): healthy instances from
// Cloud Map's in-memory discovery view (filtered by the URI's `?attr=value` pairs), each addressed by
// AWS_INSTANCE_IPV4 + AWS_INSTANCE_PORT; one picked at random per request. The forwarded path keeps
// the stage prefix (as AWS). Instances that refused a connection are skipped on the retry.
import type { DiscoveredInstance } from '../../cloudmap/api.js';
import type { GatewayExchange } from '../pipeline/gateway-exchange.js';
import type { CloudMapTarget } from '../snapshot.js';

export interface Candidate {
  origin: string;
  instanceId: string;
}

// Without `?attr=value` filters the discovery view hands out the same array until something changes,
// so the origins are derived once per array. A filtered list is a new array each time (no hit then).
const cache = { http: new WeakMap<readonly DiscoveredInstance[], Candidate[]>(), https: new WeakMap<readonly DiscoveredInstance[], Candidate[]>() };

/** Usable instances: routable ones that carry an IPv4 address and a port. */
export function candidates(instances: readonly DiscoveredInstance[], https: boolean): Candidate[] {
  const memo = https ? cache.https : cache.http;
  const hit = memo.get(instances);
  if (hit) return hit;
  const out: Candidate[] = [];
  for (const i of instances) {
    if (!i.ipv4 || !i.port) continue;
    out.push({ origin: `${https ? 'https' : 'http'}://${i.ipv4}:${i.port}`, instanceId: i.instanceId });
  }
  memo.set(instances, out);
  return out;
}

/** Picks one at random among those not tried yet. */
export function pick(list: readonly Candidate[], tried: ReadonlySet<string> | undefined): Candidate | undefined {
  if (!tried?.size) return list.length ? list[Math.floor(Math.random() * list.length)] : undefined;
  const left = list.filter((c) => !tried.has(c.instanceId));
  return left.length ? left[Math.floor(Math.random() * left.length)] : undefined;
}

export function cloudMapPath(x: GatewayExchange, _t: CloudMapTarget): string {
  const path = x.overwritePath ?? x.contextPath;
  const q = x.upstreamQuery ?? x.query;
  return q ? `${path}?${q}` : path;
}
