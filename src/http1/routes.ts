// The edge port's routing contract, shared by the composition root (server/edge.ts builds the route
// list) and the products that contribute routes (the gateway's data plane, its internal endpoints):
// it sits below both, so no product imports from server/.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerExchange } from './exchange.js';
import type { HostKind } from './host-policy.js';

/** What routes match on: the head (an IncomingMessage is one; so is the front's exchange). */
export interface RequestHead {
  readonly method?: string;
  readonly url?: string;
  /** '1.1', '1.0' (both the front's exchange and an IncomingMessage carry it): HTTP/1.1 requires Host. */
  readonly httpVersion?: string;
  /** Every header line as received, in order, duplicates kept (llhttp on both servers). */
  readonly rawHeaders: string[];
}

/** Where the edge found a request to be going, from its Host (host-policy.ts). */
export interface Destination {
  kind: HostKind;
  /** The Host header's name: lower-cased, no port; '' when the request has no Host. */
  hostName: string;
}

export interface EdgeRoute {
  name: string;
  matches(req: RequestHead, to: Destination): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void;
  /** Answers on the lean front, without node:http objects (routes on the hot path only). */
  serve?(x: ServerExchange): void;
}

/** An endpoint under /_wayfinder (health, reset, a product's extras such as the OIDC issuer). */
export interface InternalRoute {
  method: string;
  /** Matched against the path (no query string). */
  path: RegExp;
  handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): Promise<void> | void;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
