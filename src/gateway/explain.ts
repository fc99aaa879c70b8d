// "Which route matches this request, and why": GET /_wayfinder/gateway/explain with
//   apiId=…&method=GET&path=/pets/dog/1[&stage=prod]     (stage omitted: AWS's stage selection on path)
//   or host=<custom domain>&method=…&path=…
// Answers the stage chosen, the deployment it serves, every route of that deployment with whether it
// matches and why not, the winner with the precedence rule that made it win, and where the
// integration would send the request. Read-only, from the same in-memory view as the data plane, and
// the stage and API mapping are chosen by the data plane's own functions (stage-selection.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, type InternalRoute } from '../http1/routes.js';
import type { DiscoveryView } from '../cloudmap/api.js';
import { hostname } from '../http1/hostname.js';
import { removeDotSegments } from './dot-segments.js';
import { safeDecode, splitPath, type SplitPath } from './router.js';
import { matchMapping, selectStage, type StageSelection } from './stage-selection.js';
import type { CompiledDeployment, CompiledRoute } from './snapshot.js';
import type { ApiRuntime, GatewayView, StageRuntime } from './view.js';

interface Evaluation {
  routeKey: string;
  routeId: string;
  matches: boolean;
  matchType?: 'full' | 'greedy' | '$default';
  reason: string;
  /** Precedence: tier, then per-segment kinds (literal 0 < variable 1 < greedy 2), then ANY after a method. */
  rank?: number[];
  params?: Record<string, string>;
  error?: string;
}

const KIND = { literal: 0, param: 1, greedy: 2 } as const;

export function evaluateRoute(route: CompiledRoute, method: string, path: SplitPath): Evaluation {
  const base = { routeKey: route.routeKey, routeId: route.routeId, error: route.error };
  const p = route.parsed;
  if (!p) return { ...base, matches: false, reason: route.error ?? 'invalid route key' };
  if (p.isDefault) return { ...base, matches: true, matchType: '$default', rank: [2], reason: 'the $default route catches every request no other route matches' };
  if (p.method !== 'ANY' && p.method !== method) return { ...base, matches: false, reason: `method ${p.method} does not match ${method}` };
  const segs = path.decoded;
  const params: Record<string, string> = {};
  const kinds: number[] = [];
  for (let i = 0; i < p.segments.length; i++) {
    const s = p.segments[i]!;
    if (s.kind === 'greedy') {
      if (i >= segs.length) return { ...base, matches: false, reason: `greedy {${s.name}+} needs at least one more path segment (it never matches zero)` };
      params[s.name] = segs.slice(i).join('/');
      kinds.push(KIND.greedy);
      return {
        ...base,
        matches: true,
        matchType: 'greedy',
        params,
        rank: [1, ...kinds, p.method === 'ANY' ? 1 : 0],
        reason: `greedy match: {${s.name}+} takes '${params[s.name]}'`,
      };
    }
    if (i >= segs.length) return { ...base, matches: false, reason: `the path has ${segs.length} segment(s), the route needs ${p.segments.length}` };
    if (s.kind === 'literal') {
      if (s.value !== segs[i]) return { ...base, matches: false, reason: `segment ${i + 1}: literal '${s.value}' does not match '${segs[i]}'` };
      kinds.push(KIND.literal);
    } else {
      params[s.name] = segs[i]!;
      kinds.push(KIND.param);
    }
  }
  if (segs.length !== p.segments.length) return { ...base, matches: false, reason: `the path has ${segs.length} segment(s), the route has ${p.segments.length}` };
  return {
    ...base,
    matches: true,
    matchType: 'full',
    params,
    rank: [0, ...kinds, p.method === 'ANY' ? 1 : 0],
    reason: 'full match: every segment matches a literal or a {variable}',
  };
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1;
    const y = b[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}

function whyBetter(w: Evaluation, o: Evaluation): string {
  if (w.matchType !== o.matchType) {
    if (w.matchType === 'full') return `a full match beats ${o.matchType === 'greedy' ? 'a greedy match' : 'the $default route'} (${o.routeKey})`;
    return `a greedy match beats the $default route (${o.routeKey})`;
  }
  const a = w.rank!;
  const b = o.rank!;
  const last = Math.max(a.length, b.length) - 1;
  for (let i = 1; i < last; i++) {
    if (a[i] !== b[i]) {
      const name = (k: number | undefined) => (k === 0 ? 'a literal' : k === 1 ? 'a {variable}' : k === 2 ? 'a greedy variable' : 'nothing');
      return `at segment ${i}, ${name(a[i])} beats ${name(b[i])} (${o.routeKey})`;
    }
  }
  return `at equal path specificity a method-specific route beats ANY (${o.routeKey})`;
}

export interface ExplainQuery {
  apiId?: string;
  host?: string;
  method: string;
  path: string;
  stage?: string;
}

function describeHostSelection(sel: StageSelection<StageRuntime>, stageName: string | undefined): string {
  if (sel.how === 'named') return `the first path segment '${sel.segment}' names stage ${stageName}; the route path is ${sel.path}`;
  const first = sel.segment;
  const why = !first
    ? 'the path is /'
    : safeDecode(first) === '$default'
      ? `'${first}' is a path segment, not a stage name, on the execute-api host`
      : `no stage is named '${first}'`;
  return stageName ? `${why}: the $default stage serves the whole path` : `${why} and there is no $default stage`;
}

export function explain(view: GatewayView, discovery: DiscoveryView | undefined, q: ExplainQuery): { status: number; body: Record<string, unknown> } {
  let api: ApiRuntime | undefined;
  let stage: StageRuntime | undefined;
  let requestPath = q.path.startsWith('/') ? q.path : `/${q.path}`;
  const rawQuery = requestPath.includes('?') ? requestPath.slice(requestPath.indexOf('?') + 1) : '';
  requestPath = requestPath.split('?')[0]!;
  // Stage and mapping selection are the data plane's own functions (stage-selection.ts): the
  // explainer answers for exactly the request the edge would route.
  let path: string;
  let stageSelection: string;
  const host = q.host || undefined;
  if (host) {
    const d = view.domains.get(hostname(host));
    if (!d) return { status: 404, body: { message: `No custom domain name ${q.host}` } };
    const m = matchMapping(d.mappings, requestPath);
    if (!m) return { status: 200, body: { result: '404 Not Found: no API mapping of this domain matches the path', mappings: d.mappings.map((mm) => mm.key || '(root)') } };
    const mapping = m.mapping;
    stageSelection = `custom domain ${d.name}: API mapping '${mapping.key || '(root)'}' selects API ${mapping.apiId}, stage ${mapping.stage}`;
    api = view.apis.get(mapping.apiId);
    if (!api) return { status: 200, body: { stageSelection, result: '404 Not Found: the mapped API does not exist' } };
    const sel = selectStage(api, { via: 'domain', host, apiId: mapping.apiId, stage: mapping.stage, rawPath: m.rawPath, basePath: mapping.key });
    stage = sel.stage;
    path = sel.path;
  } else {
    api = q.apiId ? view.apis.get(q.apiId) : undefined;
    if (!api) return { status: 404, body: { message: `No API ${q.apiId ?? '(apiId missing)'}` } };
    if (q.stage !== undefined) {
      stage = api.stages.get(q.stage);
      path = removeDotSegments(requestPath);
      stageSelection = stage ? `stage ${q.stage} as asked` : `API ${api.apiId} has no stage ${q.stage}`;
    } else {
      const sel = selectStage(api, { via: 'host', apiId: api.apiId, host: '', rawPath: requestPath });
      stage = sel.stage;
      path = sel.path;
      stageSelection = describeHostSelection(sel, stage?.name);
    }
  }
  const resolved = removeDotSegments(requestPath);
  if (resolved !== requestPath) stageSelection = `dot segments resolved first: ${requestPath} is ${resolved}; ${stageSelection}`;
  const common = { apiId: api.apiId, method: q.method, path, stageSelection };
  if (!stage) return { status: 200, body: { ...common, result: '404 Not Found: no stage (and no access log line)' } };
  const d: CompiledDeployment | undefined = stage.deployment;
  if (!d) return { status: 200, body: { ...common, stage: stage.name, result: '404 Not Found: the stage has no deployment' } };
  if (!host && d.disableExecuteApiEndpoint)
    return { status: 200, body: { ...common, stage: stage.name, deploymentId: d.deploymentId, result: '403 Forbidden: the deployment disables the execute-api endpoint' } };
  const split = splitPath(path);
  const evaluations = d.routes.map((r) => evaluateRoute(r, q.method, split));
  const matching = evaluations.filter((e) => e.matches).sort((a, b) => compareRank(a.rank!, b.rank!));
  const chosen = d.router.match(q.method, split);
  const winner = chosen ? matching.find((e) => e.routeId === chosen.value.routeId) : undefined;
  const others = matching.filter((e) => e !== winner);
  const body: Record<string, unknown> = {
    ...common,
    stage: stage.name,
    deploymentId: d.deploymentId,
    selected: winner
      ? {
          routeKey: winner.routeKey,
          routeId: winner.routeId,
          matchType: winner.matchType,
          params: chosen!.params,
          reason: winner.reason,
          beats: others.map((o) => whyBetter(winner, o)),
        }
      : null,
    routes: [...matching, ...evaluations.filter((e) => !e.matches)].map(({ rank: _rank, ...e }) => e),
    deploymentErrors: d.errors,
  };
  if (!chosen) body.result = '404 Not Found: no route matches and there is no $default route';
  else {
    const r = chosen.value;
    if (r.error) body.result = `500 Internal Server Error: ${r.error}`;
    else if (!r.integration) body.result = '404 Not Found: the route has no integration target';
    else {
      const t = r.integration.target;
      body.authorization = r.authType === 'NONE' ? 'none' : { type: r.authType, authorizerId: r.authorizer?.authorizerId, issuer: r.authorizer?.issuer, scopes: r.scopes };
      if (t.kind === 'unsupported') body.result = `500 Internal Server Error: ${t.reason}`;
      else if (t.kind === 'url') {
        body.integration = {
          type: 'HTTP_PROXY',
          uri: t.parts.map((p) => (p.kind === 'text' ? p.text : p.kind === 'param' ? `{${p.name}}` : `\${stageVariables.${p.name}}`)).join(''),
          path: r.isDefault ? 'the request path is appended to the URI ($default route)' : 'the URI is used as written, with {variables} substituted (the path is not appended)',
          query: rawQuery ? `forwarded: ${rawQuery}` : 'the query string is forwarded',
          timeoutInMillis: r.integration.timeoutMs,
        };
        body.result = 'forwarded to the integration';
      } else {
        const link = view.vpcLink(api, t.vpcLinkId);
        const instances = discovery?.routable(t.serviceArn, t.query) ?? [];
        body.integration = {
          type: 'HTTP_PROXY via VPC link (Cloud Map)',
          vpcLink: link ? { id: link.vpcLinkId, status: Date.now() >= link.availableAt ? 'AVAILABLE' : 'PENDING' } : `${t.vpcLinkId} (missing)`,
          serviceId: t.serviceId,
          query: t.query,
          path: 'the request path is forwarded with the stage prefix',
          routableInstances: instances.map((i) => ({ instanceId: i.instanceId, address: i.ipv4 && i.port ? `${i.ipv4}:${i.port}` : null, health: i.health })),
          timeoutInMillis: r.integration.timeoutMs,
        };
        body.result =
          !link || Date.now() < link.availableAt
            ? '500 Internal Server Error: the VPC link is not AVAILABLE'
            : instances.some((i) => i.ipv4 && i.port)
              ? 'forwarded to one of the routable instances, picked at random'
              : '503 Service Unavailable: no healthy instance with AWS_INSTANCE_IPV4 and AWS_INSTANCE_PORT';
      }
    }
  }
  return { status: 200, body };
}

export function explainRoute(view: GatewayView, discovery: () => DiscoveryView | undefined): InternalRoute {
  return {
    method: 'GET',
    path: /^\/_wayfinder\/gateway\/explain$/,
    handle(req: IncomingMessage, res: ServerResponse) {
      const u = new URL(req.url ?? '/', 'http://x');
      const p = u.searchParams;
      const q: ExplainQuery = {
        apiId: p.get('apiId') ?? undefined,
        host: p.get('host') ?? undefined,
        method: (p.get('method') ?? 'GET').toUpperCase(),
        path: p.get('path') ?? '/',
        stage: p.get('stage') ?? undefined,
      };
      const r = explain(view, discovery(), q);
      sendJson(res, r.status, r.body);
    },
  };
}
