// The response half of the pipeline (docs/aws-behavior.md §3.3 steps 8–10): every answer, the
// gateway's own or the backend's, goes through the response steps in `sendHead` before its head is
// written. Its own file, apart from the request steps (index.ts) and the gateway's answers (reply.ts),
// so that nothing here imports back into the request side.
import { corsHeaders } from './cors-headers.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { requestIdHeader } from './request-id.js';
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
