// Stages (docs/aws-behavior.md §2.5): `$default` and named stages, autoDeploy (a deployment right away when the API has
// routes; deploymentId cannot be set with it), stage variables, default and per-route throttling
// (not above the account limits), access log settings (a log group ARN and a format with
// $context.requestId). Stage settings apply without a deployment.
import type { RequestContext } from '../../protocol/handlers.js';
import type { AccessLogSettings, ApiGatewayV2Operations, RouteSettings, RouteSettingsMap, Stage } from '../../protocol/generated/apigatewayv2.js';
import { FormatError, validateFormat } from '../access-log-format.js';
import { parseRouteKey, RouteKeyError } from '../route-key.js';
import { childKey, type AccessLogSettingsRecord, type ApiRecord, type RouteSettingsRecord, type StageRecord } from '../store.js';
import { badRequest, checkTags, conflict, notFound, page, requireApi, requireDeployment, requireStage, toCamel, toPascal, type GatewayOpsContext, wireDate } from './common.js';
import { autoDeployStageTx } from './deployments.js';
import { requireRoom } from './quotas.js';
import { scopePrefix } from '../../store/store.js';

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const VAR_NAME = /^[A-Za-z0-9_]{1,64}$/;
const VAR_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]{1,512}$/;
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:]+(:\*)?$/;

export function stageWire(s: StageRecord): Stage {
  return {
    AccessLogSettings: toPascal<AccessLogSettings>(s.accessLogSettings as Record<string, unknown> | undefined),
    ApiGatewayManaged: s.apiGatewayManaged,
    AutoDeploy: s.autoDeploy,
    ClientCertificateId: s.clientCertificateId,
    CreatedDate: wireDate(s.createdAt),
    DefaultRouteSettings: toPascal<RouteSettings>(s.defaultRouteSettings as Record<string, unknown>),
    DeploymentId: s.deploymentId,
    Description: s.description,
    LastDeploymentStatusMessage: s.autoDeploy ? s.lastDeploymentStatusMessage : undefined,
    LastUpdatedDate: wireDate(s.lastUpdatedAt),
    RouteSettings: Object.fromEntries(Object.entries(s.routeSettings).map(([k, v]) => [k, toPascal<RouteSettings>(v as Record<string, unknown>)!])) as RouteSettingsMap,
    StageName: s.stageName,
    StageVariables: s.stageVariables,
    Tags: s.tags,
  };
}

function checkStageName(api: ApiRecord, name: string): void {
  if (name === '$default' ? api.protocolType !== 'HTTP' : !STAGE_NAME.test(name)) {
    throw badRequest(`Invalid stage name '${name}': use letters, digits, '-' and '_' (HTTP APIs also allow '$default').`);
  }
}

function checkVariables(vars: Record<string, string>): void {
  if (Object.keys(vars).length > 100) throw badRequest('A stage can have at most 100 stage variables.');
  for (const [k, v] of Object.entries(vars)) {
    if (!VAR_NAME.test(k)) throw badRequest(`Invalid stage variable name '${k.slice(0, 80)}': use letters, digits and '_', at most 64 characters.`);
    if (!VAR_VALUE.test(v)) throw badRequest(`Invalid value for stage variable '${k}': at most 512 characters of [A-Za-z0-9-._~:/?#&=,].`);
  }
}

function settingsRecord(c: GatewayOpsContext, s: RouteSettings, what: string): RouteSettingsRecord {
  const rec = toCamel<RouteSettingsRecord>(s)!;
  const { rate, burst } = c.limits;
  if (rec.throttlingRateLimit !== undefined && !(rec.throttlingRateLimit >= 0 && rec.throttlingRateLimit <= rate)) {
    // NaN too
    throw badRequest(`Invalid ThrottlingRateLimit ${rec.throttlingRateLimit} in ${what}: must be from 0 to the account limit ${rate}.`);
  }
  if (rec.throttlingBurstLimit !== undefined && (rec.throttlingBurstLimit < 0 || rec.throttlingBurstLimit > burst)) {
    throw badRequest(`Invalid ThrottlingBurstLimit ${rec.throttlingBurstLimit} in ${what}: must be from 0 to the account limit ${burst}.`);
  }
  return rec;
}

/**
 * Route settings are per route of the API: as AWS, a key naming no route is a 404 ("Unable to find
 * Route by key … within the provided RouteSettings"). That also bounds a stage's route settings by
 * the routes quota: unchecked, one UpdateStage of 50,000 keys blocked the loop for 600 ms, and every
 * later change to the API paid again to rebuild the stage's throttling buckets.
 */
function routeSettingsRecord(
  c: GatewayOpsContext,
  api: ApiRecord,
  map: RouteSettingsMap | undefined,
  base: Record<string, RouteSettingsRecord>,
): Record<string, RouteSettingsRecord> {
  const out = { ...base };
  const entries = Object.entries(map ?? {});
  if (!entries.length) return out;
  const routeKeys = new Set(c.gw.childrenOf(c.gw.routes, api, api.apiId).map((r) => r.routeKey));
  for (const [key, s] of entries) {
    if (api.protocolType === 'HTTP') {
      try {
        parseRouteKey(key);
      } catch (e) {
        if (e instanceof RouteKeyError) throw badRequest(`Invalid route settings key: ${e.message}`);
        throw e;
      }
    }
    if (!routeKeys.has(key)) throw notFound('Route', `Unable to find Route by key ${key.slice(0, 300)} within the provided RouteSettings`);
    out[key] = { ...(out[key] ?? {}), ...settingsRecord(c, s, `route settings for ${key}`) };
  }
  // Settings kept for routes since deleted or renamed would let the map grow past the routes quota,
  // one create-settle-delete cycle at a time: an update keeps only keys that name a route.
  for (const key of Object.keys(out)) if (!routeKeys.has(key)) delete out[key];
  return out;
}

function accessLogRecord(s: AccessLogSettings | undefined): AccessLogSettingsRecord | undefined {
  if (!s) return undefined;
  if (!s.DestinationArn || !s.Format) throw badRequest('Access log settings need both DestinationArn and Format.');
  if (!LOG_GROUP_ARN.test(s.DestinationArn))
    throw badRequest(`Invalid access log destination '${s.DestinationArn}': use a CloudWatch Logs log group ARN (arn:aws:logs:{region}:{account}:log-group:{name}).`);
  try {
    validateFormat(s.Format);
  } catch (e) {
    if (e instanceof FormatError) throw badRequest(e.message);
    throw e;
  }
  return { destinationArn: s.DestinationArn.replace(/:\*$/, ''), format: s.Format };
}

export function stageOperations(c: GatewayOpsContext) {
  return {
    CreateStage(input, ctx: RequestContext) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        checkStageName(api, input.StageName);
        if (c.gw.stages.has(childKey(ctx, api.apiId, input.StageName))) throw conflict(`Stage ${input.StageName} already exists`);
        // A quick-create API's managed $default stage counts: it leaves room for 9 more.
        requireRoom(c, ctx, api.apiId, 'Stages');
        const autoDeploy = input.AutoDeploy ?? false;
        if (autoDeploy && input.DeploymentId !== undefined) throw badRequest('DeploymentId cannot be set when AutoDeploy is true.');
        if (input.DeploymentId !== undefined) requireDeployment(c, ctx, api.apiId, input.DeploymentId);
        const vars = input.StageVariables ?? {};
        checkVariables(vars);
        const now = c.now();
        const s: StageRecord = {
          region: ctx.region,
          apiId: api.apiId,
          stageName: input.StageName,
          autoDeploy,
          deploymentId: input.DeploymentId,
          description: input.Description,
          clientCertificateId: input.ClientCertificateId,
          stageVariables: vars,
          defaultRouteSettings: { detailedMetricsEnabled: false, ...(input.DefaultRouteSettings ? settingsRecord(c, input.DefaultRouteSettings, 'default route settings') : {}) },
          routeSettings: routeSettingsRecord(c, api, input.RouteSettings, {}),
          accessLogSettings: accessLogRecord(input.AccessLogSettings),
          tags: checkTags(input.Tags),
          createdAt: now,
          lastUpdatedAt: now,
        };
        const saved = autoDeploy ? autoDeployStageTx(c, api, s) : (c.gw.stages.putTx(childKey(ctx, api.apiId, s.stageName), s), s);
        return stageWire(saved);
      });
    },

    GetStage(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      return stageWire(requireStage(c, ctx, input.ApiId, input.StageName));
    },

    GetStages(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      const p = page(c.gw.childrenOf(c.gw.stages, ctx, input.ApiId), (s) => s.stageName, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(stageWire), NextToken: p.NextToken };
    },

    UpdateStage(input, ctx) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        const s = requireStage(c, ctx, input.ApiId, input.StageName);
        const autoDeploy = input.AutoDeploy ?? s.autoDeploy;
        if (autoDeploy && input.DeploymentId !== undefined) throw badRequest('DeploymentId cannot be set when AutoDeploy is true.');
        if (input.DeploymentId !== undefined) requireDeployment(c, ctx, api.apiId, input.DeploymentId);
        // Variables change one by one; "" removes one, as hashicorp/aws does for a variable it drops (§2.5).
        const vars = input.StageVariables
          ? Object.fromEntries(Object.entries({ ...s.stageVariables, ...input.StageVariables }).filter(([, value]) => value !== ''))
          : s.stageVariables;
        checkVariables(vars);
        const next: StageRecord = {
          ...s,
          autoDeploy,
          deploymentId: input.DeploymentId ?? s.deploymentId,
          description: input.Description ?? s.description,
          clientCertificateId: input.ClientCertificateId ?? s.clientCertificateId,
          stageVariables: vars,
          defaultRouteSettings: input.DefaultRouteSettings
            ? { ...s.defaultRouteSettings, ...settingsRecord(c, input.DefaultRouteSettings, 'default route settings') }
            : s.defaultRouteSettings,
          routeSettings: routeSettingsRecord(c, api, input.RouteSettings, s.routeSettings),
          accessLogSettings: input.AccessLogSettings ? accessLogRecord(input.AccessLogSettings) : s.accessLogSettings,
          lastUpdatedAt: c.now(),
        };
        const saved = autoDeploy && !s.autoDeploy ? autoDeployStageTx(c, api, next) : (c.gw.stages.putTx(childKey(ctx, api.apiId, s.stageName), next), next);
        return stageWire(saved);
      });
    },

    DeleteStage(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const s = requireStage(c, ctx, input.ApiId, input.StageName);
        if (s.apiGatewayManaged) throw badRequest(`Stage ${s.stageName} is managed by API Gateway (quick create); delete the API instead.`);
        const mapped = c.gw.apiMappings.withPrefix(scopePrefix(ctx)).find((m) => m.apiId === input.ApiId && m.stage === s.stageName);
        if (mapped) throw conflict(`Stage ${s.stageName} is mapped to domain name ${mapped.domainName}; delete the API mapping first.`);
        c.gw.stages.deleteTx(childKey(ctx, input.ApiId, s.stageName));
      });
    },

    DeleteAccessLogSettings(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const s = requireStage(c, ctx, input.ApiId, input.StageName);
        const { accessLogSettings: _drop, ...rest } = s;
        c.gw.stages.putTx(childKey(ctx, input.ApiId, s.stageName), { ...rest, lastUpdatedAt: c.now() });
      });
    },

    DeleteRouteSettings(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const s = requireStage(c, ctx, input.ApiId, input.StageName);
        if (!Object.hasOwn(s.routeSettings, input.RouteKey)) throw notFound('RouteSettings', `Invalid route key specified ${input.RouteKey}`);
        const { [input.RouteKey]: _drop, ...rest } = s.routeSettings;
        c.gw.stages.putTx(childKey(ctx, input.ApiId, s.stageName), { ...s, routeSettings: rest, lastUpdatedAt: c.now() });
      });
    },

    ResetAuthorizersCache(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      requireStage(c, ctx, input.ApiId, input.StageName);
      // Lambda authorizer results are not cached by Wayfinder (REQUEST authorizers are not invoked).
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
