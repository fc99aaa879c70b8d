// Step 3 — the CORS preflight (docs/aws-behavior.md §3.3): for a CORS-enabled API, an OPTIONS request with Origin and
// Access-Control-Request-Method that no route catches (a specific OPTIONS route, ANY and $default all
// catch it) is answered here with 204 and the configured headers, without authorization or integration.
import { allowedOrigin } from '../cors.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { sendHead } from './response.js';
import { matchRoute } from './route.js';

export function corsPreflight(x: GatewayExchange): boolean {
  const cors = x.deployment!.cors;
  if (!cors || x.method !== 'OPTIONS' || x.origin === undefined) return true;
  const requested = x.header('access-control-request-method');
  if (requested === undefined) return true;
  if (matchRoute(x)) return true;
  const headers: string[] = [];
  const allow = allowedOrigin(cors, x.origin);
  if (allow) {
    headers.push('Access-Control-Allow-Origin', allow);
    if (cors.allowCredentials) headers.push('Access-Control-Allow-Credentials', 'true');
    if (cors.allowMethods) headers.push('Access-Control-Allow-Methods', cors.allowMethods === '*' ? requested : cors.allowMethods);
    if (cors.allowHeaders) {
      const asked = cors.headersWildcard ? x.header('access-control-request-headers') : undefined;
      headers.push('Access-Control-Allow-Headers', asked ?? cors.allowHeaders);
    }
    if (cors.exposeHeaders) headers.push('Access-Control-Expose-Headers', cors.exposeHeaders);
    if (cors.maxAge !== undefined) headers.push('Access-Control-Max-Age', cors.maxAge);
  }
  headers.push('Content-Length', '0');
  // The preflight answer is the gateway's own: it already carries the configured CORS headers.
  x.preflight = true;
  sendHead(x, { status: 204, headers });
  x.io.end();
  return false;
}
