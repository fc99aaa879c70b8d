// The HTTP API data plane, in AWS's order (docs/aws-behavior.md §3.3). Each step is one file; a step returns true to
// go on, false once it has answered, or a promise of either (only steps that must wait: JWT key
// fetches, buffering a body a mapping reads). The integration step owns the response from there.
//
//   request:  stage selection → throttling → CORS preflight → route selection → authorization
//             → parameter mapping → integration
//   response: response mapping → CORS headers → apigw-requestid   (response.ts; every answer, ours or the backend's)
//   finally:  access log (when the stage has one) and the console's recent requests (when watched),
//             once the response is done: runPipeline registers them as the exchange's `whenClosed`
import { accessLog } from './access-log.js';
import { authorize } from './authorize.js';
import { corsPreflight } from './cors-preflight.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { integrate } from './integrate.js';
import { mapRequest } from './map-params.js';
import { answerInternalError } from './reply.js';
import { selectRoute } from './route.js';
import { selectStage } from './stage.js';
import { throttle } from './throttle.js';

export type Step = (x: GatewayExchange) => boolean | Promise<boolean>;

export const REQUEST_STEPS: readonly Step[] = [selectStage, throttle, corsPreflight, selectRoute, authorize, mapRequest, integrate];

/** Once the response is done: the access log line, then the console's ring (a no-op unless watched). */
function completed(x: GatewayExchange): void {
  accessLog(x);
  x.services.recent.record(x);
}

/** Runs a request through the pipeline; its access log line is written once the exchange closes. */
export function runPipeline(x: GatewayExchange): void {
  x.whenClosed = completed;
  runSteps(x, 0);
}

/** Runs the request steps from `from`; synchronous until a step returns a promise. */
function runSteps(x: GatewayExchange, from: number): void {
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
        if (ok) runSteps(x, next);
      },
      (e: unknown) => answerInternalError(x, e),
    );
    return;
  }
}
