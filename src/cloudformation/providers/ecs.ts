// AWS::ECS::* → ECS's own operations. CloudFormation's PascalCase properties are read as ECS's
// camelCase input by the model (api-shape.ts). A service is created and then waited on until its
// deployment is steady, as CloudFormation does.
import { asInput } from './api-shape.js';
import { deleteIgnoringMissing, mergedTags, type ProviderContext, type ResourceProvider } from './provider.js';

type Props = Record<string, unknown>;
type Out = Record<string, unknown>;

const clusterName = (cluster: unknown) => String(cluster).split('/').pop()!;

function ecsTags(props: Props, ctx: ProviderContext): Array<{ key: string; value: string }> | undefined {
  const tags = mergedTags(props, ctx);
  return tags.length ? tags.map((t) => ({ key: t.Key, value: t.Value })) : undefined;
}

export const cluster: ResourceProvider = {
  type: 'AWS::ECS::Cluster',
  attributes: ['Arn'],
  replaceOn: ['ClusterName'],
  async create(props, ctx) {
    const name = (props.ClusterName as string | undefined) ?? ctx.generatedName(255);
    const input = asInput('ecs', 'CreateCluster', { ...props, settings: props.ClusterSettings, clusterName: name });
    const out = await ctx.call('ecs', 'CreateCluster', { ...input, tags: ecsTags(props, ctx) });
    return { physicalId: name, attributes: { Arn: (out.cluster as Out).clusterArn } };
  },
  async update(name, props, _old, ctx) {
    const input = asInput('ecs', 'UpdateCluster', { ...props, settings: props.ClusterSettings, cluster: name });
    const out = await ctx.call('ecs', 'UpdateCluster', input);
    if (props.CapacityProviders !== undefined || props.DefaultCapacityProviderStrategy !== undefined) {
      await ctx.call(
        'ecs',
        'PutClusterCapacityProviders',
        asInput('ecs', 'PutClusterCapacityProviders', {
          cluster: name,
          capacityProviders: props.CapacityProviders ?? [],
          defaultCapacityProviderStrategy: props.DefaultCapacityProviderStrategy ?? [],
        }),
      );
    }
    return { attributes: { Arn: (out.cluster as Out).clusterArn } };
  },
  async delete(name, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ecs', 'DeleteCluster', { cluster: name }));
  },
};

const IN_USE_RETRIES = 480; // × 250 ms: two minutes

/**
 * PutClusterCapacityProviders, retried while ECS answers ResourceInUseException, as CloudFormation's
 * handler does ("Out of retries. Last encountered error was: …"). A stack's delete removes a service
 * and its cluster's association in parallel when nothing orders them (CDK's FargateService with a
 * capacity provider strategy does not depend on the association): the provider is in use until the
 * service is gone.
 */
async function putCapacityProviders(ctx: ProviderContext, input: Record<string, unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.call('ecs', 'PutClusterCapacityProviders', input);
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ResourceInUseException') throw e;
      if (attempt >= IN_USE_RETRIES) throw new Error(`Out of retries. Last encountered error was: ${(e as Error).message}`);
      await ctx.sleep(250);
    }
  }
}

export const clusterCapacityProviderAssociations: ResourceProvider = {
  type: 'AWS::ECS::ClusterCapacityProviderAssociations',
  attributes: [],
  replaceOn: ['Cluster'],
  async create(props, ctx) {
    await putCapacityProviders(ctx, asInput('ecs', 'PutClusterCapacityProviders', { ...props, cluster: clusterName(props.Cluster) }));
    return { physicalId: clusterName(props.Cluster) };
  },
  async update(id, props, _old, ctx) {
    await putCapacityProviders(ctx, asInput('ecs', 'PutClusterCapacityProviders', { ...props, cluster: clusterName(props.Cluster) }));
    return { physicalId: id };
  },
  async delete(_id, props, ctx) {
    await deleteIgnoringMissing(() => putCapacityProviders(ctx, { cluster: clusterName(props.Cluster), capacityProviders: [], defaultCapacityProviderStrategy: [] }));
  },
};

export const taskDefinition: ResourceProvider = {
  type: 'AWS::ECS::TaskDefinition',
  attributes: ['TaskDefinitionArn'],
  // A task definition revision is immutable: every change registers a new one.
  replaceOn: ['*'],
  async create(props, ctx) {
    const family = (props.Family as string | undefined) ?? ctx.generatedName(255);
    const input = asInput('ecs', 'RegisterTaskDefinition', { ...props, family });
    const out = await ctx.call('ecs', 'RegisterTaskDefinition', { ...input, tags: ecsTags(props, ctx) });
    const arn = (out.taskDefinition as Out).taskDefinitionArn as string;
    return { physicalId: arn, attributes: { TaskDefinitionArn: arn } };
  },
  async delete(arn, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('ecs', 'DeregisterTaskDefinition', { taskDefinition: arn }));
    await deleteIgnoringMissing(() => ctx.call('ecs', 'DeleteTaskDefinitions', { taskDefinitions: [arn] }));
  },
};

const STEADY_TIMEOUT_MS = 15 * 60_000;

/** Waits until the service runs its desired count on one deployment (CloudFormation's stabilisation). */
async function waitSteady(ctx: ProviderContext, clusterArg: string, serviceArn: string): Promise<void> {
  const deadline = Date.now() + STEADY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const svc = ((await ctx.call('ecs', 'DescribeServices', { cluster: clusterArg, services: [serviceArn] })).services as Out[] | undefined)?.[0];
    const deployments = (svc?.deployments as Out[] | undefined) ?? [];
    if (svc && deployments.length === 1 && svc.runningCount === svc.desiredCount) return;
    await ctx.sleep(250);
  }
  throw new Error(`Service ${serviceArn} did not stabilize.`);
}

function serviceInput(props: Props, operation: 'CreateService' | 'UpdateService'): Out {
  return asInput('ecs', operation, { ...props, cluster: props.Cluster ? clusterName(props.Cluster) : undefined });
}

export const service: ResourceProvider = {
  type: 'AWS::ECS::Service',
  attributes: ['Name', 'ServiceArn'],
  replaceOn: ['Cluster', 'LaunchType', 'Role', 'SchedulingStrategy', 'ServiceName', 'ServiceRegistries', 'DeploymentController'],
  async create(props, ctx) {
    const name = (props.ServiceName as string | undefined) ?? ctx.generatedName(255);
    // CloudFormation: a new REPLICA service without DesiredCount starts with 1 (CDK omits it by
    // default); an update without it keeps the service's current count (UpdateService without one).
    const desired = props.DesiredCount ?? (props.SchedulingStrategy === 'DAEMON' ? undefined : 1);
    const input = serviceInput({ ...props, ServiceName: name, DesiredCount: desired }, 'CreateService');
    const out = await ctx.call('ecs', 'CreateService', { ...input, serviceName: name, tags: ecsTags(props, ctx) });
    const arn = (out.service as Out).serviceArn as string;
    return { physicalId: arn, attributes: { Name: name, ServiceArn: arn } };
  },
  async stabilize(arn, props, ctx) {
    await waitSteady(ctx, props.Cluster ? clusterName(props.Cluster) : 'default', arn);
    return undefined;
  },
  async update(arn, props, _old, ctx) {
    const input = serviceInput(props, 'UpdateService');
    const out = await ctx.call('ecs', 'UpdateService', { ...input, service: arn });
    const svc = out.service as Out;
    await waitSteady(ctx, svc.clusterArn as string, arn);
    return { attributes: { Name: svc.serviceName, ServiceArn: arn } };
  },
  async delete(arn, props, ctx) {
    const clusterArg = props.Cluster ? clusterName(props.Cluster) : 'default';
    await deleteIgnoringMissing(() => ctx.call('ecs', 'DeleteService', { cluster: clusterArg, service: arn, force: true }));
    // CloudFormation waits for the service to drain (its tasks stopped) before what it depends on goes.
    const deadline = Date.now() + STEADY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      let svc: Out | undefined;
      try {
        svc = ((await ctx.call('ecs', 'DescribeServices', { cluster: clusterArg, services: [arn] })).services as Out[] | undefined)?.[0];
      } catch {
        return;
      }
      if (!svc || svc.status === 'INACTIVE') return;
      await ctx.sleep(250);
    }
  },
};
