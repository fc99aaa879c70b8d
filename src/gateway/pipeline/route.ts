// Step 4 — route selection (docs/aws-behavior.md §3.2) on the deployment's frozen trie. No route → 404; a route
// without an integration → 404 (as AWS); a route the snapshot could not compile → 500, with the
// reason in the access log and the route explainer.
import { splitPath, type RouteMatch } from '../router.js';
import type { CompiledRoute } from '../snapshot.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { answer } from './reply.js';

/** The route for this request, computed once (throttling and the CORS preflight need it first). */
export function matchRoute(x: GatewayExchange): RouteMatch<CompiledRoute> | null {
  if (x.matched === undefined) {
    x.split ??= splitPath(x.path);
    x.matched = x.deployment!.router.match(x.method, x.split) ?? null;
  }
  return x.matched;
}

export function selectRoute(x: GatewayExchange): boolean {
  const m = matchRoute(x);
  if (!m) return answer(x, 404, 'Not Found');
  const route = m.value;
  x.route = route;
  if (route.error) {
    x.integrationError = route.error;
    return answer(x, 500, 'Internal Server Error', undefined, 'DEFAULT_5XX');
  }
  if (!route.integration) return answer(x, 404, 'Not Found');
  return true;
}
