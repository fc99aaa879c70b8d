// Routes (docs/aws-behavior.md §2.3): route keys validated and unique per API, targets naming an integration of the
// API, authorization (NONE / JWT / CUSTOM / AWS_IAM) consistent with the authorizer named. Managed
// (quick-create) routes change only through UpdateApi/DeleteApi. Every change auto-deploys.
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations, GetRoutesResponse, Route, RouteParameters } from '../../protocol/generated/apigatewayv2.js';
import { parseRouteKey, RouteKeyError } from '../route-key.js';
import { childKey, type ApiRecord, type AuthorizationType, type RouteRecord } from '../store.js';
import { badRequest, conflict, keyedPage, notFound, requireApi, requireRoute, type GatewayOpsContext } from './common.js';
import { autoDeployTx } from './deployments.js';
import { requireRoom } from './quotas.js';
import { RoutePages } from './route-pages.js';

export function routeWire(r: RouteRecord): Route {
  return {
    ApiGatewayManaged: r.apiGatewayManaged,
    ApiKeyRequired: r.apiKeyRequired,
    AuthorizationScopes: r.authorizationScopes,
    AuthorizationType: r.authorizationType,
    AuthorizerId: r.authorizerId,
    ModelSelectionExpression: r.modelSelectionExpression,
    OperationName: r.operationName,
    RequestModels: r.requestModels,
    RequestParameters: r.requestParameters
      ? (Object.fromEntries(Object.entries(r.requestParameters).map(([k, v]) => [k, { Required: v.required }])) as RouteParameters)
      : undefined,
    RouteId: r.routeId,
    RouteKey: r.routeKey,
    RouteResponseSelectionExpression: r.routeResponseSelectionExpression,
    Target: r.target,
  };
}

function requestParametersRecord(p: RouteParameters | undefined): RouteRecord['requestParameters'] {
  if (!p) return undefined;
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { required: v?.Required }]));
}

/**
 * Checks a full route record against its API; throws AWS's 400/404/409. `routeIdsByKey` (route key →
 * route id of the API's routes) lets a caller that adds many routes at once (an import) keep the
 * uniqueness check O(1) per route instead of re-reading every route of the API each time.
 */
export function validateRoute(c: GatewayOpsContext, api: ApiRecord, r: RouteRecord, routeIdsByKey?: ReadonlyMap<string, string>): void {
  const { apiId } = api;
  if (api.protocolType === 'HTTP') {
    try {
      parseRouteKey(r.routeKey);
    } catch (e) {
      if (e instanceof RouteKeyError) throw badRequest(e.message);
      throw e;
    }
    if (r.apiKeyRequired) throw badRequest('API keys are supported only for WebSocket APIs.');
  } else if (!r.routeKey) {
    throw badRequest('RouteKey must not be empty.');
  }
  const clash = routeIdsByKey
    ? routeIdsByKey.has(r.routeKey) && routeIdsByKey.get(r.routeKey) !== r.routeId
    : c.gw.childrenOf(c.gw.routes, api, apiId).some((o) => o.routeKey === r.routeKey && o.routeId !== r.routeId);
  if (clash) {
    throw conflict(`Route with key ${r.routeKey} already exists for this API`);
  }
  if (r.target !== undefined) {
    const m = /^integrations\/([a-z0-9]+)$/.exec(r.target);
    if (!m) throw badRequest(`Invalid target '${r.target}': use integrations/{integrationId}.`);
    if (!c.gw.integrations.has(childKey(api, apiId, m[1]!))) throw notFound('Integration', `Invalid Integration identifier specified ${m[1]}`);
  }
  const type: AuthorizationType = r.authorizationType;
  const authorizer = r.authorizerId ? c.gw.authorizers.get(childKey(api, apiId, r.authorizerId)) : undefined;
  if (r.authorizerId && !authorizer) throw notFound('Authorizer', `Invalid Authorizer identifier specified ${r.authorizerId}`);
  if (type === 'JWT') {
    if (api.protocolType !== 'HTTP') throw badRequest('JWT authorization is supported only for HTTP APIs.');
    if (!authorizer) throw badRequest('AuthorizerId is required when AuthorizationType is JWT.');
    if (authorizer.authorizerType !== 'JWT') throw badRequest(`Authorizer ${authorizer.authorizerId} is of type ${authorizer.authorizerType}; JWT routes need a JWT authorizer.`);
  } else if (type === 'CUSTOM') {
    if (!authorizer) throw badRequest('AuthorizerId is required when AuthorizationType is CUSTOM.');
    if (authorizer.authorizerType !== 'REQUEST')
      throw badRequest(`Authorizer ${authorizer.authorizerId} is of type ${authorizer.authorizerType}; CUSTOM routes need a REQUEST authorizer.`);
  } else if (r.authorizerId) {
    throw badRequest(`AuthorizerId cannot be set when AuthorizationType is ${type}.`);
  }
  if (r.authorizationScopes?.length) {
    if (type !== 'JWT') throw badRequest('Authorization scopes are supported only for JWT authorizers.');
    if (r.authorizationScopes.length > 10) throw badRequest('A route can have at most 10 authorization scopes.');
  }
}

export function routeOperations(c: GatewayOpsContext) {
  const pages = new RoutePages(c.gw.store);
  // A kept page's records are read-only, so their wire form is computed once too.
  const wire = new WeakMap<RouteRecord, Route>();
  const answers = new WeakMap<readonly RouteRecord[], Readonly<GetRoutesResponse>>();
  const wireOf = (r: RouteRecord): Route => {
    let w = wire.get(r);
    if (!w) wire.set(r, (w = Object.freeze(routeWire(r))));
    return w;
  };
  return {
    CreateRoute(input, ctx: RequestContext) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        const r: RouteRecord = {
          region: ctx.region,
          apiId: api.apiId,
          routeId: alnum(7),
          routeKey: input.RouteKey,
          target: input.Target,
          authorizationType: input.AuthorizationType ?? 'NONE',
          authorizerId: input.AuthorizerId,
          authorizationScopes: input.AuthorizationScopes,
          apiKeyRequired: input.ApiKeyRequired ?? false,
          operationName: input.OperationName,
          modelSelectionExpression: input.ModelSelectionExpression,
          requestModels: input.RequestModels,
          requestParameters: requestParametersRecord(input.RequestParameters),
          routeResponseSelectionExpression: input.RouteResponseSelectionExpression,
        };
        validateRoute(c, api, r);
        requireRoom(c, ctx, api.apiId, 'Routes');
        c.gw.routes.putTx(childKey(ctx, api.apiId, r.routeId), r);
        autoDeployTx(c, ctx, api.apiId);
        return routeWire(r);
      });
    },

    GetRoute(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      return routeWire(requireRoute(c, ctx, input.ApiId, input.RouteId));
    },

    GetRoutes(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      const prefix = childKey(ctx, input.ApiId, '');
      let read: readonly RouteRecord[] | undefined;
      const p = keyedPage(
        // Only read (pageFrom slices it): the kept page itself is never changed.
        (after, n) => (read = pages.page(prefix, after, n, (a, m) => c.gw.routes.pageWithPrefix(prefix, a, m))) as RouteRecord[],
        (r) => r.routeId,
        input.MaxResults,
        input.NextToken,
      );
      // The page read (its id holds the page size and the position) decides the whole answer: it is
      // kept with the page, frozen, so the protocol layer keeps its rendering too (dispatch.ts).
      let answer = read && answers.get(read);
      if (!answer) {
        answer = Object.freeze({ Items: Object.freeze(p.Items.map(wireOf)) as Route[], NextToken: p.NextToken });
        if (read) answers.set(read, answer);
      }
      return answer;
    },

    UpdateRoute(input, ctx) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        const r = requireRoute(c, ctx, input.ApiId, input.RouteId);
        if (r.apiGatewayManaged) throw badRequest(`Route ${r.routeId} is managed by API Gateway (quick create); update the API instead.`);
        const next: RouteRecord = {
          ...r,
          routeKey: input.RouteKey ?? r.routeKey,
          target: input.Target ?? r.target,
          authorizationType: input.AuthorizationType ?? r.authorizationType,
          authorizerId: input.AuthorizerId ?? r.authorizerId,
          authorizationScopes: input.AuthorizationScopes ?? r.authorizationScopes,
          apiKeyRequired: input.ApiKeyRequired ?? r.apiKeyRequired,
          operationName: input.OperationName === '' ? undefined : (input.OperationName ?? r.operationName), // "" clears (§2.4)
          modelSelectionExpression: input.ModelSelectionExpression ?? r.modelSelectionExpression,
          requestModels: input.RequestModels ?? r.requestModels,
          requestParameters: input.RequestParameters ? requestParametersRecord(input.RequestParameters) : r.requestParameters,
          routeResponseSelectionExpression: input.RouteResponseSelectionExpression ?? r.routeResponseSelectionExpression,
        };
        // Switching to NONE/AWS_IAM drops the authorizer and scopes the route no longer uses.
        if ((next.authorizationType === 'NONE' || next.authorizationType === 'AWS_IAM') && input.AuthorizerId === undefined) {
          next.authorizerId = undefined;
          if (input.AuthorizationScopes === undefined) next.authorizationScopes = undefined;
        }
        if (input.Target === '') next.target = undefined;
        validateRoute(c, api, next);
        c.gw.routes.putTx(childKey(ctx, api.apiId, r.routeId), next);
        autoDeployTx(c, ctx, api.apiId);
        return routeWire(next);
      });
    },

    DeleteRoute(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const r = requireRoute(c, ctx, input.ApiId, input.RouteId);
        if (r.apiGatewayManaged) throw badRequest(`Route ${r.routeId} is managed by API Gateway (quick create); delete the API instead.`);
        for (const rr of c.gw.routeResponses.withPrefix(childKey(ctx, input.ApiId, `${r.routeId}/`))) {
          c.gw.routeResponses.deleteTx(childKey(ctx, input.ApiId, `${r.routeId}/${rr.routeResponseId}`));
        }
        c.gw.routes.deleteTx(childKey(ctx, input.ApiId, r.routeId));
        autoDeployTx(c, ctx, input.ApiId);
      });
    },

    DeleteRouteRequestParameter(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const r = requireRoute(c, ctx, input.ApiId, input.RouteId);
        if (!r.requestParameters || !Object.hasOwn(r.requestParameters, input.RequestParameterKey)) {
          throw notFound('RouteRequestParameter', `Invalid request parameter key specified ${input.RequestParameterKey}`);
        }
        const { [input.RequestParameterKey]: _drop, ...rest } = r.requestParameters;
        c.gw.routes.putTx(childKey(ctx, input.ApiId, r.routeId), { ...r, requestParameters: rest });
        autoDeployTx(c, ctx, input.ApiId);
      });
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
