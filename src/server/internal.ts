// Wayfinder's own endpoints under /_wayfinder: health, regions in use, reset (also answered at /moto-api/reset for
// tools written against moto). Everything here is for tests and the CLI, not an AWS API. They are never served on
// an API's host (that host's paths are the API's) and follow the control plane's Host and Origin rules.
import type { ControlGuard } from './control-guard.js';
import { isLoopbackAddress } from '../http1/host-policy.js';
import { sendJson, type EdgeRoute, type InternalRoute } from '../http1/routes.js';

export interface InternalApi {
  health(): { status: string; services: Record<string, string>; version: string; [k: string]: unknown };
  reset(): Promise<void>;
  /** The regions that hold resources (for `wayfinder status` and `logs`). */
  regions(): string[];
  /** Extra routes products add under /_wayfinder (status, OIDC issuer, route explainer …). */
  extra?: InternalRoute[];
}

export function isInternalPath(method: string | undefined, url: string): boolean {
  return url.startsWith('/_wayfinder/') || (method === 'POST' && url.split('?')[0] === '/moto-api/reset');
}

/**
 * Whether the connection comes from this machine: a loopback peer, or a peer whose address is the one it
 * reached (a local program, or the Docker task relay, connecting to the bound network address).
 */
export function fromThisMachine(socket: { remoteAddress?: string; localAddress?: string }): boolean {
  const remote = socket.remoteAddress ?? '';
  return isLoopbackAddress(remote) || (remote !== '' && remote === socket.localAddress);
}

export interface InternalOptions {
  /**
   * Listening beyond loopback (`--host` a network address): the POST endpoints (reset, the OIDC issuer's
   * token and rotate) answer only connections from this machine. They take no SigV4, and the Host rule does
   * not stop a network peer (it writes `Host: localhost` itself): a token minted by anyone on the network
   * is good for AssumeRoleWithWebIdentity, which takes no signature, and its session key for `--auth strict`.
   */
  localWritesOnly?: boolean;
}

export function internalRoute(api: InternalApi, guard: ControlGuard, opts: InternalOptions = {}): EdgeRoute {
  return {
    name: 'internal',
    matches: (req, to) => to.kind !== 'api' && isInternalPath(req.method, req.url ?? ''),
    async handle(req, res) {
      if (guard.cors(req, res)) return;
      const refused = guard.refusal(req);
      if (refused) {
        // The body is never read: the connection closes after the answer, lingering within its bounds.
        res.shouldKeepAlive = false;
        return sendJson(res, 403, { message: refused });
      }
      if (opts.localWritesOnly && req.method !== 'GET' && req.method !== 'HEAD' && !fromThisMachine(req.socket)) {
        res.shouldKeepAlive = false;
        return sendJson(res, 403, {
          message: `${req.method} ${(req.url ?? '').split('?')[0]!.slice(0, 200)} answers only programs on this machine when Wayfinder listens on a network address (SECURITY.md).`,
        });
      }
      const path = (req.url ?? '').split('?')[0]!;
      const method = req.method ?? 'GET';
      if (path === '/_wayfinder/health' && (method === 'GET' || method === 'HEAD')) {
        return sendJson(res, 200, api.health());
      }
      if (path === '/_wayfinder/regions' && method === 'GET') {
        return sendJson(res, 200, { regions: api.regions() });
      }
      if ((path === '/_wayfinder/reset' || path === '/moto-api/reset') && method === 'POST') {
        req.resume();
        await api.reset();
        return sendJson(res, 200, { reset: true });
      }
      for (const r of api.extra ?? []) {
        const m = r.path.exec(path);
        if (m && r.method === method) return r.handle(req, res, m);
      }
      sendJson(res, 404, { message: `No Wayfinder endpoint ${method} ${path}` });
    },
  };
}
