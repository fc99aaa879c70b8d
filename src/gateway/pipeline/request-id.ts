// Response step 3 — every answer carries `apigw-requestid` ($context.requestId).
import type { ResponseHead } from './response.js';
import type { GatewayExchange } from './gateway-exchange.js';

export function requestIdHeader(x: GatewayExchange, head: ResponseHead): void {
  head.headers.push('apigw-requestid', x.requestId);
}
