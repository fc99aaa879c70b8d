// Deployments (docs/aws-behavior.md §2.5): immutable snapshots of the API-level configuration. CreateDeployment
// freezes routes, integrations, authorizers and CORS; a stage serves the snapshot its deploymentId
// names. Auto-deploy stages get a new snapshot after every API-level change, in the same transaction.
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations, Deployment } from '../../protocol/generated/apigatewayv2.js';
import { apiKey, childKey, type ApiRecord, type DeploymentRecord, type SnapshotData, type StageRecord } from '../store.js';
import { badRequest, page, requireApi, requireDeployment, requireStage, type GatewayOpsContext, wireDate } from './common.js';
import { partitionOf, type Scope } from '../../store/store.js';

export const AUTO_DEPLOY_DESCRIPTION = 'Automatic deployment triggered by changes to the Api configuration';

export function deploymentWire(d: Omit<DeploymentRecord, 'snapshot'>): Deployment {
  return {
    AutoDeployed: d.autoDeployed,
    CreatedDate: wireDate(d.createdAt),
    DeploymentId: d.deploymentId,
    DeploymentStatus: d.status,
    DeploymentStatusMessage: d.statusMessage,
    Description: d.description,
  };
}

export function snapshotOf(c: GatewayOpsContext, api: ApiRecord): SnapshotData {
  const { apiId } = api;
  return {
    api: {
      name: api.name,
      protocolType: api.protocolType,
      corsConfiguration: api.corsConfiguration,
      disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
      version: api.version,
      description: api.description,
    },
    routes: c.gw.childrenOf(c.gw.routes, api, apiId),
    integrations: c.gw.childrenOf(c.gw.integrations, api, apiId),
    authorizers: c.gw.childrenOf(c.gw.authorizers, api, apiId),
  };
}

function newDeploymentTx(c: GatewayOpsContext, api: ApiRecord, description: string | undefined, autoDeployed: boolean, snapshot = snapshotOf(c, api)): DeploymentRecord {
  const d: DeploymentRecord = {
    region: api.region,
    accountId: api.accountId,
    apiId: api.apiId,
    deploymentId: alnum(6),
    description,
    autoDeployed,
    createdAt: c.now(),
    status: 'DEPLOYED',
    snapshot,
  };
  c.gw.deployments.putTx(childKey(api, api.apiId, d.deploymentId), d);
  return d;
}

/**
 * Deploys one auto-deploy stage now (when the API has routes); records the outcome on the stage.
 * `snapshot` lets autoDeployTx read the API's configuration once for all its stages (at the quotas,
 * 10 stages × 600 documents per change otherwise).
 */
export function autoDeployStageTx(c: GatewayOpsContext, api: ApiRecord, stage: StageRecord, snapshot?: SnapshotData): StageRecord {
  const next: StageRecord = { ...stage, lastUpdatedAt: c.now() };
  if (!c.gw.routes.countPrefix(childKey(api, api.apiId, ''))) {
    next.lastDeploymentStatusMessage = 'Deployment attempt failed: Unable to deploy API because no routes exist in this API';
  } else {
    const d = newDeploymentTx(c, api, AUTO_DEPLOY_DESCRIPTION, true, snapshot);
    next.deploymentId = d.deploymentId;
    next.lastDeploymentStatusMessage = `Successfully deployed stage with deployment ID '${d.deploymentId}'`;
  }
  c.gw.stages.putTx(childKey(api, api.apiId, stage.stageName), next);
  return next;
}

/** Called by every operation that changes API-level configuration, inside its transaction. */
export function autoDeployTx(c: GatewayOpsContext, scope: Scope, apiId: string): void {
  const api = c.gw.apis.get(apiKey(scope, apiId));
  if (!api) return;
  const stages = c.gw.childrenOf(c.gw.stages, scope, apiId).filter((s) => s.autoDeploy);
  if (!stages.length) return;
  const snapshot = snapshotOf(c, api);
  for (const s of stages) autoDeployStageTx(c, api, s, snapshot);
}

export function deploymentOperations(c: GatewayOpsContext) {
  return {
    CreateDeployment(input, ctx: RequestContext) {
      return c.gw.store.withTx(() => {
        const api = requireApi(c, ctx, input.ApiId);
        let stage: StageRecord | undefined;
        if (input.StageName !== undefined) {
          stage = requireStage(c, ctx, input.ApiId, input.StageName);
          if (stage.autoDeploy) throw badRequest(`Stage ${input.StageName} is configured for automatic deployment; its deployments cannot be set manually.`);
        }
        if (!c.gw.routes.countPrefix(`${partitionOf(ctx)}/${input.ApiId}/`)) throw badRequest('Unable to deploy API because no routes exist in this API');
        const d = newDeploymentTx(c, api, input.Description, false);
        if (stage) c.gw.stages.putTx(childKey(ctx, input.ApiId, stage.stageName), { ...stage, deploymentId: d.deploymentId, lastUpdatedAt: c.now() });
        return deploymentWire(d);
      });
    },
    GetDeployment(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      return deploymentWire(requireDeployment(c, ctx, input.ApiId, input.DeploymentId));
    },
    GetDeployments(input, ctx) {
      requireApi(c, ctx, input.ApiId);
      const p = page(c.gw.deploymentsWithoutSnapshots(ctx, input.ApiId), (d) => d.deploymentId, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(deploymentWire), NextToken: p.NextToken };
    },
    UpdateDeployment(input, ctx) {
      return c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        const d = requireDeployment(c, ctx, input.ApiId, input.DeploymentId);
        const next = { ...d, description: input.Description ?? d.description };
        c.gw.deployments.putTx(childKey(ctx, input.ApiId, d.deploymentId), next);
        return deploymentWire(next);
      });
    },
    DeleteDeployment(input, ctx) {
      c.gw.store.withTx(() => {
        requireApi(c, ctx, input.ApiId);
        requireDeployment(c, ctx, input.ApiId, input.DeploymentId);
        const using = c.gw.childrenOf(c.gw.stages, ctx, input.ApiId).filter((s) => s.deploymentId === input.DeploymentId);
        if (using.length) {
          throw badRequest(`Active stages pointing to this deployment must be moved or deleted: ${using.map((s) => s.stageName).join(', ')}`);
        }
        c.gw.deployments.deleteTx(childKey(ctx, input.ApiId, input.DeploymentId));
      });
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
