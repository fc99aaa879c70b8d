// The data plane calls (host prefix `data-`): DiscoverInstances and DiscoverInstancesRevision, served
// from the in-memory discovery view only.
import type { RequestContext } from '../../protocol/handlers.js';
import type * as SD from '../../protocol/generated/servicediscovery.js';
import type { HandlerDeps } from './common.js';

export function discoverOperations({ discovery }: HandlerDeps) {
  return {
    DiscoverInstances(input: SD.DiscoverInstancesRequest, ctx: RequestContext): SD.DiscoverInstancesResponse {
      const { view, instances } = discovery.discover(ctx.region, input.NamespaceName, input.ServiceName, {
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
      return { InstancesRevision: discovery.serviceByName(ctx.region, input.NamespaceName, input.ServiceName).record.instancesRevision };
    },
  } satisfies Partial<SD.ServiceDiscoveryOperations>;
}
