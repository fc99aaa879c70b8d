// The edge listener's dispatch. First the head is checked (one Host, one Authorization, a Host on
// HTTP/1.1, an absolute-form target naming that Host), then the Host decides (host-policy.ts):
//   - an API's host ({apiId}.execute-api.…, a custom domain): every path is the API's, as on AWS;
//   - any other host goes down the ordered list of named routes (first match wins):
//       1. gateway    /_aws/execute-api/… paths on a served host   (the data plane's path form)
//       2. internal   /_wayfinder/*  and  POST /moto-api/reset     (guarded: served Host, allowed Origin)
//       3. aws        everything else: the model-driven AWS control plane (guarded the same way)
// The same choice is made on both servers of the edge port: the lean HTTP/1.1 front answers requests
// whose route can `serve` a ServerExchange (the data plane, the AWS APIs) and hands the connection to node:http
// at the first one whose route cannot; node:http runs `handle` (see src/http1/front.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FrontRoute } from '../http1/front.js';
import type { HostPolicy } from '../http1/host-policy.js';
import { hostname } from '../http1/hostname.js';
import type { Destination, EdgeRoute, RequestHead } from '../http1/routes.js';
import type { Logger } from '../kernel/log.js';

export interface HeadFacts {
  /** The Host header as sent (undefined when absent). */
  host: string | undefined;
  /** Why the head is refused with a 400 (RFC 9112 §3.2, as nginx refuses it). */
  problem: string | undefined;
  /** The origin-form target of an absolute-form request (`GET http://host/path`). */
  originForm: string | undefined;
}

const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)([^#]*)$/i;

/** Reads what the edge decides on, in one pass over the raw headers. */
export function inspectHead(head: RequestHead): HeadFacts {
  const raw = head.rawHeaders;
  let host: string | undefined;
  let hosts = 0;
  let authorizations = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === 4 && k.toLowerCase() === 'host') {
      hosts++;
      host ??= raw[i + 1]!.trim();
    } else if (k.length === 13 && k.toLowerCase() === 'authorization') authorizations++;
  }
  let problem: string | undefined;
  if (hosts > 1) problem = 'duplicate Host header';
  else if (authorizations > 1) problem = 'duplicate Authorization header';
  else if (hosts === 0 && head.httpVersion === '1.1') problem = 'HTTP/1.1 request without a Host header';
  let originForm: string | undefined;
  const url = head.url ?? '/';
  if (!problem && url[0] !== '/' && url !== '*') {
    const m = ABSOLUTE_FORM.exec(url);
    if (!m) problem = 'malformed request target';
    else if (host !== undefined && hostname(m[1]!) !== hostname(host)) problem = 'the request target names another host than the Host header';
    else {
      host ??= m[1]!;
      originForm = m[2]!.startsWith('/') ? m[2]! : '/' + m[2]!;
    }
  }
  return { host, problem, originForm };
}

export class EdgeDispatch {
  constructor(
    private readonly routes: readonly EdgeRoute[],
    private readonly policy: HostPolicy,
    private readonly logger: Logger,
  ) {}

  /** The destination and the first route that takes the request. */
  select(head: RequestHead, facts: HeadFacts): { route: EdgeRoute | undefined; to: Destination } {
    const hostName = facts.host === undefined ? '' : hostname(facts.host);
    // No Host at all is an HTTP/1.0 client, never a browser; an empty Host is nobody's name.
    const to: Destination = { kind: facts.host === undefined ? 'served' : this.policy.kindOf(hostName), hostName };
    for (let i = 0; i < this.routes.length; i++) {
      const r = this.routes[i]!;
      if (r.matches(head, to)) return { route: r, to };
    }
    return { route: undefined, to };
  }

  /** The lean front's choice: a route that serves on the front, or undefined to hand over to node:http. */
  frontRoute(head: RequestHead): FrontRoute | undefined {
    const facts = inspectHead(head);
    // Refusals and absolute-form targets are rare: node:http answers or rewrites them.
    if (facts.problem || facts.originForm !== undefined) return undefined;
    const { route } = this.select(head, facts);
    return route?.serve ? (route as FrontRoute) : undefined;
  }

  /** The node:http request listener. */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    const facts = inspectHead(req);
    if (facts.problem) {
      req.resume();
      const body = JSON.stringify({ message: `Bad Request: ${facts.problem}` });
      res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
      return;
    }
    if (facts.originForm !== undefined) {
      req.url = facts.originForm;
      // An HTTP/1.0 absolute-form request may name its host only in the target: the guard must judge that host.
      if (req.headers.host === undefined && facts.host !== undefined) req.headers.host = facts.host;
    }
    const { route } = this.select(req, facts);
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    const fail = (e: unknown): void => {
      this.logger.error({ err: e, route: route.name, url: req.url }, 'edge route failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      else res.destroy();
    };
    try {
      const result = route.handle(req, res);
      if (result) result.catch(fail);
    } catch (e) {
      fail(e);
    }
  };
}
