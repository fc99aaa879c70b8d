// WebSocket-only resources: models, route responses, integration responses. Stored and listed for
// WebSocket APIs (Wayfinder does not serve WebSocket traffic); HTTP APIs answer 400, as AWS does for
// features they do not have.
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations, IntegrationResponse, Model, RouteParameters, RouteResponse } from '../../protocol/generated/apigatewayv2.js';
import { childKey, type IntegrationResponseRecord, type ModelRecord, type RouteResponseRecord } from '../store.js';
import { badRequest, conflict, notFound, page, requireApi, requireIntegration, requireRoute, type GatewayOpsContext } from './common.js';

function requireWebSocket(c: GatewayOpsContext, ctx: RequestContext, apiId: string, what: string): void {
  const api = requireApi(c, ctx, apiId);
  if (api.protocolType !== 'WEBSOCKET') throw badRequest(`${what} are supported only for WebSocket APIs.`);
}

const modelWire = (m: ModelRecord): Model => ({ ContentType: m.contentType, Description: m.description, ModelId: m.modelId, Name: m.name, Schema: m.schema });

const routeResponseWire = (r: RouteResponseRecord): RouteResponse => ({
  ModelSelectionExpression: r.modelSelectionExpression,
  ResponseModels: r.responseModels,
  ResponseParameters: r.responseParameters
    ? (Object.fromEntries(Object.entries(r.responseParameters).map(([k, v]) => [k, { Required: v.required }])) as RouteParameters)
    : undefined,
  RouteResponseId: r.routeResponseId,
  RouteResponseKey: r.routeResponseKey,
});

const integrationResponseWire = (r: IntegrationResponseRecord): IntegrationResponse => ({
  ContentHandlingStrategy: r.contentHandlingStrategy as IntegrationResponse['ContentHandlingStrategy'],
  IntegrationResponseId: r.integrationResponseId,
  IntegrationResponseKey: r.integrationResponseKey,
  ResponseParameters: r.responseParameters,
  ResponseTemplates: r.responseTemplates,
  TemplateSelectionExpression: r.templateSelectionExpression,
});

function params(p: RouteParameters | undefined): RouteResponseRecord['responseParameters'] {
  return p ? Object.fromEntries(Object.entries(p).map(([k, v]) => [k, { required: v?.Required }])) : undefined;
}

export function websocketOperations(c: GatewayOpsContext) {
  const modelOf = (ctx: RequestContext, apiId: string, id: string) => {
    const m = c.gw.models.get(childKey(ctx, apiId, id));
    if (!m) throw notFound('Model', `Invalid Model identifier specified ${id}`);
    return m;
  };
  const rrKey = (ctx: RequestContext, apiId: string, routeId: string, id: string) => childKey(ctx, apiId, `${routeId}/${id}`);
  const rrOf = (ctx: RequestContext, apiId: string, routeId: string, id: string) => {
    const r = c.gw.routeResponses.get(rrKey(ctx, apiId, routeId, id));
    if (!r) throw notFound('RouteResponse', `Invalid RouteResponse identifier specified ${id}`);
    return r;
  };
  const irOf = (ctx: RequestContext, apiId: string, integrationId: string, id: string) => {
    const r = c.gw.integrationResponses.get(rrKey(ctx, apiId, integrationId, id));
    if (!r) throw notFound('IntegrationResponse', `Invalid IntegrationResponse identifier specified ${id}`);
    return r;
  };
  return {
    CreateModel(input, ctx: RequestContext) {
      return c.gw.store.withTx(() => {
        requireWebSocket(c, ctx, input.ApiId, 'Models');
        if (!/^[A-Za-z0-9]+$/.test(input.Name)) throw badRequest(`Invalid model name '${input.Name}': use letters and digits.`);
        if (c.gw.childrenOf(c.gw.models, ctx, input.ApiId).some((m) => m.name === input.Name)) throw conflict(`Model name already exists for this API: ${input.Name}`);
        const m: ModelRecord = {
          region: ctx.region,
          apiId: input.ApiId,
          modelId: alnum(6),
          name: input.Name,
          contentType: input.ContentType ?? 'application/json',
          description: input.Description,
          schema: input.Schema,
        };
        c.gw.models.putTx(childKey(ctx, input.ApiId, m.modelId), m);
        return modelWire(m);
      });
    },
    GetModel(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      return modelWire(modelOf(ctx, input.ApiId, input.ModelId));
    },
    GetModels(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      const p = page(c.gw.childrenOf(c.gw.models, ctx, input.ApiId), (m) => m.modelId, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(modelWire), NextToken: p.NextToken };
    },
    GetModelTemplate(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      modelOf(ctx, input.ApiId, input.ModelId);
      return { Value: "#set($inputRoot = $input.path('$'))\n$input.json('$')" };
    },
    UpdateModel(input, ctx) {
      return c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const m = modelOf(ctx, input.ApiId, input.ModelId);
        const next = {
          ...m,
          name: input.Name ?? m.name,
          contentType: input.ContentType ?? m.contentType,
          description: input.Description ?? m.description,
          schema: input.Schema ?? m.schema,
        };
        c.gw.models.putTx(childKey(ctx, input.ApiId, m.modelId), next);
        return modelWire(next);
      });
    },
    DeleteModel(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        modelOf(ctx, input.ApiId, input.ModelId);
        c.gw.models.deleteTx(childKey(ctx, input.ApiId, input.ModelId));
      });
    },

    CreateRouteResponse(input, ctx) {
      return c.gw.store.withTx(() => {
        requireWebSocket(c, ctx, input.ApiId, 'Route responses');
        requireRoute(c, ctx, input.ApiId, input.RouteId);
        const r: RouteResponseRecord = {
          region: ctx.region,
          apiId: input.ApiId,
          routeId: input.RouteId,
          routeResponseId: alnum(6),
          routeResponseKey: input.RouteResponseKey,
          modelSelectionExpression: input.ModelSelectionExpression,
          responseModels: input.ResponseModels,
          responseParameters: params(input.ResponseParameters),
        };
        c.gw.routeResponses.putTx(rrKey(ctx, input.ApiId, input.RouteId, r.routeResponseId), r);
        return routeResponseWire(r);
      });
    },
    GetRouteResponse(input, ctx) {
      requireRoute(c, ctx, requireApi(c, ctx, input.ApiId).apiId, input.RouteId);
      return routeResponseWire(rrOf(ctx, input.ApiId, input.RouteId, input.RouteResponseId));
    },
    GetRouteResponses(input, ctx) {
      requireRoute(c, ctx, requireApi(c, ctx, input.ApiId).apiId, input.RouteId);
      const all = c.gw.routeResponses.withPrefix(childKey(ctx, input.ApiId, `${input.RouteId}/`));
      const p = page(all, (r) => r.routeResponseId, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(routeResponseWire), NextToken: p.NextToken };
    },
    UpdateRouteResponse(input, ctx) {
      return c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const r = rrOf(ctx, input.ApiId, input.RouteId, input.RouteResponseId);
        const next: RouteResponseRecord = {
          ...r,
          routeResponseKey: input.RouteResponseKey ?? r.routeResponseKey,
          modelSelectionExpression: input.ModelSelectionExpression ?? r.modelSelectionExpression,
          responseModels: input.ResponseModels ?? r.responseModels,
          responseParameters: input.ResponseParameters ? params(input.ResponseParameters) : r.responseParameters,
        };
        c.gw.routeResponses.putTx(rrKey(ctx, input.ApiId, input.RouteId, r.routeResponseId), next);
        return routeResponseWire(next);
      });
    },
    DeleteRouteResponse(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        rrOf(ctx, input.ApiId, input.RouteId, input.RouteResponseId);
        c.gw.routeResponses.deleteTx(rrKey(ctx, input.ApiId, input.RouteId, input.RouteResponseId));
      });
    },

    CreateIntegrationResponse(input, ctx) {
      return c.gw.store.withTx(() => {
        requireWebSocket(c, ctx, input.ApiId, 'Integration responses');
        requireIntegration(c, ctx, input.ApiId, input.IntegrationId);
        const r: IntegrationResponseRecord = {
          region: ctx.region,
          apiId: input.ApiId,
          integrationId: input.IntegrationId,
          integrationResponseId: alnum(6),
          integrationResponseKey: input.IntegrationResponseKey,
          contentHandlingStrategy: input.ContentHandlingStrategy,
          responseParameters: input.ResponseParameters,
          responseTemplates: input.ResponseTemplates,
          templateSelectionExpression: input.TemplateSelectionExpression,
        };
        c.gw.integrationResponses.putTx(rrKey(ctx, input.ApiId, input.IntegrationId, r.integrationResponseId), r);
        return integrationResponseWire(r);
      });
    },
    GetIntegrationResponse(input, ctx) {
      requireIntegration(c, ctx, requireApi(c, ctx, input.ApiId).apiId, input.IntegrationId);
      return integrationResponseWire(irOf(ctx, input.ApiId, input.IntegrationId, input.IntegrationResponseId));
    },
    GetIntegrationResponses(input, ctx) {
      requireIntegration(c, ctx, requireApi(c, ctx, input.ApiId).apiId, input.IntegrationId);
      const all = c.gw.integrationResponses.withPrefix(childKey(ctx, input.ApiId, `${input.IntegrationId}/`));
      const p = page(all, (r) => r.integrationResponseId, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(integrationResponseWire), NextToken: p.NextToken };
    },
    UpdateIntegrationResponse(input, ctx) {
      return c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const r = irOf(ctx, input.ApiId, input.IntegrationId, input.IntegrationResponseId);
        const next: IntegrationResponseRecord = {
          ...r,
          integrationResponseKey: input.IntegrationResponseKey ?? r.integrationResponseKey,
          contentHandlingStrategy: input.ContentHandlingStrategy ?? r.contentHandlingStrategy,
          responseParameters: input.ResponseParameters ?? r.responseParameters,
          responseTemplates: input.ResponseTemplates ?? r.responseTemplates,
          templateSelectionExpression: input.TemplateSelectionExpression ?? r.templateSelectionExpression,
        };
        c.gw.integrationResponses.putTx(rrKey(ctx, input.ApiId, input.IntegrationId, r.integrationResponseId), next);
        return integrationResponseWire(next);
      });
    },
    DeleteIntegrationResponse(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        irOf(ctx, input.ApiId, input.IntegrationId, input.IntegrationResponseId);
        c.gw.integrationResponses.deleteTx(rrKey(ctx, input.ApiId, input.IntegrationId, input.IntegrationResponseId));
      });
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
