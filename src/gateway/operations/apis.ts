// APIs (docs/aws-behavior.md §2.2): create (incl. quick create: managed integration + route + auto-deploy `$default`
// stage), get, list, update (quick-create target/route key included), delete (cascading), and
// DeleteCorsConfiguration. HTTP APIs are served; WebSocket APIs are stored.
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { Api, ApiGatewayV2Operations, Cors } from '../../protocol/generated/apigatewayv2.js';
import { CorsError, validateCors } from '../cors.js';
import { parseRouteKey, RouteKeyError } from '../route-key.js';
import type { DocTable } from '../../store/store.js';
import { apiKey, childKey, type ApiRecord, type CorsRecord, type IntegrationRecord, type RouteRecord, type StageRecord } from '../store.js';
import { apiEndpoint, badRequest, checkTags, conflict, freshApiId, page, requireApi, toCamel, toPascal, type GatewayOpsContext, wireDate } from './common.js';
import { autoDeployStageTx, autoDeployTx } from './deployments.js';
import { scopePrefix, type Scope } from '../../store/store.js';

export const HTTP_ROUTE_SELECTION = '$request.method $request.path';
const API_KEY_SELECTIONS = ['$request.header.x-api-key', '$context.authorizer.usageIdentifierKey'];

export function apiWire(api: ApiRecord, port: number): Api {
  return {
    ApiEndpoint: apiEndpoint(api, port),
    ApiId: api.apiId,
    ApiKeySelectionExpression: api.apiKeySelectionExpression,
    CorsConfiguration: toPascal<Cors>(api.corsConfiguration as Record<string, unknown> | undefined),
    CreatedDate: wireDate(api.createdAt),
    Description: api.description,
    DisableSchemaValidation: api.disableSchemaValidation,
    DisableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
    ImportInfo: api.importInfo,
    IpAddressType: (api.ipAddressType ?? 'ipv4') as Api['IpAddressType'],
    Name: api.name,
    ProtocolType: api.protocolType,
    RouteSelectionExpression: api.routeSelectionExpression,
    Tags: api.tags,
    Version: api.version,
    Warnings: api.warnings,
  };
}

export function corsRecord(c: Cors | undefined, protocolType: string): CorsRecord | undefined {
  if (!c) return undefined;
  if (protocolType !== 'HTTP') throw badRequest('CORS configuration is supported only for HTTP APIs.');
  const rec = toCamel<CorsRecord>(c)!;
  try {
    validateCors(rec);
  } catch (e) {
    if (e instanceof CorsError) throw badRequest(e.message);
    throw e;
  }
  return rec;
}

function checkSelectionExpressions(protocolType: string, rse: string | undefined, akse: string | undefined): void {
  if (protocolType === 'HTTP' && rse !== undefined && rse !== HTTP_ROUTE_SELECTION) {
    throw badRequest(`Unsupported route selection expression for HTTP APIs: '${rse}'. HTTP APIs use '${HTTP_ROUTE_SELECTION}'.`);
  }
  if (akse !== undefined && !API_KEY_SELECTIONS.includes(akse)) {
    throw badRequest(`Invalid API key selection expression '${akse}'. Supported: ${API_KEY_SELECTIONS.join(', ')}.`);
  }
}

/** The managed integration of a quick-create target: a URL (HTTP_PROXY) or a Lambda ARN (AWS_PROXY). */
function quickIntegration(api: ApiRecord, target: string, credentialsArn: string | undefined, integrationId: string): IntegrationRecord {
  const base = { region: api.region, apiId: api.apiId, integrationId, connectionType: 'INTERNET' as const, timeoutInMillis: 30000, apiGatewayManaged: true, credentialsArn };
  if (/^https?:\/\/[^/\s]+/.test(target)) return { ...base, integrationType: 'HTTP_PROXY', integrationMethod: 'ANY', integrationUri: target, payloadFormatVersion: '1.0' };
  if (/^arn:aws[a-z-]*:(lambda|apigateway):/.test(target))
    return { ...base, integrationType: 'AWS_PROXY', integrationMethod: 'POST', integrationUri: target, payloadFormatVersion: '2.0' };
  throw badRequest(`Invalid target '${target}': quick create takes an HTTP URL or a Lambda function ARN.`);
}

function checkQuickRouteKey(routeKey: string): void {
  try {
    parseRouteKey(routeKey);
  } catch (e) {
    if (e instanceof RouteKeyError) throw badRequest(e.message);
    throw e;
  }
}

/** Every child table row of an API (cascade on delete), deleted by key: no document is read. */
export function deleteApiTx(c: GatewayOpsContext, scope: Scope, apiId: string): void {
  const g = c.gw;
  for (const table of [g.routeResponses, g.integrationResponses, g.routes, g.integrations, g.stages, g.deployments, g.authorizers, g.models] as Array<DocTable<unknown>>) {
    g.deleteChildrenTx(table, scope, apiId);
  }
  g.apis.deleteTx(apiKey(scope, apiId));
}

export function apiOperations(c: GatewayOpsContext) {
  return {
    CreateApi(input, ctx: RequestContext) {
      const protocolType = input.ProtocolType;
      checkSelectionExpressions(protocolType, input.RouteSelectionExpression, input.ApiKeySelectionExpression);
      if (protocolType === 'WEBSOCKET') {
        if (!input.RouteSelectionExpression) throw badRequest('RouteSelectionExpression is required for WebSocket APIs.');
        if (input.Target !== undefined || input.RouteKey !== undefined) throw badRequest('Quick create (target, routeKey) is supported only for HTTP APIs.');
      }
      if (input.RouteKey !== undefined && input.Target === undefined) throw badRequest('RouteKey is supported only together with Target (quick create).');
      if (input.CredentialsArn !== undefined && input.Target === undefined) throw badRequest('CredentialsArn is supported only together with Target (quick create).');
      const tags = checkTags(input.Tags);
      const apiId = freshApiId(c);
      const api: ApiRecord = {
        region: ctx.region,
        accountId: ctx.accountId,
        apiId,
        name: input.Name,
        protocolType,
        description: input.Description,
        version: input.Version,
        routeSelectionExpression: input.RouteSelectionExpression ?? HTTP_ROUTE_SELECTION,
        apiKeySelectionExpression: input.ApiKeySelectionExpression ?? '$request.header.x-api-key',
        disableSchemaValidation: protocolType === 'WEBSOCKET' ? input.DisableSchemaValidation : undefined,
        disableExecuteApiEndpoint: input.DisableExecuteApiEndpoint ?? false,
        corsConfiguration: corsRecord(input.CorsConfiguration, protocolType),
        ipAddressType: input.IpAddressType,
        tags,
        createdAt: c.now(),
      };
      let integration: IntegrationRecord | undefined;
      let route: RouteRecord | undefined;
      if (input.Target !== undefined) {
        const routeKey = input.RouteKey ?? '$default';
        checkQuickRouteKey(routeKey);
        integration = quickIntegration(api, input.Target, input.CredentialsArn, alnum(7));
        route = {
          region: ctx.region,
          apiId,
          routeId: alnum(7),
          routeKey,
          target: `integrations/${integration.integrationId}`,
          authorizationType: 'NONE',
          apiKeyRequired: false,
          apiGatewayManaged: true,
        };
        api.quickCreate = { integrationId: integration.integrationId, routeId: route.routeId };
      }
      c.gw.store.withTx(() => {
        c.gw.apis.putTx(apiKey(ctx, apiId), api);
        if (integration && route) {
          c.gw.integrations.putTx(childKey(ctx, apiId, integration.integrationId), integration);
          c.gw.routes.putTx(childKey(ctx, apiId, route.routeId), route);
          const now = c.now();
          const stage: StageRecord = {
            region: ctx.region,
            apiId,
            stageName: '$default',
            autoDeploy: true,
            stageVariables: {},
            defaultRouteSettings: { detailedMetricsEnabled: false },
            routeSettings: {},
            tags: {},
            createdAt: now,
            lastUpdatedAt: now,
            apiGatewayManaged: true,
          };
          autoDeployStageTx(c, api, stage);
        }
      });
      return apiWire(api, c.port());
    },

    GetApi(input, ctx) {
      return apiWire(requireApi(c, ctx, input.ApiId), c.port());
    },

    GetApis(input, ctx) {
      const p = page(c.gw.apis.withPrefix(scopePrefix(ctx)), (a) => a.apiId, input.MaxResults, input.NextToken);
      return { Items: p.Items.map((a) => apiWire(a, c.port())), NextToken: p.NextToken };
    },

    UpdateApi(input, ctx) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        checkSelectionExpressions(api.protocolType, input.RouteSelectionExpression, input.ApiKeySelectionExpression);
        const next: ApiRecord = {
          ...api,
          name: input.Name ?? api.name,
          description: input.Description ?? api.description,
          version: input.Version === '' ? undefined : (input.Version ?? api.version), // "" clears (§2.4)
          routeSelectionExpression: input.RouteSelectionExpression ?? api.routeSelectionExpression,
          apiKeySelectionExpression: input.ApiKeySelectionExpression ?? api.apiKeySelectionExpression,
          disableSchemaValidation: api.protocolType === 'WEBSOCKET' ? (input.DisableSchemaValidation ?? api.disableSchemaValidation) : undefined,
          disableExecuteApiEndpoint: input.DisableExecuteApiEndpoint ?? api.disableExecuteApiEndpoint,
          corsConfiguration: input.CorsConfiguration !== undefined ? corsRecord(input.CorsConfiguration, api.protocolType) : api.corsConfiguration,
          ipAddressType: input.IpAddressType ?? api.ipAddressType,
        };
        if (input.Target !== undefined || input.RouteKey !== undefined || input.CredentialsArn !== undefined) {
          if (!api.quickCreate) throw badRequest('Target, RouteKey and CredentialsArn can be updated only on an API created with quick create.');
          const ik = childKey(ctx, api.apiId, api.quickCreate.integrationId);
          const rk = childKey(ctx, api.apiId, api.quickCreate.routeId);
          const integ = c.gw.integrations.get(ik);
          const route = c.gw.routes.get(rk);
          if (integ && (input.Target !== undefined || input.CredentialsArn !== undefined)) {
            const fresh = quickIntegration(api, input.Target ?? integ.integrationUri ?? '', input.CredentialsArn ?? integ.credentialsArn, integ.integrationId);
            c.gw.integrations.putTx(ik, fresh);
          }
          if (route && input.RouteKey !== undefined && input.RouteKey !== route.routeKey) {
            checkQuickRouteKey(input.RouteKey);
            if (c.gw.childrenOf(c.gw.routes, ctx, api.apiId).some((r) => r.routeKey === input.RouteKey)) {
              throw conflict(`Route with key ${input.RouteKey} already exists for this API`);
            }
            c.gw.routes.putTx(rk, { ...route, routeKey: input.RouteKey });
          }
        }
        c.gw.apis.putTx(apiKey(ctx, api.apiId), next);
        autoDeployTx(c, ctx, api.apiId);
        return apiWire(next, c.port());
      });
    },

    DeleteApi(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const mapped = c.gw.apiMappings.withPrefix(scopePrefix(ctx)).filter((m) => m.apiId === input.ApiId);
        if (mapped.length) {
          throw conflict(`Cannot delete API ${input.ApiId}: it is mapped to domain name ${mapped[0]!.domainName}. Delete the API mappings first.`);
        }
        deleteApiTx(c, ctx, input.ApiId);
      });
    },

    DeleteCorsConfiguration(input, ctx) {
      c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        if (api.protocolType !== 'HTTP') throw badRequest('CORS configuration is supported only for HTTP APIs.');
        const { corsConfiguration: _drop, ...rest } = api;
        c.gw.apis.putTx(apiKey(ctx, api.apiId), rest);
        autoDeployTx(c, ctx, api.apiId);
      });
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
