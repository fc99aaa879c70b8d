// Authorizers (docs/aws-behavior.md §2.7): JWT (one identity source, issuer URL — https, or http on loopback for
// local issuers such as Wayfinder's own — and 1–50 audiences) and REQUEST (Lambda; stored, answered
// honestly at invoke time). At most 10 per API (operations/quotas.ts). Every change auto-deploys; an
// authorizer a route uses cannot be deleted.
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations, Authorizer, JWTConfiguration } from '../../protocol/generated/apigatewayv2.js';
import { issuerUrlAllowed } from '../jwt/verifier.js';
import { childKey, type ApiRecord, type AuthorizerRecord } from '../store.js';
import { badRequest, conflict, page, requireApi, requireAuthorizer, type GatewayOpsContext } from './common.js';
import { autoDeployTx } from './deployments.js';
import { requireRoom } from './quotas.js';

const IDENTITY = /^\$request\.(header|querystring)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const REQUEST_IDENTITY = /^(\$request\.(header|querystring)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+|\$context\.[A-Za-z0-9_.]+|\$stageVariables\.[A-Za-z0-9_]+)$/;

export function authorizerWire(a: AuthorizerRecord): Authorizer {
  return {
    AuthorizerCredentialsArn: a.authorizerCredentialsArn,
    AuthorizerId: a.authorizerId,
    AuthorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
    AuthorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds,
    AuthorizerType: a.authorizerType,
    AuthorizerUri: a.authorizerUri,
    EnableSimpleResponses: a.enableSimpleResponses,
    IdentitySource: a.identitySource,
    IdentityValidationExpression: a.identityValidationExpression,
    JwtConfiguration: a.jwtConfiguration ? ({ Audience: a.jwtConfiguration.audience, Issuer: a.jwtConfiguration.issuer } as JWTConfiguration) : undefined,
    Name: a.name,
  };
}

export function validateAuthorizer(api: ApiRecord, a: AuthorizerRecord): void {
  if (a.authorizerType === 'JWT') {
    if (api.protocolType !== 'HTTP') throw badRequest('JWT authorizers are supported only for HTTP APIs.');
    if (a.identitySource.length !== 1 || !IDENTITY.test(a.identitySource[0]!)) {
      throw badRequest('A JWT authorizer takes exactly one identity source: $request.header.<name> or $request.querystring.<name>.');
    }
    const jwt = a.jwtConfiguration;
    if (!jwt?.issuer) throw badRequest('JwtConfiguration.Issuer is required for JWT authorizers.');
    if (!issuerUrlAllowed(jwt.issuer)) throw badRequest(`Invalid issuer '${jwt.issuer}': use an https URL (http is accepted only for loopback issuers).`);
    if (!jwt.audience?.length) throw badRequest('JwtConfiguration.Audience must have at least one entry for JWT authorizers.');
    if (jwt.audience.length > 50) throw badRequest('JwtConfiguration.Audience can have at most 50 entries.');
    if (a.authorizerUri !== undefined) throw badRequest('AuthorizerUri is not supported for JWT authorizers.');
    return;
  }
  if (!a.authorizerUri) throw badRequest('AuthorizerUri is required for REQUEST authorizers.');
  if (api.protocolType === 'HTTP') {
    if (a.authorizerPayloadFormatVersion !== '1.0' && a.authorizerPayloadFormatVersion !== '2.0') {
      throw badRequest('AuthorizerPayloadFormatVersion is required for REQUEST authorizers of HTTP APIs: 1.0 or 2.0.');
    }
    if (a.enableSimpleResponses && a.authorizerPayloadFormatVersion !== '2.0') throw badRequest('EnableSimpleResponses is supported only with payload format version 2.0.');
  }
  if ((a.authorizerResultTtlInSeconds ?? 0) > 0 && !a.identitySource.length) throw badRequest('IdentitySource is required when authorizer result caching is enabled.');
  for (const s of a.identitySource) if (!REQUEST_IDENTITY.test(s)) throw badRequest(`Invalid identity source '${s}'.`);
  if (a.jwtConfiguration) throw badRequest('JwtConfiguration is supported only for JWT authorizers.');
}

export function authorizerOperations(c: GatewayOpsContext) {
  return {
    CreateAuthorizer(input, ctx: RequestContext) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        requireRoom(c, ctx, api.apiId, 'Authorizers');
        const a: AuthorizerRecord = {
          region: ctx.region,
          apiId: api.apiId,
          authorizerId: alnum(6),
          name: input.Name,
          authorizerType: input.AuthorizerType,
          identitySource: input.IdentitySource ?? [],
          jwtConfiguration: input.JwtConfiguration ? { issuer: input.JwtConfiguration.Issuer, audience: input.JwtConfiguration.Audience } : undefined,
          authorizerUri: input.AuthorizerUri,
          authorizerCredentialsArn: input.AuthorizerCredentialsArn,
          authorizerPayloadFormatVersion: input.AuthorizerPayloadFormatVersion,
          authorizerResultTtlInSeconds: input.AuthorizerType === 'REQUEST' ? (input.AuthorizerResultTtlInSeconds ?? 0) : undefined,
          enableSimpleResponses: input.AuthorizerType === 'REQUEST' ? (input.EnableSimpleResponses ?? false) : undefined,
          identityValidationExpression: input.IdentityValidationExpression,
        };
        validateAuthorizer(api, a);
        c.gw.authorizers.putTx(childKey(ctx, api.apiId, a.authorizerId), a);
        autoDeployTx(c, ctx, api.apiId);
        return authorizerWire(a);
      });
    },

    GetAuthorizer(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      return authorizerWire(requireAuthorizer(c, ctx, input.ApiId, input.AuthorizerId));
    },

    GetAuthorizers(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      const p = page(c.gw.childrenOf(c.gw.authorizers, ctx, input.ApiId), (a) => a.authorizerId, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(authorizerWire), NextToken: p.NextToken };
    },

    UpdateAuthorizer(input, ctx) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        const a = requireAuthorizer(c, ctx, input.ApiId, input.AuthorizerId);
        const next: AuthorizerRecord = {
          ...a,
          name: input.Name ?? a.name,
          authorizerType: input.AuthorizerType ?? a.authorizerType,
          identitySource: input.IdentitySource ?? a.identitySource,
          jwtConfiguration: input.JwtConfiguration
            ? { issuer: input.JwtConfiguration.Issuer ?? a.jwtConfiguration?.issuer, audience: input.JwtConfiguration.Audience ?? a.jwtConfiguration?.audience }
            : a.jwtConfiguration,
          authorizerUri: input.AuthorizerUri ?? a.authorizerUri,
          authorizerCredentialsArn: input.AuthorizerCredentialsArn ?? a.authorizerCredentialsArn,
          authorizerPayloadFormatVersion: input.AuthorizerPayloadFormatVersion ?? a.authorizerPayloadFormatVersion,
          authorizerResultTtlInSeconds: input.AuthorizerResultTtlInSeconds ?? a.authorizerResultTtlInSeconds,
          enableSimpleResponses: input.EnableSimpleResponses ?? a.enableSimpleResponses,
          identityValidationExpression: input.IdentityValidationExpression ?? a.identityValidationExpression,
        };
        validateAuthorizer(api, next);
        if (next.authorizerType !== a.authorizerType) {
          const user = c.gw.childrenOf(c.gw.routes, ctx, input.ApiId).find((r) => r.authorizerId === a.authorizerId);
          if (user) throw conflict(`Authorizer ${a.authorizerId} is used by route ${user.routeKey}; its type cannot change.`);
        }
        c.gw.authorizers.putTx(childKey(ctx, api.apiId, a.authorizerId), next);
        autoDeployTx(c, ctx, api.apiId);
        return authorizerWire(next);
      });
    },

    DeleteAuthorizer(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const a = requireAuthorizer(c, ctx, input.ApiId, input.AuthorizerId);
        const user = c.gw.childrenOf(c.gw.routes, ctx, input.ApiId).find((r) => r.authorizerId === a.authorizerId);
        if (user) throw conflict(`Authorizer ${a.authorizerId} is used by route ${user.routeKey} (${user.routeId}); change the route first.`);
        c.gw.authorizers.deleteTx(childKey(ctx, input.ApiId, a.authorizerId));
        autoDeployTx(c, ctx, input.ApiId);
      });
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
