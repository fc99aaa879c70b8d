// Instances: RegisterInstance / DeregisterInstance (asynchronous operations), GetInstance,
// ListInstances, GetInstancesHealthStatus, UpdateInstanceCustomHealthStatus.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as SD from '../../protocol/generated/servicediscovery.js';
import { operationId } from '../ids.js';
import { checkInstanceAttributes, rulesFor } from '../instance-attributes.js';
import { instanceKey, type InstanceRecord } from '../store.js';
import { checkInstanceQuota, reportCustomHealth } from '../writes.js';
import { keyedPage, page, refuseInFlight, rememberTokenTx, replayedOperation, requireService, type CloudMapOpsContext } from './common.js';

export function instanceOperations(deps: CloudMapOpsContext) {
  const { store, cm, runner } = deps;

  const sameInstance = (serviceId: string, instanceId: string) => (op: { targets: Record<string, string> }) =>
    op.targets.SERVICE === serviceId && op.targets.INSTANCE === instanceId;

  return {
    RegisterInstance(input: SD.RegisterInstanceRequest, ctx: RequestContext): SD.RegisterInstanceResponse {
      return store.withTx(() => {
        const svc = requireService(cm, ctx, input.ServiceId);
        const ns = cm.namespace(ctx, svc.namespaceId);
        checkInstanceAttributes(rulesFor(svc, ns?.type ?? 'HTTP'), input.Attributes);
        const fingerprint = JSON.stringify([svc.id, input.InstanceId, Object.entries(input.Attributes).sort()]);
        const replay = replayedOperation(cm, ctx, 'register-instance', input.CreatorRequestId, fingerprint);
        if (replay) return { OperationId: replay };
        refuseInFlight(runner.inFlight(ctx), sameInstance(svc.id, input.InstanceId));
        checkInstanceQuota(cm, svc, input.InstanceId);
        const now = Date.now();
        const opId = operationId();
        const instance: InstanceRecord = {
          region: ctx.region,
          accountId: ctx.accountId,
          serviceId: svc.id,
          id: input.InstanceId,
          attributes: { ...input.Attributes },
          operationId: opId,
          createdAt: now,
          updatedAt: now,
          ...(input.CreatorRequestId ? { creatorRequestId: input.CreatorRequestId } : {}),
        };
        runner.submitTx({
          id: opId,
          region: ctx.region,
          accountId: ctx.accountId,
          type: 'REGISTER_INSTANCE',
          targets: { SERVICE: svc.id, INSTANCE: input.InstanceId },
          action: { kind: 'registerInstance', instance },
        });
        rememberTokenTx(cm, ctx, 'register-instance', input.CreatorRequestId, fingerprint, opId);
        return { OperationId: opId };
      });
    },

    DeregisterInstance(input: SD.DeregisterInstanceRequest, ctx: RequestContext): SD.DeregisterInstanceResponse {
      return store.withTx(() => {
        const svc = requireService(cm, ctx, input.ServiceId);
        if (!cm.instance(ctx, svc.id, input.InstanceId)) throw new AwsError('InstanceNotFound', `Instance not found: ${input.InstanceId}`);
        refuseInFlight(runner.inFlight(ctx), sameInstance(svc.id, input.InstanceId));
        const opId = runner.submitTx({
          region: ctx.region,
          accountId: ctx.accountId,
          type: 'DEREGISTER_INSTANCE',
          targets: { SERVICE: svc.id, INSTANCE: input.InstanceId },
          action: { kind: 'deregisterInstance', serviceId: svc.id, instanceId: input.InstanceId },
        });
        return { OperationId: opId };
      });
    },

    GetInstance(input: SD.GetInstanceRequest, ctx: RequestContext): SD.GetInstanceResponse {
      const svc = requireService(cm, ctx, input.ServiceId);
      const inst = cm.instance(ctx, svc.id, input.InstanceId);
      if (!inst) throw new AwsError('InstanceNotFound', `Instance not found: ${input.InstanceId}`);
      return {
        ResourceOwner: svc.accountId,
        Instance: { Id: inst.id, CreatorRequestId: inst.creatorRequestId, Attributes: inst.attributes, CreatedByAccount: svc.accountId },
      };
    },

    ListInstances(input: SD.ListInstancesRequest, ctx: RequestContext): SD.ListInstancesResponse {
      const svc = requireService(cm, ctx, input.ServiceId);
      const p = keyedPage(
        (after, n) => cm.instancePage(ctx, svc.id, after, n),
        (i) => i.id,
        input.MaxResults,
        input.NextToken,
      );
      return {
        ResourceOwner: svc.accountId,
        Instances: p.items.map((i) => ({ Id: i.id, Attributes: i.attributes, CreatedByAccount: svc.accountId })),
        NextToken: p.nextToken,
      };
    },

    GetInstancesHealthStatus(input: SD.GetInstancesHealthStatusRequest, ctx: RequestContext): SD.GetInstancesHealthStatusResponse {
      const svc = requireService(cm, ctx, input.ServiceId);
      let ids = cm.instancesOf(ctx, svc.id).map((i) => i.id);
      if (input.Instances?.length) {
        const known = new Set(ids);
        const missing = input.Instances.find((id) => !known.has(id));
        if (missing !== undefined) throw new AwsError('InstanceNotFound', `Instance not found: ${missing}`);
        ids = [...new Set(input.Instances)];
      }
      const p = page(ids, (id) => id, input.MaxResults, input.NextToken);
      const configured = !!(svc.customHealth || svc.healthCheck);
      const Status: Record<string, SD.HealthStatus> = {};
      for (const id of p.items) Status[id] = configured ? (cm.health.get(instanceKey(ctx, svc.id, id))?.status ?? 'HEALTHY') : 'UNKNOWN';
      return { Status, NextToken: p.nextToken };
    },

    UpdateInstanceCustomHealthStatus(input: SD.UpdateInstanceCustomHealthStatusRequest, ctx: RequestContext): void {
      reportCustomHealth(store, cm, requireService(cm, ctx, input.ServiceId), input.InstanceId, input.Status, deps.healthDelayMs);
    },
  } satisfies Partial<SD.ServiceDiscoveryOperations>;
}
