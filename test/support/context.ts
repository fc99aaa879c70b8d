// The request context a handler gets from the protocol layer, for unit tests that call a product's
// handlers directly (no HTTP, no signing): the built-in account in us-east-1. The one place tests
// write a RequestContext out.
import type { RequestContext } from '../../src/protocol/handlers.js';

export function testContext(over: Partial<RequestContext> = {}): RequestContext {
  return { requestId: 'r', region: 'us-east-1', accountId: '000000000000', accessKeyId: 'test', service: 'test', operation: 'test', headers: {}, receivedAt: Date.now(), ...over };
}
