// Response step 3 — every answer carries `apigw-requestid` ($context.requestId).
import type { ResponseHead } from './response.js';
import type { GatewayExchange } from './gateway-exchange.js';

const NAME = 'apigw-requestid';

export function requestIdHeader(x: GatewayExchange, head: ResponseHead): void {
  head.headers.push(NAME, x.requestId);
}

/** The same field as a serialized line (a head passed on with pre-serialized lines, response.ts). */
export function requestIdLine(x: GatewayExchange): string {
  return NAME + ': ' + x.requestId + '\r\n';
}
