// The response half of the pipeline (docs/aws-behavior.md §3.3 steps 8–10): every answer, the
// gateway's own or the backend's, goes through the response steps in `sendHead` before its head is
// written. Its own file, apart from the request steps (index.ts) and the gateway's answers (reply.ts),
// so that nothing here imports back into the request side.
import type { ForwardHead } from '../../http1/simple-response-head.js';
import { corsApplies, corsHeaders } from './cors-headers.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { requestIdHeader, requestIdLine } from './request-id.js';
import { mapResponse } from './respond.js';

/** What a response step edits: the status and the flat [name, value, …] header list. */
export interface ResponseHead {
  status: number;
  headers: string[];
  /** Set for backend answers (response mapping applies to these only). */
  integration?: { headers: string[]; body?: Buffer };
  /**
   * Every name is a token and no value holds CR, LF or NUL: true for a backend's headers as llhttp
   * parsed them plus the gateway's own; response mapping clears it (mapped values are checked).
   */
  checked?: boolean;
}

export type ResponseStep = (x: GatewayExchange, head: ResponseHead) => void;

export const RESPONSE_STEPS: readonly ResponseStep[] = [mapResponse, corsHeaders, requestIdHeader];

/** Runs the response steps over a head and writes it. */
export function sendHead(x: GatewayExchange, head: ResponseHead): void {
  for (let i = 0; i < RESPONSE_STEPS.length; i++) RESPONSE_STEPS[i]!(x, head);
  x.status = head.status;
  x.io.writeHead(head.status, head.headers, head.checked === true);
}

/**
 * Whether a backend's head can skip the steps above: none of them edits its fields for this
 * exchange (no response mapping on the integration, no CORS answer for this request), so what they
 * would produce is the backend's fields minus the hop-by-hop ones, then apigw-requestid. Then the
 * upstream client hands the head over already serialized (simple-response-head.ts, ForwardHead)
 * instead of cut into a header list and joined again. Keep in step with RESPONSE_STEPS.
 */
export function forwardsBackendHead(x: GatewayExchange): boolean {
  return x.io.writeHeadLines !== undefined && x.route?.integration?.responseOps.size === 0 && !corsApplies(x);
}

/** `sendHead` for a head forwardsBackendHead let through: the same bytes, without the header list. */
export function sendForwardedHead(x: GatewayExchange, head: ForwardHead): void {
  x.status = head.status;
  x.io.writeHeadLines!(head.status, head.lines + requestIdLine(x), head.contentLength, head.hasDate);
}
