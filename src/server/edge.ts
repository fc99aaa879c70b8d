// The edge listener's dispatch, one ordered list of named routes (first match wins):
//   1. internal   /_wayfinder/*  and  POST /moto-api/reset
//   2. gateway    {apiId}.execute-api.* hosts and /_aws/execute-api/… paths  (the data plane)
//   3. aws        everything else: the model-driven AWS control plane
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../kernel/log.js';

export interface EdgeRoute {
  name: string;
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void;
}

export function edgeHandler(routes: EdgeRoute[], logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const route = routes.find((r) => r.matches(req));
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

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
