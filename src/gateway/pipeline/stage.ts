// Step 1 — stage selection (docs/aws-behavior.md §3.1): a named stage when the first path segment names one,
// otherwise `$default` with the whole path; custom domains name the stage through their API mapping.
// No stage → 404 and no access log line. Also where request limits are checked (10 KB request line +
// headers, 10 MB payload → 413), once the stage is known so the refusal is logged (the access log
// line is written when the exchange closes, see runPipeline).
import type { GatewayExchange } from './gateway-exchange.js';
import { answer, answerTooLarge, answerUnsupported } from './reply.js';
import { safeDecode } from '../router.js';
import { removeDotSegments } from '../dot-segments.js';
import { MAX_HEADER_BYTES, MAX_PAYLOAD_BYTES } from './limits.js';

function firstSegment(rawPath: string): string {
  const end = rawPath.indexOf('/', 1);
  return end < 0 ? rawPath.slice(1) : rawPath.slice(1, end);
}

function decodeSegment(s: string): string {
  if (!s.includes('%')) return s;
  if (s === '%24default') return '$default'; // the path form's usual spelling
  return safeDecode(s);
}

export function selectStage(x: GatewayExchange): boolean {
  const a = x.arrival;
  const api = x.api;
  let stage;
  // The API-relative path (after the path form's apiId or a domain's base path), dot segments
  // resolved once here: stage selection, route matching, `$context.path` and the path sent to the
  // integration all see the same path, so `/x/../admin` cannot match `$default` and reach `/admin`.
  const raw = removeDotSegments(a.rawPath);
  if (a.via === 'domain') {
    stage = api.stages.get(a.stage);
    x.path = raw;
    x.contextPath = raw;
    x.basePathMatched = a.basePath || '(none)';
  } else {
    const seg = firstSegment(raw);
    const name = decodeSegment(seg);
    // `$default` is a path segment like any other on the execute-api host; the path form
    // (/_aws/execute-api/{apiId}/$default/…) uses it to name the default stage explicitly.
    if (name === '$default' && a.via === 'path') {
      stage = api.defaultStage;
      x.path = raw.slice(seg.length + 1) || '/';
      x.contextPath = x.path;
    } else {
      stage = name && name !== '$default' ? api.stages.get(name) : undefined;
      if (stage) x.path = raw.slice(seg.length + 1) || '/';
      else {
        stage = api.defaultStage;
        x.path = raw;
      }
      x.contextPath = raw;
    }
  }
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
