// Step 1 — stage selection (docs/aws-behavior.md §3.1): a named stage when the first path segment names one,
// otherwise `$default` with the whole path; custom domains name the stage through their API mapping
// (the choice itself is ../stage-selection.ts, shared with the route explainer).
// No stage → 404 and no access log line. Also where request limits are checked (10 KB request line +
// headers, 10 MB payload → 413), once the stage is known so the refusal is logged (the access log
// line is written when the exchange closes, see runPipeline).
import type { GatewayExchange } from './gateway-exchange.js';
import { MAX_HEADER_BYTES, MAX_PAYLOAD_BYTES } from './limits.js';
import { answer, answerTooLarge, answerUnsupported } from './reply.js';
import { selectStage as chooseStage } from '../stage-selection.js';

export function selectStage(x: GatewayExchange): boolean {
  const a = x.arrival;
  const api = x.api;
  const chosen = chooseStage(api, a);
  const stage = chosen.stage;
  x.path = chosen.path;
  x.contextPath = chosen.contextPath;
  if (a.via === 'domain') x.basePathMatched = a.basePath || '(none)';
  if (!stage) return answer(x, 404, 'Not Found');
  x.stage = stage;
  if (api.protocolType !== 'HTTP') return answerUnsupported(x, 'WebSocket APIs are stored but not served by Wayfinder');
  if (x.headerBytes > MAX_HEADER_BYTES || x.contentLength > MAX_PAYLOAD_BYTES) return answerTooLarge(x);
  if (!stage.deployment) return answer(x, 404, 'Not Found');
  // The default endpoint is disabled by the deployed configuration, not by an undeployed edit.
  if (a.via !== 'domain' && stage.deployment.disableExecuteApiEndpoint) return answer(x, 403, 'Forbidden');
  x.deployment = stage.deployment;
  return true;
}
