// The data plane calls (host prefix `data-`): DiscoverInstances and DiscoverInstancesRevision, served
// from the in-memory discovery view only.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as SD from '../../protocol/generated/servicediscovery.js';
import type { CloudMapOpsContext } from './common.js';

/** Namespaces are never shared with other accounts here, so another OwnerAccount has none. */
function checkOwner(owner: string | undefined, ctx: RequestContext, namespaceName: string): void {
  if (owner !== undefined && owner !== ctx.accountId) throw new AwsError('NamespaceNotFound', `Namespace not found: ${namespaceName} (owner ${owner})`);
}

export function discoverOperations({ discovery }: CloudMapOpsContext) {
  return {
    DiscoverInstances(input: SD.DiscoverInstancesRequest, ctx: RequestContext): SD.DiscoverInstancesResponse {
      checkOwner(input.OwnerAccount, ctx, input.NamespaceName);
      const { view, instances } = discovery.discover(ctx, input.NamespaceName, input.ServiceName, {
        maxResults: input.MaxResults,
        queryParameters: input.QueryParameters,
        optionalParameters: input.OptionalParameters,
        healthStatus: input.HealthStatus,
      });
      return {
        Instances: instances.map((i) => ({
          InstanceId: i.instanceId,
          NamespaceName: view.namespace.httpName,
          ServiceName: view.record.name,
          HealthStatus: i.health,
          Attributes: i.attributes,
        })),
        InstancesRevision: view.record.instancesRevision,
      };
    },

    DiscoverInstancesRevision(input: SD.DiscoverInstancesRevisionRequest, ctx: RequestContext): SD.DiscoverInstancesRevisionResponse {
      checkOwner(input.OwnerAccount, ctx, input.NamespaceName);
      return { InstancesRevision: discovery.serviceByName(ctx, input.NamespaceName, input.ServiceName).record.instancesRevision };
    },
  } satisfies Partial<SD.ServiceDiscoveryOperations>;
}
