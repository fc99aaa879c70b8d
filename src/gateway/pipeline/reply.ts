// Answers the gateway gives itself (404, 429, 401, 503 …), always AWS's JSON body; each goes through
// the response steps (response.ts) like a backend's answer.
import { sendHead } from './response.js';
import type { GatewayExchange } from './gateway-exchange.js';

const RESPONSE_TYPES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'ACCESS_DENIED',
  404: 'RESOURCE_NOT_FOUND',
  413: 'REQUEST_TOO_LARGE',
  429: 'THROTTLED',
  500: 'DEFAULT_5XX',
  503: 'INTEGRATION_FAILURE',
};

const bodies = new Map<string, Buffer>();

function bodyFor(message: string): Buffer {
  let b = bodies.get(message);
  if (!b) {
    b = Buffer.from(JSON.stringify({ message }));
    if (bodies.size < 64) bodies.set(message, b);
  }
  return b;
}

/** A complete gateway answer `{"message": …}`. Returns false so steps can `return answer(…)`. */
export function answer(x: GatewayExchange, status: number, message: string, extra?: string[], responseType?: string): false {
  if (x.io.headersSent || x.io.destroyed) {
    x.io.destroy();
    return false;
  }
  const body = bodyFor(message);
  const headers = ['Content-Type', 'application/json', 'Content-Length', String(body.length)];
  if (extra) for (let i = 0; i < extra.length; i++) headers.push(extra[i]!);
  if (status >= 400) {
    x.errorMessage ??= message;
    x.errorType ??= responseType ?? RESPONSE_TYPES[status] ?? (status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  }
  sendHead(x, { status, headers });
  x.responseLength = body.length;
  x.io.end(body);
  return false;
}

/** Something AWS serves that Wayfinder does not: 500 as AWS answers a broken integration, plus why. */
export function answerUnsupported(x: GatewayExchange, reason: string): false {
  x.unsupported = reason;
  x.integrationError = reason;
  return answer(x, 500, 'Internal Server Error', ['x-wayfinder-error', reason]);
}

/** Our own bug: logged, answered 500 (or the connection cut if the head is already out). */
export function answerInternalError(x: GatewayExchange, e: unknown): void {
  x.services.logger.error({ err: e, requestId: x.requestId, apiId: x.api?.apiId }, 'gateway pipeline failed');
  x.errorMessage = 'Internal Server Error';
  if (!x.io.headersSent) answer(x, 500, 'Internal Server Error');
  else x.io.destroy();
}

/**
 * 413: answer, then read and drop the rest of the body (never buffer it) so the client can finish
 * sending and see the answer; the connection then closes lingering, within its bounds
 * (src/http1/lingering-close.ts), so a client that keeps sending is cut off there.
 */
export function answerTooLarge(x: GatewayExchange): false {
  x.io.discardBody();
  return answer(x, 413, 'Request Entity Too Large', ['Connection', 'close']);
}
