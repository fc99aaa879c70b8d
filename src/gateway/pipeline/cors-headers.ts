// Response step 2 — CORS headers (docs/aws-behavior.md §3.3 step 9): for a CORS-enabled API and a request with Origin,
// the backend's Access-Control-* headers are dropped and the configured ones added (when the origin
// is allowed). Requests without Origin get no CORS headers from the gateway.
import { allowedOrigin } from '../cors.js';
import type { ResponseHead } from './response.js';
import type { GatewayExchange } from './gateway-exchange.js';

/** Whether this step edits the answer to this request: a CORS-enabled API, a request with Origin, not a preflight. */
export function corsApplies(x: GatewayExchange): boolean {
  return !!x.deployment?.cors && !x.preflight && x.origin !== undefined;
}

export function corsHeaders(x: GatewayExchange, head: ResponseHead): void {
  const cors = x.deployment?.cors;
  if (!cors || x.preflight || x.origin === undefined) return;
  if (head.integration) {
    const h = head.headers;
    let w = 0;
    for (let i = 0; i < h.length; i += 2) {
      const k = h[i]!;
      if (k.length > 15 && k.toLowerCase().startsWith('access-control-')) continue;
      h[w++] = k;
      h[w++] = h[i + 1]!;
    }
    h.length = w;
  }
  const allow = allowedOrigin(cors, x.origin);
  if (!allow) return;
  head.headers.push('Access-Control-Allow-Origin', allow);
  if (cors.allowCredentials) head.headers.push('Access-Control-Allow-Credentials', 'true');
  if (cors.exposeHeaders) head.headers.push('Access-Control-Expose-Headers', cors.exposeHeaders);
  if (allow !== '*') head.headers.push('Vary', 'Origin');
}
