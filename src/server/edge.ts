// The edge listener's dispatch, one ordered list of named routes (first match wins):
//   1. internal   /_wayfinder/*  and  POST /moto-api/reset
//   2. gateway    {apiId}.execute-api.* hosts and /_aws/execute-api/… paths  (the data plane)
//   3. aws        everything else: the model-driven AWS control plane
// The same list decides on both servers of the edge port: the lean HTTP/1.1 front answers requests
// whose route can `serve` a ServerExchange (the data plane) and hands the connection to node:http
// at the first one whose route cannot; node:http runs `handle` (see src/http1/front.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FrontRoute } from '../http1/front.js';
import type { EdgeRoute, RequestHead } from '../http1/routes.js';
import type { Logger } from '../kernel/log.js';

/** The lean front's choice: the first matching route, if it can serve on the front. */
export function frontRoute(routes: readonly EdgeRoute[], head: RequestHead): FrontRoute | undefined {
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (r.matches(head)) return r.serve ? (r as FrontRoute) : undefined;
  }
  return undefined;
}

export function edgeHandler(routes: EdgeRoute[], logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let route: EdgeRoute | undefined;
    for (let i = 0; i < routes.length && !route; i++) if (routes[i]!.matches(req)) route = routes[i];
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    let result: Promise<void> | void;
    try {
      result = route.handle(req, res);
    } catch (e) {
      fail(e);
      return;
    }
    if (result) result.catch(fail);

    function fail(e: unknown): void {
      logger.error({ err: e, route: route!.name, url: req.url }, 'edge route failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      else res.destroy();
    }
  };
}
