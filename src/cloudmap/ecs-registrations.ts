// CloudMapApi (src/cloudmap/api.ts) for ECS: the same rules as RegisterInstance and
// UpdateInstanceCustomHealthStatus, without the operation delay, and visible in the discovery view
// before the call returns (the view follows the change feed synchronously after each commit).
import { AwsError } from '../kernel/errors.js';
import type { Store } from '../store/store.js';
import type { CloudMapApi, CloudMapServiceInfo } from './api.js';
import { healthModeOf, type Discovery } from './discovery.js';
import { idOfRef, operationId } from './ids.js';
import { checkInstanceAttributes, rulesFor } from './instance-attributes.js';
import type { OperationRunner } from './op-runner.js';
import type { CloudMapStore, NamespaceRecord, ServiceRecord } from './store.js';
import { checkInstanceQuota, deregisterInstanceTx, registerInstanceTx, reportCustomHealth } from './writes.js';
import { scopePrefix } from '../store/store.js';

export interface CloudMapDeps {
  store: Store;
  cm: CloudMapStore;
  discovery: Discovery;
  runner: OperationRunner;
  healthDelayMs: number;
}

export function serviceInfo(svc: ServiceRecord, ns: NamespaceRecord): CloudMapServiceInfo {
  return {
    id: svc.id,
    arn: svc.arn,
    name: svc.name,
    region: svc.region,
    accountId: svc.accountId,
    namespaceId: ns.id,
    namespaceName: ns.httpName,
    namespaceType: ns.type,
    recordTypes: (svc.dnsRecords ?? []).map((r) => r.type),
    health: healthModeOf(svc),
  };
}

export function createCloudMapApi(deps: CloudMapDeps): CloudMapApi {
  const { store, cm, discovery, runner } = deps;

  /** The live service record (the view's copy may lag inside a transaction; reads are cheap here). */
  function requireService(idOrArn: string): { svc: ServiceRecord; ns: NamespaceRecord } {
    const id = idOfRef(idOrArn);
    const view = discovery.snapshot.services.get(id);
    const svc = view && cm.service(view.record, id);
    const ns = svc && cm.namespace(svc, svc.namespaceId);
    if (!svc || !ns) throw new AwsError('ServiceNotFound', `Service not found: ${idOrArn}`);
    return { svc, ns };
  }

  return {
    service(idOrArn) {
      const id = idOfRef(idOrArn);
      const view = discovery.snapshot.services.get(id);
      if (!view || (idOrArn.startsWith('arn:') && view.record.arn !== idOrArn)) return undefined;
      return serviceInfo(view.record, view.namespace);
    },

    hasNamespace(scope, ref) {
      const id = idOfRef(ref);
      const ns = cm.namespace(scope, id);
      if (ns) return !ref.startsWith('arn:') || ns.arn === ref;
      return cm.namespaces.withPrefix(scopePrefix(scope)).some((n) => n.name === ref);
    },

    registerInstance({ serviceId, instanceId, attributes, creatorRequestId }) {
      if (!/^[0-9a-zA-Z_/:.@-]{1,64}$/.test(instanceId)) throw new AwsError('InvalidInput', `Invalid instance id: ${instanceId.slice(0, 80)}`);
      store.withTx(() => {
        const { svc, ns } = requireService(serviceId);
        checkInstanceAttributes(rulesFor(svc, ns.type), attributes);
        checkInstanceQuota(cm, svc, instanceId);
        const now = Date.now();
        const opId = operationId();
        const instance = {
          region: svc.region,
          accountId: svc.accountId,
          serviceId: svc.id,
          id: instanceId,
          attributes: { ...attributes },
          operationId: opId,
          createdAt: now,
          updatedAt: now,
          ...(creatorRequestId ? { creatorRequestId } : {}),
        };
        if (registerInstanceTx(cm, svc, instance)) {
          runner.recordDoneTx({ id: opId, region: svc.region, accountId: svc.accountId, type: 'REGISTER_INSTANCE', targets: { SERVICE: svc.id, INSTANCE: instanceId } });
        }
      }, 'background'); // ECS's engine registering its task: its own step, no caller waits (Store.withTx)
    },

    deregisterInstance(serviceId, instanceId) {
      store.withTx(() => {
        const id = idOfRef(serviceId);
        const view = discovery.snapshot.services.get(id);
        const svc = view && cm.service(view.record, id);
        if (svc && deregisterInstanceTx(cm, svc, instanceId)) {
          runner.recordDoneTx({ id: operationId(), region: svc.region, accountId: svc.accountId, type: 'DEREGISTER_INSTANCE', targets: { SERVICE: svc.id, INSTANCE: instanceId } });
        }
      }, 'background');
    },

    setCustomHealth(serviceId, instanceId, status) {
      const { svc } = requireService(serviceId);
      reportCustomHealth(store, cm, svc, instanceId, status, deps.healthDelayMs);
    },

    instanceIds(serviceId) {
      const id = idOfRef(serviceId);
      return (discovery.snapshot.services.get(id)?.instances ?? []).map((i) => i.instanceId);
    },
  };
}
