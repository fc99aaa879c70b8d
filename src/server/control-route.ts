// The edge route of the AWS control plane ("aws": every path on a host that is not an API's). It
// answers on the edge's lean HTTP/1.1 front (`serve`), as the gateway's data plane does: node:http's
// IncomingMessage/ServerResponse, their streams and its writev of head and body were about 40 % of
// the CPU of a control-plane call (issue 16, point 5). Connections the front handed to node:http
// (after a request no front route serves) are answered by `handle`, the same pipeline. Both run the
// same guard (Host/Origin, CORS) and the same dispatcher (signature checks, quotas, handlers): only
// the HTTP parsing and writing differ.
import { type IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ServerExchange } from '../http1/exchange.js';
import type { EdgeRoute } from '../http1/routes.js';
import type { Logger } from '../kernel/log.js';
import { readExchangeBody } from '../protocol/body.js';
import type { ProtocolDispatcher } from '../protocol/dispatch.js';
import type { ControlGuard } from './control-guard.js';

type AddHeaderLine = (this: { joinDuplicateHeaders: boolean }, field: string, value: string, dest: Record<string, unknown>) => void;
/**
 * node:http's own rule for turning header lines into `req.headers` (lower-case names; a repeated
 * Host, Authorization, Content-Type… keeps its first value, Set-Cookie makes a list, Cookie joins
 * with '; ', any other joins with ', '). Borrowed, not re-implemented, so what the signature check
 * and the handlers read is the same whichever server parsed the request.
 */
const addHeaderLine = (IncomingMessage.prototype as unknown as { _addHeaderLine?: AddHeaderLine })._addHeaderLine;
const NODE_DEFAULTS = { joinDuplicateHeaders: false };

/** `req.headers` as node:http builds it from the same raw header lines. */
export function nodeHeaders(raw: readonly string[]): IncomingHttpHeaders {
  const dest: Record<string, unknown> = {};
  for (let i = 0; i < raw.length; i += 2) addHeaderLine!.call(NODE_DEFAULTS, raw[i]!, raw[i + 1]!, dest);
  return dest as IncomingHttpHeaders;
}

const EMPTY = Buffer.alloc(0);
const INTERNAL_ERROR = Buffer.from('{"message":"Internal Server Error"}');

export function controlPlaneRoute(guard: ControlGuard, dispatcher: ProtocolDispatcher, logger: Logger): EdgeRoute {
  const route: EdgeRoute = {
    name: 'aws',
    matches: (_req, to) => to.kind !== 'api',
    handle: (req, res) => (guard.cors(req, res) ? undefined : dispatcher.handle(req, res)),
  };
  // Without node's header rule (a Node that no longer has it), every call stays on node:http.
  if (typeof addHeaderLine === 'function') {
    route.serve = (x) => {
      serveOnFront(x, guard, dispatcher).catch((err: unknown) => {
        logger.error({ err, route: 'aws', url: x.url }, 'edge route failed');
        if (x.headersSent || x.destroyed) x.destroy();
        else {
          x.writeHead(500, ['content-type', 'application/json', 'content-length', String(INTERNAL_ERROR.length)], true);
          x.end(INTERNAL_ERROR);
        }
      });
    };
  }
  return route;
}

async function serveOnFront(x: ServerExchange, guard: ControlGuard, dispatcher: ProtocolDispatcher): Promise<void> {
  const headers = nodeHeaders(x.rawHeaders);
  const cors = guard.corsOf(x.method, headers);
  if (cors?.preflight) {
    x.discardBody();
    write(x, cors.preflight.status, cors.headers, undefined, EMPTY, false);
    return;
  }
  const { response, closeAfter } = await dispatcher.answer({
    method: x.method,
    url: x.url,
    headers,
    readBody: (limit) => readExchangeBody(x, headers['content-length'], limit),
  });
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  write(x, response.status, cors?.headers, response.headers, body, closeAfter);
}

function write(x: ServerExchange, status: number, first: Record<string, string> | undefined, rest: Record<string, string> | undefined, body: Buffer, closeAfter: boolean): void {
  // The client went away, or the front answered already (a request timeout): nothing to write.
  if (x.headersSent || x.destroyed) return;
  const lines: string[] = [];
  if (first) for (const k in first) lines.push(k, first[k]!);
  if (rest) for (const k in rest) if (k !== 'content-length') lines.push(k, rest[k]!);
  if (!first || first['content-length'] === undefined) lines.push('content-length', String(body.length));
  if (closeAfter) lines.push('connection', 'close');
  // Not passed as `checked`: header values can carry request text (an error message), so writeHead checks them and a CR or LF throws (answered 500 by the caller) rather than split the answer.
  x.writeHead(status, lines);
  x.end(body);
}
