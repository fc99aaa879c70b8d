// The guard in front of the control plane (internal endpoints and the AWS APIs): the Host and
// Origin rules of host-policy.ts, and CORS for the browser origins those rules allow, so a local
// web app (http://localhost:3000, or a --cors-origins entry) can call the AWS APIs with an SDK.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from '../http1/hostname.js';
import type { HostPolicy } from '../http1/host-policy.js';

/** Response headers an SDK in a browser must be able to read. */
const EXPOSED = 'x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, x-amz-request-id, x-amz-id-2, x-amzn-trace-id, date, etag, content-length';
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

export class ControlGuard {
  constructor(private readonly policy: HostPolicy) {}

  /** Why the request must not reach the control plane, or undefined. Safe to call more than once. */
  refusal(req: IncomingMessage): string | undefined {
    const host = req.headers.host;
    const site = req.headers['sec-fetch-site'];
    return this.policy.refusal(host === undefined ? undefined : hostname(host), req.headers.origin, {
      fetchSite: typeof site === 'string' ? site : undefined,
      referer: req.headers.referer,
    });
  }

  /**
   * Adds CORS headers for an allowed Origin, and answers a CORS preflight itself (true: answered).
   * A preflight from a refused origin gets a 403 without CORS headers, so the browser never sends
   * the real request.
   */
  cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (this.refusal(req) !== undefined) {
      if (!preflight) return false; // the route answers the refusal in its protocol's shape
      req.resume();
      res.writeHead(403, { 'content-length': 0, vary: 'Origin' }).end();
      return true;
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    if (!preflight) {
      res.setHeader('access-control-expose-headers', EXPOSED);
      return false;
    }
    req.resume();
    const asked = req.headers['access-control-request-headers'];
    res.writeHead(204, {
      'access-control-allow-methods': METHODS,
      ...(asked ? { 'access-control-allow-headers': String(asked).slice(0, 4096) } : {}),
      'access-control-max-age': '600',
      'content-length': 0,
    });
    res.end();
    return true;
  }
}
