// How a request reaches the data plane on the edge port (docs/gateway.md "Invoke URLs"). The edge has
// already sorted the request by its Host (src/http1/host-policy.ts):
//   {apiId}.execute-api.<served name or AWS suffix>[:port]   an API's host: every path is the API's
//   <custom domain>[:port]                                   a domain name with API mappings: the same
//   /_aws/execute-api/{apiId}/{stage|$default}/…             path form on a control-plane host, for
//                                                            clients that cannot set Host
// Everything else goes on to the internal endpoints and the AWS control plane. `matches` reads only
// the url and the edge's destination. `serve` answers on the lean HTTP/1.1 front; `handle` is the
// same pipeline for requests node:http parsed (connections the front handed over), through an adapter.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerExchange } from '../http1/exchange.js';
import { NodeExchange } from '../http1/node-exchange.js';
import type { Destination, EdgeRoute, RequestHead } from '../http1/routes.js';
import { GatewayExchange, type GatewayServices } from './pipeline/gateway-exchange.js';
import { runPipeline } from './pipeline/index.js';
import { answer } from './pipeline/reply.js';
import type { GatewayView } from './view.js';
import { hostname } from '../http1/hostname.js';
import { removeDotSegments } from './dot-segments.js';
import { matchMapping, type Arrival } from './stage-selection.js';

export const PATH_FORM = '/_aws/execute-api/';
const ARRIVAL = Symbol('wayfinder.gateway.arrival');
const EXECUTE_API_HOST = /^([a-z0-9]{10})\.execute-api\./;

type Tagged = RequestHead & { [ARRIVAL]?: Arrival };

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The domain's mapping for the path (stage-selection.ts); no mapping: an arrival no API serves (404). */
function domainArrival(view: GatewayView, name: string, host: string, requestPath: string): Arrival | undefined {
  const domain = view.domains.get(name);
  if (!domain) return undefined;
  const m = matchMapping(domain.mappings, requestPath);
  if (!m) return { via: 'domain', host, apiId: '', stage: '', rawPath: requestPath, basePath: '' };
  return { via: 'domain', host, apiId: m.mapping.apiId, stage: m.mapping.stage, rawPath: m.rawPath, basePath: m.mapping.key };
}

export function arrivalOf(req: RequestHead, view: GatewayView, to: Destination): Arrival | undefined {
  const url = req.url ?? '/';
  if (to.kind === 'api') {
    const apiId = to.hostName.slice(0, to.hostName.indexOf('.'));
    return { via: 'host', apiId, host: hostHeader(req), rawPath: pathOf(url) || '/' };
  }
  if (to.kind === 'served') {
    if (!url.startsWith(PATH_FORM)) return undefined;
    // Dot segments resolved first, as a browser would: `/_aws/execute-api/a/../b/…` is API b's.
    const path = removeDotSegments(pathOf(url));
    if (!path.startsWith(PATH_FORM)) return undefined;
    const rest = path.slice(PATH_FORM.length - 1);
    const slash = rest.indexOf('/', 1);
    const apiId = (slash < 0 ? rest.slice(1) : rest.slice(1, slash)).toLowerCase();
    return { via: 'path', apiId, host: hostHeader(req), rawPath: slash < 0 ? '/' : rest.slice(slash) };
  }
  // A foreign name is an API's only when it is a custom domain (never a served name: those are
  // refused by CreateDomainName and sorted out by the edge before any domain is looked up).
  if (!view.domains.size || !view.domains.has(to.hostName)) return undefined;
  return domainArrival(view, to.hostName, hostHeader(req), pathOf(url) || '/');
}

function hostHeader(req: RequestHead): string {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === 4 && k.toLowerCase() === 'host') return raw[i + 1]!;
  }
  return '';
}

/**
 * A request head over the edge port's hard limit never reaches a route: when what arrived of it
 * names the data plane (path form, or an execute-api Host), the answer is AWS's 413 (docs/aws-behavior.md §3.4)
 * instead of node:http's bare 431.
 */
export function oversizedHeadAnswer(partialHead: string): { status: number; headers: string[]; body: string } | undefined {
  const eol = partialHead.indexOf('\r\n');
  const target = (eol < 0 ? partialHead : partialHead.slice(0, eol)).split(' ')[1] ?? '';
  const host = /\r\nhost:[ \t]*([^\r\n]*)/i.exec(partialHead)?.[1];
  if (!target.startsWith(PATH_FORM) && !(host && EXECUTE_API_HOST.test(hostname(host.trim())))) return undefined;
  return { status: 413, headers: ['Content-Type', 'application/json'], body: '{"message":"Request Entity Too Large"}' };
}

export function gatewayEdgeRoute(view: GatewayView, services: GatewayServices): EdgeRoute {
  const serve = (io: ServerExchange): void => {
    const arrival = (io as unknown as Tagged)[ARRIVAL]!;
    const x = new GatewayExchange(io, arrival, services);
    io.listen(x);
    const api = view.apis.get(arrival.apiId);
    if (!api) {
      answer(x, 404, 'Not Found');
      return;
    }
    x.api = api;
    runPipeline(x);
  };
  return {
    name: 'gateway',
    matches(req, to) {
      const a = arrivalOf(req, view, to);
      if (!a) return false;
      (req as Tagged)[ARRIVAL] = a;
      return true;
    },
    serve,
    handle(req: IncomingMessage, res: ServerResponse) {
      const io = new NodeExchange(req, res);
      (io as unknown as Tagged)[ARRIVAL] = (req as Tagged)[ARRIVAL];
      serve(io);
    },
  };
}
