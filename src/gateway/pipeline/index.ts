// The HTTP API data plane, in AWS's order (docs/aws-behavior.md §3.3). Each step is one file; a step returns true to
// go on, false once it has answered, or a promise of either (only steps that must wait: JWT key
// fetches, buffering a body a mapping reads). The integration step owns the response from there.
//
//   request:  stage selection → throttling → CORS preflight → route selection → authorization
//             → parameter mapping → integration
//   response: response mapping → CORS headers → apigw-requestid   (every answer, ours or the backend's)
//   finally:  access log (when the stage has one), once the response is done: GatewayExchange.closed()
import { authorize } from './authorize.js';
import { corsHeaders } from './cors-headers.js';
import { corsPreflight } from './cors-preflight.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { integrate } from './integrate.js';
import { mapRequest } from './map-params.js';
import { answerInternalError } from './reply.js';
import { requestIdHeader } from './request-id.js';
import { mapResponse } from './respond.js';
import { selectRoute } from './route.js';
import { selectStage } from './stage.js';
import { throttle } from './throttle.js';

export type Step = (x: GatewayExchange) => boolean | Promise<boolean>;

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

export const REQUEST_STEPS: readonly Step[] = [selectStage, throttle, corsPreflight, selectRoute, authorize, mapRequest, integrate];

export const RESPONSE_STEPS: readonly ResponseStep[] = [mapResponse, corsHeaders, requestIdHeader];

/** Runs the request steps from `from`; synchronous until a step returns a promise. */
export function runPipeline(x: GatewayExchange, from = 0): void {
  for (let i = from; i < REQUEST_STEPS.length; i++) {
    let r: boolean | Promise<boolean>;
    try {
      r = REQUEST_STEPS[i]!(x);
    } catch (e) {
      answerInternalError(x, e);
      return;
    }
    if (r === true) continue;
    if (r === false) return;
    const next = i + 1;
    r.then(
      (ok) => {
        if (ok) runPipeline(x, next);
      },
      (e: unknown) => answerInternalError(x, e),
    );
    return;
  }
}
