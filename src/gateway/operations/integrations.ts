// Integrations (docs/aws-behavior.md §2.4): HTTP_PROXY to a URL (may hold `{var}` and `${stageVariables.x}`), or
// through a VPC link to a Cloud Map service ARN with optional `?attr=value` filters; AWS_PROXY
// (Lambda) is stored. Timeouts 50–30000 ms (default 30000), payload format 1.0 for HTTP_PROXY,
// request/response parameter mapping checked here (reserved headers → 400). Every change
// auto-deploys; an integration a route still targets cannot be deleted.
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations, Integration, TlsConfig } from '../../protocol/generated/apigatewayv2.js';
import { compileRequestMapping, compileResponseMapping, MappingError } from '../mapping.js';
import { isListenerArn, parseCloudMapUri, parseUriTemplate, parseUrl } from '../snapshot.js';
import { childKey, type ApiRecord, type IntegrationRecord } from '../store.js';
import { badRequest, conflict, page, requireApi, requireIntegration, requireVpcLink, toPascal, type GatewayOpsContext } from './common.js';
import { autoDeployTx } from './deployments.js';
import { requireRoom } from './quotas.js';

const HTTP_TYPES = new Set(['HTTP_PROXY', 'AWS_PROXY']);
const METHODS = new Set(['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function integrationWire(i: IntegrationRecord): Integration {
  return {
    ApiGatewayManaged: i.apiGatewayManaged,
    ConnectionId: i.connectionId,
    ConnectionType: i.connectionType,
    ContentHandlingStrategy: i.contentHandlingStrategy as Integration['ContentHandlingStrategy'],
    CredentialsArn: i.credentialsArn,
    Description: i.description,
    IntegrationId: i.integrationId,
    IntegrationMethod: i.integrationMethod,
    IntegrationSubtype: i.integrationSubtype,
    IntegrationType: i.integrationType as Integration['IntegrationType'],
    IntegrationUri: i.integrationUri,
    PassthroughBehavior: i.passthroughBehavior as Integration['PassthroughBehavior'],
    PayloadFormatVersion: i.payloadFormatVersion,
    RequestParameters: i.requestParameters,
    RequestTemplates: i.requestTemplates,
    ResponseParameters: i.responseParameters,
    TemplateSelectionExpression: i.templateSelectionExpression,
    TimeoutInMillis: i.timeoutInMillis,
    TlsConfig: toPascal<TlsConfig>(i.tlsConfig),
  };
}

/** Checks a full integration record against its API; throws AWS's 400/404. */
export function validateIntegration(c: GatewayOpsContext, ctx: RequestContext, api: ApiRecord, i: IntegrationRecord): void {
  if (api.protocolType !== 'HTTP') {
    if (i.connectionType === 'VPC_LINK' && i.connectionId) requireVpcLink(c, ctx, i.connectionId);
    return;
  }
  if (!HTTP_TYPES.has(i.integrationType)) throw badRequest(`Integration type ${i.integrationType} is not supported for HTTP APIs. Use HTTP_PROXY or AWS_PROXY.`);
  // The model checks 50–30000 on Create/UpdateIntegration; imports reach here without it, and 0 would mean "never time out".
  if (i.timeoutInMillis !== undefined && (!Number.isInteger(i.timeoutInMillis) || i.timeoutInMillis < 50 || i.timeoutInMillis > 30000)) {
    throw badRequest(`Invalid timeout ${i.timeoutInMillis}: timeoutInMillis must be between 50 and 30000 milliseconds.`);
  }
  const uri = i.integrationUri;
  if (!uri) throw badRequest('IntegrationUri is required for HTTP APIs.');
  if (i.integrationType === 'HTTP_PROXY') {
    if (!i.integrationMethod) throw badRequest('IntegrationMethod is required for HTTP_PROXY integrations.');
    if (!METHODS.has(i.integrationMethod.toUpperCase())) throw badRequest(`Invalid integration method '${i.integrationMethod}'.`);
    if (i.payloadFormatVersion !== '1.0') throw badRequest(`Invalid payload format version '${i.payloadFormatVersion}': HTTP_PROXY integrations support only 1.0.`);
    if (i.connectionType === 'VPC_LINK') {
      if (!i.connectionId) throw badRequest('ConnectionId (a VPC link id) is required when ConnectionType is VPC_LINK.');
      requireVpcLink(c, ctx, i.connectionId);
      if (!parseCloudMapUri(uri) && !isListenerArn(uri)) {
        throw badRequest(
          `Invalid integration URI '${uri}': private integrations take a Cloud Map service ARN (arn:aws:servicediscovery:…:service/srv-…) or an ALB/NLB listener ARN.`,
        );
      }
      const [, , , arnRegion, arnAccount] = uri.split(':');
      if (arnRegion !== ctx.region || arnAccount !== ctx.accountId) {
        throw badRequest(`Invalid integration URI '${uri}': the target must be in this account and region (${ctx.accountId}, ${ctx.region}).`);
      }
    } else {
      if (i.connectionId) throw badRequest('ConnectionId can be set only when ConnectionType is VPC_LINK.');
      // Placeholders may hold anything (host names from stage variables): check the shape around them.
      const probe = parseUriTemplate(uri)
        .map((p) => (p.kind === 'text' ? p.text : 'x'))
        .join('');
      if (!parseUrl(probe)) throw badRequest(`Invalid HTTP endpoint specified for URI: '${uri}'. Use an http:// or https:// URL.`);
    }
  } else {
    if (i.payloadFormatVersion !== '1.0' && i.payloadFormatVersion !== '2.0') throw badRequest('PayloadFormatVersion is required for AWS_PROXY integrations: 1.0 or 2.0.');
    if (i.connectionType === 'VPC_LINK') throw badRequest('AWS_PROXY integrations cannot use a VPC link.');
  }
  try {
    compileRequestMapping(i.requestParameters);
    compileResponseMapping(i.responseParameters);
  } catch (e) {
    if (e instanceof MappingError) throw badRequest(e.message);
    throw e;
  }
}

type Mappings = Record<string, string>;

/**
 * UpdateIntegration's requestParameters change the stored ones key by key: a value sets the key, ""
 * removes it (docs/aws-behavior.md §2.4). No mapping left is no requestParameters.
 */
function updatedRequestParameters(stored: Mappings | undefined, update: Mappings | undefined): Mappings | undefined {
  if (!update) return stored;
  const next: Mappings = { ...stored };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return Object.keys(next).length ? next : undefined;
}

/** responseParameters change status code by status code: a map replaces that code's mappings, {} removes them. */
function updatedResponseParameters(stored: Record<string, Mappings> | undefined, update: Record<string, Mappings> | undefined): Record<string, Mappings> | undefined {
  if (!update) return stored;
  const next: Record<string, Mappings> = { ...stored };
  for (const [status, mappings] of Object.entries(update)) {
    const kept = Object.fromEntries(Object.entries(mappings).filter(([, value]) => value !== ''));
    if (Object.keys(kept).length) next[status] = kept;
    else delete next[status];
  }
  return Object.keys(next).length ? next : undefined;
}

/** An empty tlsConfig ({}, what the provider sends when the block is removed) means none. */
function tlsConfigOf(input: { ServerNameToVerify?: string } | undefined): IntegrationRecord['tlsConfig'] {
  return input?.ServerNameToVerify ? { serverNameToVerify: input.ServerNameToVerify } : undefined;
}

export function integrationOperations(c: GatewayOpsContext) {
  return {
    CreateIntegration(input, ctx: RequestContext) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        const http = api.protocolType === 'HTTP';
        const i: IntegrationRecord = {
          region: ctx.region,
          apiId: api.apiId,
          integrationId: alnum(7),
          integrationType: input.IntegrationType,
          integrationUri: input.IntegrationUri,
          integrationMethod: input.IntegrationMethod,
          integrationSubtype: input.IntegrationSubtype,
          connectionType: input.ConnectionType ?? 'INTERNET',
          connectionId: input.ConnectionId,
          payloadFormatVersion: input.PayloadFormatVersion ?? (http && input.IntegrationType === 'HTTP_PROXY' ? '1.0' : http ? undefined : '1.0'),
          timeoutInMillis: input.TimeoutInMillis ?? (http ? 30000 : 29000),
          requestParameters: input.RequestParameters,
          responseParameters: input.ResponseParameters,
          requestTemplates: input.RequestTemplates,
          templateSelectionExpression: input.TemplateSelectionExpression,
          tlsConfig: tlsConfigOf(input.TlsConfig),
          description: input.Description,
          credentialsArn: input.CredentialsArn,
          contentHandlingStrategy: input.ContentHandlingStrategy,
          passthroughBehavior: input.PassthroughBehavior,
        };
        validateIntegration(c, ctx, api, i);
        requireRoom(c, ctx, api.apiId, 'Integrations');
        c.gw.integrations.putTx(childKey(ctx, api.apiId, i.integrationId), i);
        autoDeployTx(c, ctx, api.apiId);
        return integrationWire(i);
      });
    },

    GetIntegration(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      return integrationWire(requireIntegration(c, ctx, input.ApiId, input.IntegrationId));
    },

    GetIntegrations(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      const p = page(c.gw.childrenOf(c.gw.integrations, ctx, input.ApiId), (i) => i.integrationId, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(integrationWire), NextToken: p.NextToken };
    },

    UpdateIntegration(input, ctx) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        const i = requireIntegration(c, ctx, input.ApiId, input.IntegrationId);
        if (i.apiGatewayManaged) throw badRequest(`Integration ${i.integrationId} is managed by API Gateway (quick create); update the API instead.`);
        const next: IntegrationRecord = {
          ...i,
          integrationType: input.IntegrationType ?? i.integrationType,
          integrationUri: input.IntegrationUri ?? i.integrationUri,
          integrationMethod: input.IntegrationMethod ?? i.integrationMethod,
          integrationSubtype: input.IntegrationSubtype ?? i.integrationSubtype,
          connectionType: input.ConnectionType ?? i.connectionType,
          connectionId: input.ConnectionId ?? i.connectionId,
          payloadFormatVersion: input.PayloadFormatVersion ?? i.payloadFormatVersion,
          timeoutInMillis: input.TimeoutInMillis ?? i.timeoutInMillis,
          requestParameters: updatedRequestParameters(i.requestParameters, input.RequestParameters),
          responseParameters: updatedResponseParameters(i.responseParameters, input.ResponseParameters),
          requestTemplates: input.RequestTemplates ?? i.requestTemplates,
          templateSelectionExpression: input.TemplateSelectionExpression ?? i.templateSelectionExpression,
          tlsConfig: input.TlsConfig ? tlsConfigOf(input.TlsConfig) : i.tlsConfig,
          description: input.Description ?? i.description,
          credentialsArn: input.CredentialsArn ?? i.credentialsArn,
          contentHandlingStrategy: input.ContentHandlingStrategy ?? i.contentHandlingStrategy,
          passthroughBehavior: input.PassthroughBehavior ?? i.passthroughBehavior,
        };
        if ((input.ConnectionType === 'INTERNET' && input.ConnectionId === undefined) || input.ConnectionId === '') next.connectionId = undefined;
        validateIntegration(c, ctx, api, next);
        c.gw.integrations.putTx(childKey(ctx, api.apiId, i.integrationId), next);
        autoDeployTx(c, ctx, api.apiId);
        return integrationWire(next);
      });
    },

    DeleteIntegration(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const i = requireIntegration(c, ctx, input.ApiId, input.IntegrationId);
        if (i.apiGatewayManaged) throw badRequest(`Integration ${i.integrationId} is managed by API Gateway (quick create); delete the API instead.`);
        const user = c.gw.childrenOf(c.gw.routes, ctx, input.ApiId).find((r) => r.target === `integrations/${i.integrationId}`);
        if (user) throw conflict(`Integration ${i.integrationId} is the target of route ${user.routeKey} (${user.routeId}); change or delete the route first.`);
        for (const ir of c.gw.integrationResponses.withPrefix(childKey(ctx, input.ApiId, `${i.integrationId}/`))) {
          c.gw.integrationResponses.deleteTx(childKey(ctx, input.ApiId, `${i.integrationId}/${ir.integrationResponseId}`));
        }
        c.gw.integrations.deleteTx(childKey(ctx, input.ApiId, i.integrationId));
        autoDeployTx(c, ctx, input.ApiId);
      });
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
