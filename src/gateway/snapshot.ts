// Deploy = freeze. A deployment record holds the API-level configuration as it was when deployed
// (routes, integrations, authorizers, CORS); this module compiles it once into what the data plane
// needs per request: a route trie, integration targets, mapping programs, authorizer settings and
// precomputed CORS headers. A route that cannot work (missing integration, unknown authorizer, bad
// mapping) is compiled with an `error` and reported on that route only; the rest of the table serves.
import { compileCors, type CompiledCors } from './cors.js';
import { compileRequestMapping, compileResponseMapping, MappingError, type MappingOp } from './mapping.js';
import { parseRouteKey, RouteKeyError, type ParsedRouteKey } from './route-key.js';
import { Router } from './router.js';
import type { AuthorizationType, AuthorizerRecord, DeploymentRecord, IntegrationRecord, RouteRecord } from './store.js';
import { scopedKey, type Scope } from '../store/store.js';

export interface CachedToken {
  claims: Record<string, unknown>;
  scopes: string[];
  expMs: number;
  nbfMs: number;
  cachedUntil: number;
}

export interface CompiledAuthorizer {
  authorizerId: string;
  name: string;
  type: 'JWT' | 'REQUEST';
  issuer: string;
  audience: string[];
  identity?: { from: 'header' | 'query'; name: string };
  /** Verified tokens (bounded): a token is checked by signature once, then by time only. */
  tokens: Map<string, CachedToken>;
}

export type UriPart = { kind: 'text'; text: string } | { kind: 'param'; name: string } | { kind: 'stageVar'; name: string };

export interface UrlTarget {
  kind: 'url';
  /** Set when the URI has no `{var}` / `${stageVariables.x}`: parsed once. */
  fixed?: ParsedUrl;
  parts: UriPart[];
}

export interface CloudMapTarget {
  kind: 'cloudmap';
  serviceArn: string;
  serviceId: string;
  query: Record<string, string> | undefined;
  vpcLinkId: string;
  /** `<partition>/<vpcLinkId>` (scopedKey), the view's key (built once, not per request). */
  vpcLinkKey: string;
  https: boolean;
  serverName?: string;
}

export interface UnsupportedTarget {
  kind: 'unsupported';
  reason: string;
}

export interface ParsedUrl {
  origin: string;
  path: string;
  query: string;
}

export interface CompiledIntegration {
  integrationId: string;
  type: string;
  /** Method sent upstream; 'ANY' forwards the client's method. */
  method: string;
  timeoutMs: number;
  target: UrlTarget | CloudMapTarget | UnsupportedTarget;
  requestOps: MappingOp[];
  responseOps: Map<number, MappingOp[]>;
  readsRequestBody: boolean;
  readsResponseBody: boolean;
}

export interface CompiledRoute {
  routeId: string;
  routeKey: string;
  parsed: ParsedRouteKey | undefined;
  isDefault: boolean;
  integration?: CompiledIntegration;
  authType: AuthorizationType;
  authorizer?: CompiledAuthorizer;
  scopes: string[];
  /** Why this route cannot serve (answered 500, shown by the route explainer). */
  error?: string;
}

export interface CompiledDeployment {
  region: string;
  apiId: string;
  deploymentId: string;
  cors: CompiledCors | undefined;
  /** disableExecuteApiEndpoint as it was deployed (API-level settings change with a deployment). */
  disableExecuteApiEndpoint: boolean;
  router: Router<CompiledRoute>;
  routes: CompiledRoute[];
  errors: Array<{ routeKey: string; message: string }>;
}

const SERVICE_ARN = /^arn:aws[a-z-]*:servicediscovery:[a-z0-9-]*:\d{12}:service\/(srv-[a-z0-9]+)(\?.*)?$/;
const LISTENER_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:/;

export function parseUrl(url: string): ParsedUrl | undefined {
  const m = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?/i.exec(url);
  if (!m) return undefined;
  const origin = `${m[1]!.toLowerCase()}://${m[2]}`;
  // The upstream pool parses the origin with URL: a host like `a:b:c` (a stage variable can render
  // one) must be refused here, as a bad URI, not throw later inside the pipeline.
  if (!URL.canParse(origin)) return undefined;
  return { origin, path: m[3] ?? '', query: m[4] ?? '' };
}

/** Splits an integration URI into text, `{var}` and `${stageVariables.x}` parts. */
export function parseUriTemplate(uri: string): UriPart[] {
  const parts: UriPart[] = [];
  const re = /\$\{stageVariables\.([A-Za-z0-9_]+)\}|\{([A-Za-z0-9._-]+)\+?\}/g;
  let last = 0;
  for (let m = re.exec(uri); m; m = re.exec(uri)) {
    if (m.index > last) parts.push({ kind: 'text', text: uri.slice(last, m.index) });
    parts.push(m[1] ? { kind: 'stageVar', name: m[1] } : { kind: 'param', name: m[2]! });
    last = m.index + m[0].length;
  }
  if (last < uri.length) parts.push({ kind: 'text', text: uri.slice(last) });
  return parts;
}

export function parseCloudMapUri(uri: string): { serviceId: string; query: Record<string, string> | undefined } | undefined {
  const m = SERVICE_ARN.exec(uri);
  if (!m) return undefined;
  const query = m[2] ? Object.fromEntries(new URLSearchParams(m[2].slice(1))) : undefined;
  return { serviceId: m[1]!, query: query && Object.keys(query).length ? query : undefined };
}

export function isListenerArn(uri: string): boolean {
  return LISTENER_ARN.test(uri);
}

/** `scope` is the deployment's account and region: its VPC links are that account's. */
function compileTarget(i: IntegrationRecord, scope: Scope): CompiledIntegration['target'] {
  if (i.integrationType === 'AWS_PROXY') return { kind: 'unsupported', reason: 'Lambda (AWS_PROXY) integrations are not supported by Wayfinder' };
  if (i.integrationType !== 'HTTP_PROXY') return { kind: 'unsupported', reason: `${i.integrationType} integrations are only for WebSocket APIs` };
  const uri = i.integrationUri ?? '';
  if (i.connectionType === 'VPC_LINK') {
    if (isListenerArn(uri)) return { kind: 'unsupported', reason: 'private integrations to ALB/NLB listeners are not supported by Wayfinder (use a Cloud Map service)' };
    const cm = parseCloudMapUri(uri);
    if (!cm) return { kind: 'unsupported', reason: `integration URI ${uri} is not a Cloud Map service ARN` };
    // The API's own account and region only (imports too): discovery then checks the id is that account's.
    const [, , , arnRegion, arnAccount] = uri.split(':');
    if (arnRegion !== scope.region || arnAccount !== scope.accountId) {
      return { kind: 'unsupported', reason: `integration URI ${uri.split('?')[0]} is not a Cloud Map service of this account and region` };
    }
    return {
      kind: 'cloudmap',
      serviceArn: uri.split('?')[0]!,
      serviceId: cm.serviceId,
      query: cm.query,
      vpcLinkId: i.connectionId ?? '',
      vpcLinkKey: scopedKey(scope, i.connectionId ?? ''),
      https: i.tlsConfig !== undefined,
      serverName: i.tlsConfig?.serverNameToVerify,
    };
  }
  const parts = parseUriTemplate(uri);
  const fixed = parts.every((p) => p.kind === 'text') ? parseUrl(uri) : undefined;
  if (parts.every((p) => p.kind === 'text') && !fixed) return { kind: 'unsupported', reason: `integration URI ${uri} is not an http(s) URL` };
  return { kind: 'url', fixed, parts };
}

export function compileIntegration(i: IntegrationRecord, scope: Scope): CompiledIntegration {
  const requestOps = compileRequestMapping(i.requestParameters);
  const responseOps = compileResponseMapping(i.responseParameters);
  return {
    integrationId: i.integrationId,
    type: i.integrationType,
    method: (i.integrationMethod ?? 'ANY').toUpperCase(),
    timeoutMs: i.timeoutInMillis,
    target: compileTarget(i, scope),
    requestOps,
    responseOps,
    readsRequestBody: requestOps.some((o) => o.value.readsBody),
    readsResponseBody: [...responseOps.values()].some((ops) => ops.some((o) => o.value.readsBody)),
  };
}

function identityOf(a: AuthorizerRecord): CompiledAuthorizer['identity'] {
  const src = a.identitySource[0] ?? '';
  let m = /^\$request\.header\.([A-Za-z0-9!#$%&'*+.^_`|~-]+)$/.exec(src);
  if (m) return { from: 'header', name: m[1]!.toLowerCase() };
  m = /^\$request\.querystring\.(.+)$/.exec(src);
  if (m) return { from: 'query', name: m[1]! };
  return undefined;
}

function compileAuthorizer(a: AuthorizerRecord): CompiledAuthorizer {
  return {
    authorizerId: a.authorizerId,
    name: a.name,
    type: a.authorizerType,
    issuer: a.jwtConfiguration?.issuer ?? '',
    audience: a.jwtConfiguration?.audience ?? [],
    identity: identityOf(a),
    tokens: new Map(),
  };
}

function compileRoute(r: RouteRecord, integrations: Map<string, CompiledIntegration | Error>, authorizers: Map<string, CompiledAuthorizer>): CompiledRoute {
  const route: CompiledRoute = {
    routeId: r.routeId,
    routeKey: r.routeKey,
    parsed: undefined,
    isDefault: r.routeKey === '$default',
    authType: r.authorizationType,
    scopes: r.authorizationScopes ?? [],
  };
  try {
    route.parsed = parseRouteKey(r.routeKey);
  } catch (e) {
    if (e instanceof RouteKeyError) {
      route.error = e.message;
      return route;
    }
    throw e;
  }
  if (r.target) {
    const m = /^integrations\/([a-z0-9]+)$/.exec(r.target);
    const integ = m ? integrations.get(m[1]!) : undefined;
    if (!integ) route.error = `route target ${r.target} does not name an integration of this deployment`;
    else if (integ instanceof Error) route.error = `integration ${m![1]}: ${integ.message}`;
    else route.integration = integ;
  }
  if (r.authorizationType === 'JWT' || r.authorizationType === 'CUSTOM') {
    const a = r.authorizerId ? authorizers.get(r.authorizerId) : undefined;
    if (!a) route.error ??= `route authorizer ${r.authorizerId ?? '(none)'} does not exist in this deployment`;
    else {
      route.authorizer = a;
      if (a.type === 'JWT' && !a.identity) route.error ??= `authorizer ${a.authorizerId} has an identity source Wayfinder cannot read: ${a.identity ?? ''}`;
    }
  }
  return route;
}

export function compileDeployment(d: DeploymentRecord): CompiledDeployment {
  const snap = d.snapshot;
  const integrations = new Map<string, CompiledIntegration | Error>();
  for (const i of snap.integrations) {
    try {
      integrations.set(i.integrationId, compileIntegration(i, d));
    } catch (e) {
      if (!(e instanceof MappingError)) throw e;
      integrations.set(i.integrationId, e);
    }
  }
  const authorizers = new Map(snap.authorizers.map((a) => [a.authorizerId, compileAuthorizer(a)]));
  const router = new Router<CompiledRoute>();
  const routes: CompiledRoute[] = [];
  const errors: CompiledDeployment['errors'] = [];
  for (const r of snap.routes) {
    const route = compileRoute(r, integrations, authorizers);
    routes.push(route);
    if (route.error) errors.push({ routeKey: r.routeKey, message: route.error });
    if (route.parsed) router.add(route.parsed, route.routeKey, route);
  }
  return {
    region: d.region,
    apiId: d.apiId,
    deploymentId: d.deploymentId,
    cors: snap.api.protocolType === 'HTTP' ? compileCors(snap.api.corsConfiguration) : undefined,
    disableExecuteApiEndpoint: snap.api.disableExecuteApiEndpoint === true,
    router,
    routes,
    errors,
  };
}
