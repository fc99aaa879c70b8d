// ImportApi / ReimportApi (OpenAPI 3, JSON or YAML) and ExportApi (OAS30 as JSON or YAML, the current
// configuration or a stage's deployed snapshot). Parts of a definition that cannot be imported become
// warnings (or a 400 with failOnWarnings), as AWS does. Parsing, the quota check (a definition over
// 300 routes, 300 integrations or 10 authorizers is refused whole) and YAML writing run in a worker
// thread (openapi-off-loop.ts); what is left here is one transaction with a constant cost per item.
import { AwsError } from '../../kernel/errors.js';
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations } from '../../protocol/generated/apigatewayv2.js';
import { exportOpenApi, limitWarnings, type ImportedApi } from '../openapi.js';
import { parseDefinition, toYaml } from '../openapi-off-loop.js';
import { apiKey, childKey, type ApiRecord, type AuthorizerRecord, type IntegrationRecord, type RouteRecord } from '../store.js';
import { apiWire, corsRecord, HTTP_ROUTE_SELECTION } from './apis.js';
import { validateAuthorizer } from './authorizers.js';
import { apiEndpoint, badRequest, freshApiId, requireApi, requireDeployment, requireStage, type GatewayOpsContext } from './common.js';
import { autoDeployTx } from './deployments.js';
import { validateIntegration } from './integrations.js';
import { validateRoute } from './routes.js';
import type { Scope } from '../../store/store.js';

/** Stores an imported definition into an API (whose previous routes etc. are already gone). */
function storeDefinitionTx(c: GatewayOpsContext, ctx: RequestContext, api: ApiRecord, def: ImportedApi, failOnWarnings: boolean): string[] {
  const warnings = [...def.warnings];
  const attempt = (what: string, fn: () => void): boolean => {
    try {
      fn();
      return true;
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      warnings.push(`${what}: ${e.message}`);
      return false;
    }
  };
  const authorizers = new Map<string, AuthorizerRecord>();
  for (const a of def.authorizers) {
    const rec: AuthorizerRecord = { ...a.record, region: ctx.region, apiId: api.apiId, authorizerId: alnum(6), name: a.name };
    if (attempt(`authorizer ${a.name}`, () => validateAuthorizer(api, rec))) {
      c.gw.authorizers.putTx(childKey(ctx, api.apiId, rec.authorizerId), rec);
      authorizers.set(a.name, rec);
    }
  }
  // Route keys stored so far (the API's other routes are gone): the duplicate check without re-reading them per route.
  const routeIdsByKey = new Map<string, string>();
  for (const r of def.routes) {
    let target: string | undefined;
    if (r.integration) {
      const integ: IntegrationRecord = { ...r.integration, region: ctx.region, apiId: api.apiId, integrationId: alnum(7) };
      if (attempt(`integration of ${r.routeKey}`, () => validateIntegration(c, ctx, api, integ))) {
        c.gw.integrations.putTx(childKey(ctx, api.apiId, integ.integrationId), integ);
        target = `integrations/${integ.integrationId}`;
      }
    }
    const authorizer = r.authorizerName ? authorizers.get(r.authorizerName) : undefined;
    const authorizerId = authorizer?.authorizerId;
    const authType = authorizer ? (authorizer.authorizerType === 'JWT' ? 'JWT' : 'CUSTOM') : 'NONE';
    const route: RouteRecord = {
      region: ctx.region,
      apiId: api.apiId,
      routeId: alnum(7),
      routeKey: r.routeKey,
      target,
      authorizationType: authType,
      authorizerId,
      authorizationScopes: authType === 'JWT' && r.scopes?.length ? r.scopes : undefined,
      apiKeyRequired: false,
      operationName: r.operationName,
    };
    if (attempt(`route ${r.routeKey}`, () => validateRoute(c, api, route, routeIdsByKey))) {
      c.gw.routes.putTx(childKey(ctx, api.apiId, route.routeId), route);
      routeIdsByKey.set(route.routeKey, route.routeId);
    }
  }
  const kept = limitWarnings(warnings, def.omittedWarnings);
  if (failOnWarnings && kept.length) throw badRequest(`Warnings found during import:\n\t${kept.join('\n\t')}`);
  return kept;
}

function clearDefinitionTx(c: GatewayOpsContext, scope: Scope, apiId: string): void {
  const g = c.gw;
  for (const r of g.childrenOf(g.routes, scope, apiId)) g.routes.deleteTx(childKey(scope, apiId, r.routeId));
  for (const i of g.childrenOf(g.integrations, scope, apiId)) g.integrations.deleteTx(childKey(scope, apiId, i.integrationId));
  for (const a of g.childrenOf(g.authorizers, scope, apiId)) g.authorizers.deleteTx(childKey(scope, apiId, a.authorizerId));
}

export function importExportOperations(c: GatewayOpsContext) {
  return {
    async ImportApi(input, ctx: RequestContext) {
      const def = await parseDefinition(input.Body);
      return c.gw.store.withTx(() => {
        const apiId = freshApiId(c);
        const api: ApiRecord = {
          region: ctx.region,
          accountId: ctx.accountId,
          apiId,
          name: def.name,
          protocolType: 'HTTP',
          description: def.description,
          version: def.version,
          routeSelectionExpression: HTTP_ROUTE_SELECTION,
          apiKeySelectionExpression: '$request.header.x-api-key',
          disableExecuteApiEndpoint: false,
          corsConfiguration: corsRecord(def.cors as never, 'HTTP'),
          tags: {},
          createdAt: c.now(),
        };
        c.gw.apis.putTx(apiKey(ctx, apiId), api);
        const warnings = storeDefinitionTx(c, ctx, api, def, input.FailOnWarnings ?? false);
        const saved = { ...api, warnings: warnings.length ? warnings : undefined };
        c.gw.apis.putTx(apiKey(ctx, apiId), saved);
        return apiWire(saved, c.port());
      });
    },

    async ReimportApi(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      const def = await parseDefinition(input.Body);
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        if (api.protocolType !== 'HTTP') throw badRequest('Reimport is supported only for HTTP APIs.');
        clearDefinitionTx(c, ctx, api.apiId);
        const next: ApiRecord = {
          ...api,
          name: def.name,
          description: def.description ?? api.description,
          version: def.version ?? api.version,
          corsConfiguration: def.cors ? corsRecord(def.cors as never, 'HTTP') : undefined,
          quickCreate: undefined,
        };
        const warnings = storeDefinitionTx(c, ctx, next, def, input.FailOnWarnings ?? false);
        next.warnings = warnings.length ? warnings : undefined;
        c.gw.apis.putTx(apiKey(ctx, api.apiId), next);
        autoDeployTx(c, ctx, api.apiId);
        return apiWire(next, c.port());
      });
    },

    async ExportApi(input, ctx) {
      const api = requireApi(c, ctx, input.ApiId);
      if (api.protocolType !== 'HTTP') throw badRequest('Export is supported only for HTTP APIs.');
      if (input.ExportVersion !== undefined && input.ExportVersion !== '1.0') throw badRequest(`Invalid export version '${input.ExportVersion}': use 1.0.`);
      let source: { routes: RouteRecord[]; integrations: IntegrationRecord[]; authorizers: AuthorizerRecord[]; cors: ApiRecord['corsConfiguration'] };
      if (input.StageName !== undefined) {
        const stage = requireStage(c, ctx, api.apiId, input.StageName);
        if (!stage.deploymentId) throw badRequest(`Stage ${input.StageName} has no deployment to export.`);
        const snap = requireDeployment(c, ctx, api.apiId, stage.deploymentId).snapshot;
        source = { routes: snap.routes, integrations: snap.integrations, authorizers: snap.authorizers, cors: snap.api.corsConfiguration };
      } else {
        source = {
          routes: c.gw.childrenOf(c.gw.routes, ctx, api.apiId),
          integrations: c.gw.childrenOf(c.gw.integrations, ctx, api.apiId),
          authorizers: c.gw.childrenOf(c.gw.authorizers, ctx, api.apiId),
          cors: api.corsConfiguration,
        };
      }
      const doc = exportOpenApi({
        name: api.name,
        version: api.version,
        description: api.description,
        createdAt: api.createdAt,
        serverUrl: apiEndpoint(api, c.port()),
        stageName: input.StageName,
        ...source,
        includeExtensions: input.IncludeExtensions ?? true,
      });
      if (input.OutputType === 'YAML') return { body: Buffer.from(await toYaml(doc)) };
      return { body: Buffer.from(JSON.stringify(doc, null, 2)) };
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
