// Step 7 — the integration call. HTTP_PROXY to a URL, or through a VPC link to a Cloud Map service;
// the response goes back through the response steps (in forward.ts → reply.sendHead). Failures:
// timeout, unreachable backend or no healthy instance → 503 {"message":"Service Unavailable"}; a VPC
// link that is not AVAILABLE or a broken configuration → 500; what Wayfinder does not serve (Lambda,
// ALB/NLB listeners) → 500 with the reason in x-wayfinder-error.
import { candidates, cloudMapPath, pick, type Candidate } from '../integrations/cloudmap.js';
import type { BodySource, UpstreamError } from '../../http1/client-call.js';
import { dispatch, PAYLOAD_TOO_LARGE, requestBody, retryable, type FailureSink } from '../integrations/forward.js';
import { urlDestination } from '../integrations/http-url.js';
import type { CloudMapTarget, CompiledIntegration, UrlTarget } from '../snapshot.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { answer, answerTooLarge, answerUnsupported } from './reply.js';

/** At most this many instances are tried for one request. */
const MAX_ATTEMPTS = 3;

function upstreamFailed(x: GatewayExchange, err: UpstreamError, integ: CompiledIntegration): void {
  const code = err.code;
  if (code === PAYLOAD_TOO_LARGE) {
    answerTooLarge(x);
    return;
  }
  if (err.kind === 'timeout') {
    x.integrationError = `The integration timed out after ${integ.timeoutMs} ms`;
    answer(x, 503, 'Service Unavailable', undefined, 'INTEGRATION_TIMEOUT');
    return;
  }
  x.integrationError = err.message || code || 'integration failed';
  answer(x, 503, 'Service Unavailable', undefined, 'INTEGRATION_FAILURE');
}

/** A URL integration has one destination: a failure is the answer. */
const URL_FAILURE: FailureSink = { failed: (x, err) => upstreamFailed(x, err, x.route!.integration!) };

function methodOf(x: GatewayExchange, integ: CompiledIntegration): string {
  return integ.method === 'ANY' ? x.method : integ.method;
}

function viaUrl(x: GatewayExchange, integ: CompiledIntegration, t: UrlTarget): void {
  const dest = urlDestination(x, t);
  if (typeof dest === 'string') {
    x.integrationError = dest;
    answer(x, 500, 'Internal Server Error');
    return;
  }
  const body = requestBody(x);
  dispatch(x, x.services.pools.get(dest.origin), dest.path, methodOf(x, integ), integ.timeoutMs, body, URL_FAILURE, performance.now());
}

/** One request's walk over Cloud Map instances: a random pick, then others after a safe failure. */
class CloudMapCall implements FailureSink {
  private tried: Set<string> | undefined;
  private current: Candidate | undefined;

  constructor(
    private readonly x: GatewayExchange,
    private readonly integ: CompiledIntegration,
    private readonly t: CloudMapTarget,
    private readonly list: readonly Candidate[],
    private readonly method: string,
    private readonly path: string,
    private readonly body: Buffer | BodySource | null,
  ) {}

  attempt(): void {
    const c = pick(this.list, this.tried);
    const x = this.x;
    if (!c) {
      x.integrationError ??= `no healthy instance of ${this.t.serviceId}`;
      answer(x, 503, 'Service Unavailable', undefined, 'INTEGRATION_FAILURE');
      return;
    }
    this.current = c;
    x.instanceId = c.instanceId;
    const pool = x.services.pools.get(c.origin, this.t.serverName);
    // One integration timeout for the whole request: retries get what is left of it. One clock
    // read serves both the remaining time and the attempt's start ($context.integration.latency).
    const now = performance.now();
    dispatch(x, pool, this.path, this.method, Math.max(1, this.remainingMs(now)), this.body, this, now);
  }

  private remainingMs(now: number): number {
    return this.integ.timeoutMs - (now - this.x.t0);
  }

  failed(x: GatewayExchange, err: UpstreamError): void {
    const tried = (this.tried ??= new Set());
    tried.add(this.current!.instanceId);
    if (tried.size < MAX_ATTEMPTS && this.remainingMs(performance.now()) > 0 && retryable(err, x, this.method) && pick(this.list, tried)) {
      x.integrationError = `${this.current!.instanceId}: ${err.message}`;
      this.attempt();
      return;
    }
    upstreamFailed(x, err, this.integ);
  }
}

function viaCloudMap(x: GatewayExchange, integ: CompiledIntegration, t: CloudMapTarget): void {
  const link = x.services.view.vpcLinkByKey(t.vpcLinkKey);
  if (!link || x.receivedAt < link.availableAt) {
    x.integrationError = link ? `VPC link ${t.vpcLinkId} is not AVAILABLE yet` : `VPC link ${t.vpcLinkId} does not exist`;
    answer(x, 500, 'Internal Server Error');
    return;
  }
  const discovery = x.services.discovery;
  if (!discovery) {
    answerUnsupported(x, 'Cloud Map is not available in this Wayfinder build');
    return;
  }
  const list = candidates(discovery.routable(t.serviceArn, t.query), t.https);
  new CloudMapCall(x, integ, t, list, methodOf(x, integ), cloudMapPath(x, t), requestBody(x)).attempt();
}

export function integrate(x: GatewayExchange): boolean {
  const integ = x.route!.integration!;
  const t = integ.target;
  if (t.kind === 'unsupported') return answerUnsupported(x, t.reason);
  if (t.kind === 'url') viaUrl(x, integ, t);
  else viaCloudMap(x, integ, t);
  return false;
}
