// Step 2 — throttling (spec §3.10): token buckets, the route's (stage routeSettings[routeKey], else
// stage defaultRouteSettings) and the account's (10,000 rps / 5,000 burst unless configured). Any
// empty bucket → 429.
import type { Exchange } from './exchange.js';
import { answer } from './reply.js';
import { matchRoute } from './route.js';

export function throttle(x: Exchange): boolean {
  const now = x.t0; // the arrival time, taken once per request
  const stage = x.stage!;
  if (stage.defaultBucket || stage.routeBuckets.size) {
    const m = matchRoute(x);
    const bucket = m ? (stage.routeBuckets.get(m.routeKey) ?? stage.defaultBucket) : undefined;
    if (bucket && !bucket.take(now)) return answer(x, 429, 'Too Many Requests');
  }
  if (!x.api.accountBucket.take(now)) return answer(x, 429, 'Too Many Requests');
  return true;
}
