// A thread's gateway route, counting what it serves when worker threads run (the main thread's and
// each worker's, worker-main.ts): the health facts then show that every thread takes its share
// (docs/gateway.md "Gateway workers").
import type { ServerExchange } from '../../http1/exchange.js';
import type { EdgeRoute } from '../../http1/routes.js';

export function countedGatewayRoute(route: EdgeRoute, count: () => void): EdgeRoute {
  if (route.name !== 'gateway' || !route.serve) return route;
  const serve = route.serve;
  const handle = route.handle;
  return {
    ...route,
    serve(x: ServerExchange) {
      count();
      serve.call(route, x);
    },
    handle(req, res) {
      count();
      return handle.call(route, req, res);
    },
  };
}
