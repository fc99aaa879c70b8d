// `$context.*` variables (docs/aws-behavior.md §3.11), for access logs and parameter mapping. Unknown or
// unavailable variables are undefined (the access log renders them as `-`).
import type { GatewayExchange } from './gateway-exchange.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** CLF time as AWS writes it: `06/Apr/2020:23:23:46 +0000`. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function claimValue(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return 'null';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function contextVar(x: GatewayExchange, name: string): string | undefined {
  switch (name) {
    case 'requestId':
    case 'extendedRequestId':
      return x.requestId;
    case 'apiId':
      return x.api?.apiId;
    case 'accountId':
      return x.api?.accountId;
    case 'stage':
      return x.stage?.name;
    case 'routeKey':
      return x.route?.routeKey;
    case 'httpMethod':
      return x.method;
    case 'path':
      return x.contextPath;
    case 'protocol':
      return `HTTP/${x.io.httpVersion}`;
    case 'status':
      return x.status ? String(x.status) : undefined;
    case 'responseLength':
      return String(x.responseLength);
    case 'dataProcessed':
      return String(x.responseLength + Math.max(0, x.contentLength));
    case 'responseLatency':
      return String(Math.round(performance.now() - x.t0));
    case 'requestTime':
      return clfTime(x.receivedAt);
    case 'requestTimeEpoch':
      return String(x.receivedAt);
    case 'domainName':
      return x.domainName;
    case 'domainPrefix':
      return x.domainName.split('.')[0];
    case 'identity.sourceIp':
      return x.sourceIp;
    case 'identity.userAgent':
      return x.userAgent;
    case 'integrationStatus':
    case 'integration.integrationStatus':
    case 'integration.status':
      return x.integrationStatus >= 0 ? String(x.integrationStatus) : undefined;
    case 'integrationLatency':
    case 'integration.latency':
      return x.integrationLatency >= 0 ? String(x.integrationLatency) : undefined;
    case 'integrationErrorMessage':
    case 'integration.error':
      return x.integrationError;
    case 'integration.requestId':
      return undefined;
    case 'error.message':
      return x.errorMessage;
    case 'error.messageString':
      return x.errorMessage === undefined ? undefined : JSON.stringify(x.errorMessage);
    case 'error.responseType':
      return x.errorType;
    case 'authorizer.error':
      return x.authorizerError;
    case 'authorizer.principalId':
      return claimValue(x.claims?.sub);
    case 'customDomain.basePathMatched':
      return x.basePathMatched;
    case 'awsEndpointRequestId':
      return undefined;
  }
  if (name.startsWith('authorizer.claims.')) return claimValue(x.claims?.[name.slice(18)]);
  if (name.startsWith('authorizer.') && x.claims) return claimValue(x.claims[name.slice(11)]);
  return undefined;
}
