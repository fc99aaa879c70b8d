// Step 2 — throttling (docs/aws-behavior.md §3.10): token buckets, the route's (stage routeSettings[routeKey], else
// stage defaultRouteSettings) and the account's (10,000 rps / 5,000 burst unless configured). Any
// empty bucket → 429.
import type { GatewayExchange } from './gateway-exchange.js';
import { answer } from './reply.js';
import { matchRoute } from './route.js';

export function throttle(x: GatewayExchange): boolean {
  const now = x.t0; // the arrival time, taken once per request
  const stage = x.stage!;
  if (stage.defaultLimits || stage.routeBuckets.size) {
    const m = matchRoute(x);
    let bucket = m ? stage.routeBuckets.get(m.routeKey) : undefined;
    if (m && !bucket && stage.defaultLimits) {
      // The stage default is a limit per route, not one bucket shared by every route.
      bucket = stage.defaultBuckets.get(m.routeKey);
      if (!bucket) stage.defaultBuckets.set(m.routeKey, (bucket = stage.newDefaultBucket(m.routeKey, now)));
    }
    if (bucket && !bucket.take(now)) return answer(x, 429, 'Too Many Requests');
  }
  if (!x.api.accountBucket.take(now)) return answer(x, 429, 'Too Many Requests');
  return true;
}
