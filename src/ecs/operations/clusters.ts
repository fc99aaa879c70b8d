// Clusters (docs/aws-behavior.md §5.2) and the capacity-provider calls a cluster answers: FARGATE and FARGATE_SPOT
// exist in every account; the machine itself is the capacity, so nothing needs registering.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { capacityProviderArn, clusterArn, clusterNameOf, isForeignArn } from '../arns.js';
import { clusterKey, type ClusterRecord } from '../store.js';
import { clusterWire, countTasks } from './wire.js';
import { effectiveSetting } from './account-settings.js';
import { checkStrategy } from './placement-rules.js';
import { atMost, checkTags, invalid, page, requireCluster, type EcsOpsContext } from './common.js';
import { scopePrefix, partitionOf } from '../../store/store.js';

const BUILT_IN_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;
const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

function checkSettings(settings: Ecs.ClusterSettings | undefined): Array<{ name: string; value: string }> {
  return (settings ?? []).map((s) => {
    if (s.name !== 'containerInsights') throw invalid(`Unsupported cluster setting '${s.name}'.`);
    if (!['enabled', 'disabled', 'enhanced'].includes(s.value ?? ''))
      throw invalid(`Invalid value for containerInsights: '${s.value}'. Valid values: enabled, disabled, enhanced.`);
    return { name: s.name, value: s.value! };
  });
}

function checkProviders(providers: string[] | undefined, strategy: Ecs.CapacityProviderStrategy | undefined): void {
  for (const p of providers ?? []) {
    if (!(BUILT_IN_PROVIDERS as readonly string[]).includes(p))
      throw invalid(`The specified capacity provider '${p}' is not in an ACTIVE state. Specify a valid capacity provider and try again.`);
  }
  checkStrategy(strategy, providers ?? []);
}

/** ClusterConfiguration as AWS checks it: an execute-command log configuration goes with logging OVERRIDE only. */
function checkConfiguration(configuration: Ecs.ClusterConfiguration | undefined): Ecs.ClusterConfiguration | undefined {
  const exec = configuration?.executeCommandConfiguration;
  if (exec) {
    if (exec.logging === 'OVERRIDE' && !exec.logConfiguration) throw invalid('The logConfiguration must be specified when the executeCommandConfiguration logging is OVERRIDE.');
    if (exec.logConfiguration && exec.logging !== 'OVERRIDE') throw invalid('The logConfiguration can only be specified when the executeCommandConfiguration logging is OVERRIDE.');
  }
  return configuration;
}

export function clusterOperations(c: EcsOpsContext) {
  const stats = (cl: ClusterRecord) => {
    const counts = countTasks(c.ecs.tasks.withPrefix(`${partitionOf(cl)}/${cl.name}/`));
    const services = c.ecs.services.withPrefix(`${partitionOf(cl)}/${cl.name}/`).filter((s) => s.status === 'ACTIVE').length;
    return { ...counts, services };
  };
  const wire = (cl: ClusterRecord, include?: Ecs.ClusterFieldList) => clusterWire(cl, stats(cl), include);

  function providerWire(ctx: RequestContext, name: string): Ecs.CapacityProvider {
    return { capacityProviderArn: capacityProviderArn(ctx.region, ctx.accountId, name), name, status: 'ACTIVE', tags: [], type: name as Ecs.CapacityProviderType };
  }

  return {
    CreateCluster(input: Ecs.CreateClusterRequest, ctx: RequestContext): Ecs.CreateClusterResponse {
      const name = input.clusterName ?? 'default';
      if (!CLUSTER_NAME.test(name)) throw invalid('Cluster name can have up to 255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.');
      const tags = checkTags(input.tags);
      const settings = checkSettings(input.settings);
      checkConfiguration(input.configuration);
      checkProviders(input.capacityProviders, input.defaultCapacityProviderStrategy);
      const key = clusterKey(ctx, name);
      const cluster = c.ecs.store.withTx(() => {
        const existing = c.ecs.clusters.get(key);
        // CreateCluster is idempotent for an ACTIVE cluster; an INACTIVE one comes back to life.
        if (existing?.status === 'ACTIVE') return existing;
        const record: ClusterRecord = {
          region: ctx.region,
          accountId: ctx.accountId,
          name,
          arn: clusterArn(ctx.region, ctx.accountId, name),
          status: 'ACTIVE',
          createdAt: c.now(),
          tags,
          // Without its own containerInsights, a new cluster takes the account's (PutAccountSetting[Default]).
          settings: settings.length ? settings : [{ name: 'containerInsights', value: effectiveSetting(c, ctx, 'containerInsights').value! }],
          ...(input.configuration ? { configuration: input.configuration } : {}),
          capacityProviders: input.capacityProviders ?? [],
          defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
          ...(input.serviceConnectDefaults ? { serviceConnectDefaults: { namespace: input.serviceConnectDefaults.namespace } } : {}),
        };
        c.ecs.clusters.putTx(key, record);
        return record;
      });
      return { cluster: wire(cluster, ['TAGS', 'SETTINGS', 'CONFIGURATIONS']) };
    },

    DescribeClusters(input: Ecs.DescribeClustersRequest, ctx: RequestContext): Ecs.DescribeClustersResponse {
      const refs = input.clusters?.length ? input.clusters : ['default'];
      atMost('clusters', refs, 100);
      const clusters: Ecs.Cluster[] = [];
      const failures: Ecs.Failure[] = [];
      for (const ref of refs) {
        const cl = isForeignArn(ref, ctx) ? undefined : c.ecs.clusters.get(clusterKey(ctx, clusterNameOf(ref)));
        if (cl) clusters.push(wire(cl, input.include));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : clusterArn(ctx.region, ctx.accountId, ref), reason: 'MISSING' });
      }
      return { clusters, failures };
    },

    ListClusters(input: Ecs.ListClustersRequest, ctx: RequestContext): Ecs.ListClustersResponse {
      const active = c.ecs.clusters.withPrefix(scopePrefix(ctx)).filter((cl) => cl.status === 'ACTIVE');
      const p = page(active, (cl) => cl.arn, input.maxResults, input.nextToken);
      return { clusterArns: p.items.map((cl) => cl.arn), nextToken: p.nextToken };
    },

    UpdateCluster(input: Ecs.UpdateClusterRequest, ctx: RequestContext): Ecs.UpdateClusterResponse {
      const cl = requireCluster(c, ctx, input.cluster);
      const settings = input.settings ? checkSettings(input.settings) : undefined;
      checkConfiguration(input.configuration);
      const next = c.ecs.store.withTx(() => {
        const cur = c.ecs.clusters.get(clusterKey(ctx, cl.name))!;
        if (settings) cur.settings = settings;
        if (input.configuration) cur.configuration = input.configuration;
        if (input.serviceConnectDefaults) cur.serviceConnectDefaults = { namespace: input.serviceConnectDefaults.namespace };
        c.ecs.clusters.putTx(clusterKey(ctx, cl.name), cur);
        return cur;
      });
      return { cluster: wire(next, ['SETTINGS', 'CONFIGURATIONS']) };
    },

    UpdateClusterSettings(input: Ecs.UpdateClusterSettingsRequest, ctx: RequestContext): Ecs.UpdateClusterSettingsResponse {
      const cl = requireCluster(c, ctx, input.cluster);
      const settings = checkSettings(input.settings);
      const next = c.ecs.store.withTx(() => {
        const cur = c.ecs.clusters.get(clusterKey(ctx, cl.name))!;
        cur.settings = settings;
        c.ecs.clusters.putTx(clusterKey(ctx, cl.name), cur);
        return cur;
      });
      return { cluster: wire(next, ['SETTINGS']) };
    },

    DeleteCluster(input: Ecs.DeleteClusterRequest, ctx: RequestContext): Ecs.DeleteClusterResponse {
      const name = clusterNameOf(input.cluster);
      const key = clusterKey(ctx, name);
      const cl = isForeignArn(input.cluster, ctx) ? undefined : c.ecs.clusters.get(key);
      if (!cl) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
      if (cl.status === 'INACTIVE') return { cluster: wire(cl, ['SETTINGS']) };
      if (c.ecs.services.withPrefix(`${partitionOf(ctx)}/${name}/`).some((s) => s.status !== 'INACTIVE')) {
        throw new AwsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.');
      }
      if (c.ecs.tasks.withPrefix(`${partitionOf(ctx)}/${name}/`).some((t) => t.lastStatus !== 'STOPPED')) {
        throw new AwsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
      }
      const next = c.ecs.store.withTx(() => {
        const cur = c.ecs.clusters.get(key)!;
        cur.status = 'INACTIVE';
        c.ecs.clusters.putTx(key, cur);
        return cur;
      });
      return { cluster: wire(next, ['SETTINGS']) };
    },

    PutClusterCapacityProviders(input: Ecs.PutClusterCapacityProvidersRequest, ctx: RequestContext): Ecs.PutClusterCapacityProvidersResponse {
      const cl = requireCluster(c, ctx, input.cluster);
      checkProviders(input.capacityProviders, input.defaultCapacityProviderStrategy);
      // A provider a service's strategy or a running task uses stays associated.
      for (const removed of cl.capacityProviders.filter((p) => !input.capacityProviders.includes(p))) {
        const services = c.ecs.services.withPrefix(`${partitionOf(ctx)}/${cl.name}/`).filter((s) => s.status !== 'INACTIVE');
        const tasks = c.ecs.tasks.withPrefix(`${partitionOf(ctx)}/${cl.name}/`).filter((t) => t.lastStatus !== 'STOPPED');
        if (services.some((s) => s.capacityProviderStrategy?.some((i) => i.capacityProvider === removed)) || tasks.some((t) => t.capacityProviderName === removed)) {
          throw new AwsError('ResourceInUseException', `The specified capacity provider ${removed} is in use and cannot be removed.`);
        }
      }
      const next = c.ecs.store.withTx(() => {
        const cur = c.ecs.clusters.get(clusterKey(ctx, cl.name))!;
        cur.capacityProviders = input.capacityProviders;
        cur.defaultCapacityProviderStrategy = input.defaultCapacityProviderStrategy;
        c.ecs.clusters.putTx(clusterKey(ctx, cl.name), cur);
        return cur;
      });
      return { cluster: wire(next, ['SETTINGS']) };
    },

    CreateCapacityProvider(input: Ecs.CreateCapacityProviderRequest): Ecs.CreateCapacityProviderResponse {
      if ((BUILT_IN_PROVIDERS as readonly string[]).includes(input.name) || /^(aws|ecs|fargate)/i.test(input.name)) {
        throw invalid(`The capacity provider name '${input.name}' is reserved.`);
      }
      throw new AwsError(
        'UnsupportedFeatureException',
        'Wayfinder runs tasks on this machine, without Auto Scaling groups or managed instances: use the FARGATE or FARGATE_SPOT capacity provider (or a launch type).',
      );
    },

    UpdateCapacityProvider(input: Ecs.UpdateCapacityProviderRequest): Ecs.UpdateCapacityProviderResponse {
      if ((BUILT_IN_PROVIDERS as readonly string[]).includes(input.name)) throw invalid(`The capacity provider '${input.name}' is managed by AWS and cannot be updated.`);
      throw invalid(`The specified capacity provider '${input.name}' does not exist.`);
    },

    DeleteCapacityProvider(input: Ecs.DeleteCapacityProviderRequest): Ecs.DeleteCapacityProviderResponse {
      const name = input.capacityProvider.startsWith('arn:') ? input.capacityProvider.slice(input.capacityProvider.lastIndexOf('/') + 1) : input.capacityProvider;
      if ((BUILT_IN_PROVIDERS as readonly string[]).includes(name)) throw invalid(`The capacity provider '${name}' is managed by AWS and cannot be deleted.`);
      throw invalid(`The specified capacity provider '${name}' does not exist.`);
    },

    /** The machine runs the tasks; there are no registered container instances. */
    ListContainerInstances(input: Ecs.ListContainerInstancesRequest, ctx: RequestContext): Ecs.ListContainerInstancesResponse {
      requireCluster(c, ctx, input.cluster);
      return { containerInstanceArns: [] };
    },

    DescribeContainerInstances(input: Ecs.DescribeContainerInstancesRequest, ctx: RequestContext): Ecs.DescribeContainerInstancesResponse {
      requireCluster(c, ctx, input.cluster);
      if (!input.containerInstances.length) throw invalid('containerInstances can not be empty.');
      atMost('containerInstances', input.containerInstances, 100);
      return { containerInstances: [], failures: input.containerInstances.map((arn) => ({ arn, reason: 'MISSING' })) };
    },

    DescribeCapacityProviders(input: Ecs.DescribeCapacityProvidersRequest, ctx: RequestContext): Ecs.DescribeCapacityProvidersResponse {
      const refs = input.capacityProviders?.length ? input.capacityProviders : [...BUILT_IN_PROVIDERS];
      const found: Ecs.CapacityProvider[] = [];
      const failures: Ecs.Failure[] = [];
      for (const ref of refs) {
        const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
        if ((BUILT_IN_PROVIDERS as readonly string[]).includes(name)) found.push(providerWire(ctx, name));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : capacityProviderArn(ctx.region, ctx.accountId, ref), reason: 'MISSING' });
      }
      const p = page(found, (x) => x.name!, input.maxResults, input.nextToken, 10);
      return { capacityProviders: p.items, failures, nextToken: p.nextToken };
    },
  };
}
