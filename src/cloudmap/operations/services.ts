// Services: create/get/list/delete are synchronous, UpdateService is an asynchronous operation;
// service attributes (Update/Get/DeleteServiceAttributes).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as SD from '../../protocol/generated/servicediscovery.js';
import { idOfRef, serviceArn, serviceId } from '../ids.js';
import { checkDnsUpdate, checkHealthCheckConfig, checkServiceConfig } from '../service-config.js';
import type { ServiceRecord } from '../store.js';
import { deleteServiceTx } from '../writes.js';
import {
  checkFilter,
  keyedPage,
  matchFilter,
  ownerMatches,
  page,
  refuseInFlight,
  requireNamespace,
  requireService,
  serviceWire,
  tagsFromList,
  type Condition,
  type CloudMapOpsContext,
} from './common.js';
import type { Page } from '../../kernel/paginate.js';
import { scopedKey, scopePrefix } from '../../store/store.js';

const MAX_SERVICE_ATTRIBUTES = 30;

export function serviceOperations(deps: CloudMapOpsContext) {
  const { store, cm, runner } = deps;
  const servicesPage = (p: Page<ServiceRecord>): SD.ListServicesResponse => ({
    Services: p.items.map((s) => {
      const { CreatorRequestId: _c, NamespaceId: _n, ...summary } = serviceWire(cm, s);
      return summary;
    }),
    NextToken: p.nextToken,
  });

  return {
    CreateService(input: SD.CreateServiceRequest, ctx: RequestContext): SD.CreateServiceResponse {
      const nsRef = input.NamespaceId ?? input.DnsConfig?.NamespaceId;
      if (!nsRef) throw new AwsError('InvalidInput', 'NamespaceId is required.');
      if (input.NamespaceId && input.DnsConfig?.NamespaceId && input.DnsConfig.NamespaceId !== input.NamespaceId) {
        throw new AwsError('InvalidInput', 'NamespaceId and DnsConfig.NamespaceId name different namespaces.');
      }
      const tags = tagsFromList(input.Tags);
      return store.withTx(() => {
        const ns = requireNamespace(cm, ctx, nsRef);
        const config = checkServiceConfig({
          namespaceType: ns.type,
          type: input.Type,
          dnsConfig: input.DnsConfig,
          healthCheckConfig: input.HealthCheckConfig,
          healthCheckCustomConfig: input.HealthCheckCustomConfig,
        });
        // DNS names are case-insensitive, so DNS namespaces refuse names that differ only by case.
        const same = (s: ServiceRecord) => s.name === input.Name || (ns.type !== 'HTTP' && s.name.toLowerCase() === input.Name.toLowerCase());
        const existing = cm.servicesNamed(ctx, ns.id, input.Name).find(same);
        if (existing) {
          if (input.CreatorRequestId && existing.creatorRequestId === input.CreatorRequestId) return { Service: serviceWire(cm, existing) };
          throw new AwsError('ServiceAlreadyExists', `Service ${input.Name} already exists in namespace ${ns.id} (${existing.id}).`, {
            fields: { CreatorRequestId: existing.creatorRequestId, ServiceId: existing.id, ServiceArn: existing.arn },
          });
        }
        const id = serviceId();
        const svc: ServiceRecord = {
          region: ctx.region,
          accountId: ctx.accountId,
          id,
          arn: serviceArn(ctx.region, ctx.accountId, id),
          name: input.Name,
          namespaceId: ns.id,
          ...config,
          attributes: {},
          createdAt: Date.now(),
          tags,
          instancesRevision: 1,
          ...(input.Description !== undefined ? { description: input.Description } : {}),
          ...(input.CreatorRequestId ? { creatorRequestId: input.CreatorRequestId } : {}),
        };
        cm.services.putTx(scopedKey(ctx, id), svc);
        return { Service: serviceWire(cm, svc) };
      });
    },

    GetService(input: SD.GetServiceRequest, ctx: RequestContext): SD.GetServiceResponse {
      return { Service: serviceWire(cm, requireService(cm, ctx, input.Id)) };
    },

    ListServices(input: SD.ListServicesRequest, ctx: RequestContext): SD.ListServicesResponse {
      const filters = input.Filters ?? [];
      // The usual call (one namespace, no other filter) pages through the namespace index.
      const only = filters.length === 1 && filters[0]!.Name === 'NAMESPACE_ID' ? filters[0]! : undefined;
      if (only && checkFilter('NAMESPACE_ID', only.Condition as Condition, only.Values, ['EQ', 'IN']) === 'EQ') {
        const nsId = idOfRef(only.Values[0]!);
        return servicesPage(
          keyedPage(
            (after, n) => cm.servicePage(ctx, nsId, after, n),
            (s) => s.id,
            input.MaxResults,
            input.NextToken,
          ),
        );
      }
      let items = cm.services.withPrefix(scopePrefix(ctx));
      for (const f of filters) {
        if (f.Name === 'NAMESPACE_ID') {
          const c = checkFilter('NAMESPACE_ID', f.Condition as Condition, f.Values, ['EQ', 'IN']);
          const ids = f.Values.map(idOfRef);
          items = items.filter((s) => matchFilter(s.namespaceId, c, ids));
        } else if (f.Name === 'RESOURCE_OWNER') {
          checkFilter('RESOURCE_OWNER', f.Condition as Condition, f.Values, ['EQ']);
          items = items.filter((s) => ownerMatches(s.accountId, ctx, f.Values));
        }
      }
      return servicesPage(page(items, (s) => s.id, input.MaxResults, input.NextToken));
    },

    UpdateService(input: SD.UpdateServiceRequest, ctx: RequestContext): SD.UpdateServiceResponse {
      return store.withTx(() => {
        const svc = requireService(cm, ctx, input.Id);
        const ns = cm.namespace(ctx, svc.namespaceId);
        const change = input.Service;
        const dnsTtls = change.DnsConfig ? checkDnsUpdate(svc, change.DnsConfig.DnsRecords) : undefined;
        let healthCheck;
        if (change.HealthCheckConfig) {
          if (svc.customHealth) throw new AwsError('InvalidInput', 'HealthCheckConfig cannot be added to a service that has HealthCheckCustomConfig.');
          if (svc.dnsRecords?.some((r) => r.type === 'CNAME')) throw new AwsError('InvalidInput', 'HealthCheckConfig cannot be specified for a service with a CNAME record.');
          healthCheck = checkHealthCheckConfig(change.HealthCheckConfig, ns?.type ?? 'HTTP');
        }
        refuseInFlight(runner.inFlight(ctx), (op) => op.type === 'UPDATE_SERVICE' && op.targets.SERVICE === svc.id);
        const opId = runner.submitTx({
          region: ctx.region,
          accountId: ctx.accountId,
          type: 'UPDATE_SERVICE',
          targets: { SERVICE: svc.id },
          action: {
            kind: 'updateService',
            serviceId: svc.id,
            ...(change.Description !== undefined ? { description: change.Description } : {}),
            ...(dnsTtls ? { dnsTtls } : {}),
            ...(healthCheck ? { healthCheck } : {}),
            // AWS: omitting an existing HealthCheckConfig from UpdateService deletes it.
            dropHealthCheck: !change.HealthCheckConfig && !!svc.healthCheck,
          },
        });
        return { OperationId: opId };
      });
    },

    DeleteService(input: SD.DeleteServiceRequest, ctx: RequestContext): SD.DeleteServiceResponse {
      store.withTx(() => {
        const svc = requireService(cm, ctx, input.Id);
        const count = cm.instanceCount(ctx, svc.id);
        if (count) throw new AwsError('ResourceInUse', `Service ${svc.id} has ${count} registered instance(s); deregister them first.`);
        deleteServiceTx(cm, svc);
      });
      return {};
    },

    UpdateServiceAttributes(input: SD.UpdateServiceAttributesRequest, ctx: RequestContext): SD.UpdateServiceAttributesResponse {
      store.withTx(() => {
        const svc = requireService(cm, ctx, input.ServiceId);
        const attributes = { ...svc.attributes, ...input.Attributes };
        if (Object.keys(attributes).length > MAX_SERVICE_ATTRIBUTES) {
          throw new AwsError('ServiceAttributesLimitExceededException', `A service can have at most ${MAX_SERVICE_ATTRIBUTES} attributes.`);
        }
        cm.services.putTx(scopedKey(ctx, svc.id), { ...svc, attributes });
      });
      return {};
    },

    GetServiceAttributes(input: SD.GetServiceAttributesRequest, ctx: RequestContext): SD.GetServiceAttributesResponse {
      const svc = requireService(cm, ctx, input.ServiceId);
      return { ServiceAttributes: { ServiceArn: svc.arn, ResourceOwner: svc.accountId, Attributes: svc.attributes } };
    },

    DeleteServiceAttributes(input: SD.DeleteServiceAttributesRequest, ctx: RequestContext): SD.DeleteServiceAttributesResponse {
      store.withTx(() => {
        const svc = requireService(cm, ctx, input.ServiceId);
        const attributes = { ...svc.attributes };
        for (const k of input.Attributes) delete attributes[k];
        cm.services.putTx(scopedKey(ctx, svc.id), { ...svc, attributes });
      });
      return {};
    },
  } satisfies Partial<SD.ServiceDiscoveryOperations>;
}
