// The guard in front of the control plane (internal endpoints and the AWS APIs): the Host and
// Origin rules of host-policy.ts, and CORS for the browser origins those rules allow, so a local
// web app (http://localhost:3000, or a --cors-origins entry) can call the AWS APIs with an SDK.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from '../http1/hostname.js';
import type { HostPolicy } from '../http1/host-policy.js';

/** Response headers an SDK in a browser must be able to read. */
const EXPOSED = 'x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, x-amz-request-id, x-amz-id-2, x-amzn-trace-id, date, etag, content-length';
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** What CORS does to a request: headers to add to its answer, or (a preflight) the whole answer. */
export interface CorsVerdict {
  headers: Record<string, string>;
  /** A preflight, answered by the guard with `headers` and no body. */
  preflight?: { status: number };
}

export class ControlGuard {
  constructor(private readonly policy: HostPolicy) {}

  /** Why the request must not reach the control plane, or undefined. Safe to call more than once. */
  refusal(req: IncomingMessage): string | undefined {
    return this.refusalOf(req.headers);
  }

  /** refusal() from the request's headers alone (the edge's lean front has no IncomingMessage). */
  refusalOf(headers: IncomingHttpHeaders): string | undefined {
    const host = headers.host;
    const site = headers['sec-fetch-site'];
    return this.policy.refusal(host === undefined ? undefined : hostname(host), headers.origin, {
      fetchSite: typeof site === 'string' ? site : undefined,
      referer: headers.referer,
    });
  }

  /**
   * CORS for an allowed Origin: the headers its answer carries, or the answer to a CORS preflight
   * (undefined: no Origin, or a refused one on a request that is no preflight — the route answers
   * the refusal in its protocol's shape). A preflight from a refused origin gets a 403 without CORS
   * headers, so the browser never sends the real request.
   */
  corsOf(method: string, headers: IncomingHttpHeaders): CorsVerdict | undefined {
    const origin = headers.origin;
    if (origin === undefined) return undefined;
    const preflight = method === 'OPTIONS' && headers['access-control-request-method'] !== undefined;
    if (this.refusalOf(headers) !== undefined) {
      return preflight ? { headers: { 'content-length': '0', vary: 'Origin' }, preflight: { status: 403 } } : undefined;
    }
    if (!preflight) return { headers: { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': EXPOSED } };
    const asked = headers['access-control-request-headers'];
    return {
      headers: {
        'access-control-allow-origin': origin,
        vary: 'Origin',
        'access-control-allow-methods': METHODS,
        ...(asked ? { 'access-control-allow-headers': String(asked).slice(0, 4096) } : {}),
        'access-control-max-age': '600',
        'content-length': '0',
      },
      preflight: { status: 204 },
    };
  }

  /** corsOf() on node:http: adds the headers to `res`, or answers the preflight (true: answered). */
  cors(req: IncomingMessage, res: ServerResponse): boolean {
    const verdict = this.corsOf(req.method ?? 'GET', req.headers);
    if (!verdict) return false;
    if (verdict.preflight) {
      req.resume();
      res.writeHead(verdict.preflight.status, verdict.headers).end();
      return true;
    }
    for (const [k, v] of Object.entries(verdict.headers)) res.setHeader(k, v);
    return false;
  }
}
