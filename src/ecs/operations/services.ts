// Services (docs/aws-behavior.md §5.4): create / update / describe / list / delete and ListServicesByNamespace.
// Handlers only validate and write records; the scheduler (scheduler/controller.ts) does the rest.
import { accountRootArn } from '../../kernel/arn.js';
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { serviceArn, serviceNameOf } from '../arns.js';
import { newDeployment, promote } from '../scheduler/deployments.js';
import { serviceKey, type DeploymentConfigurationRecord, type ServiceRecord, type TaskRecord } from '../store.js';
import { serviceWire } from './wire.js';
import { atMost, checkTags, invalid, page, requireCluster, usableTaskDefinition, findTaskDefinition, type EcsOpsContext } from './common.js';
import { checkNetwork, checkRegistries, chooseLaunch } from './placement-rules.js';
import { scopePrefix, partitionOf } from '../../store/store.js';

const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

function deploymentConfiguration(given: Ecs.DeploymentConfiguration | undefined, base: DeploymentConfigurationRecord, daemon: boolean): DeploymentConfigurationRecord {
  const out: DeploymentConfigurationRecord = {
    maximumPercent: given?.maximumPercent ?? base.maximumPercent,
    minimumHealthyPercent: given?.minimumHealthyPercent ?? base.minimumHealthyPercent,
    deploymentCircuitBreaker: given?.deploymentCircuitBreaker
      ? { enable: !!given.deploymentCircuitBreaker.enable, rollback: !!given.deploymentCircuitBreaker.rollback }
      : base.deploymentCircuitBreaker,
  };
  if (given?.strategy && given.strategy !== 'ROLLING') throw invalid(`Deployment strategy ${given.strategy} is not supported by Wayfinder; use ROLLING.`);
  if (out.minimumHealthyPercent < 0 || out.minimumHealthyPercent > 100) throw invalid('minimumHealthyPercent must be between 0 and 100.');
  if (!daemon && out.maximumPercent < 100) throw invalid('maximumPercent must be greater than or equal to 100 for services using the rolling update (ECS) deployment type.');
  if (daemon && out.maximumPercent > 100) throw invalid('The maximumPercent for a DAEMON service must be 100.');
  return out;
}

export function serviceOperations(c: EcsOpsContext) {
  const tasksOf = (s: ServiceRecord): TaskRecord[] =>
    c.index
      .tasksOf(serviceKey(s, s.cluster, s.name))
      .map((k) => c.ecs.tasks.get(k))
      .filter((t): t is TaskRecord => !!t);
  const wire = (s: ServiceRecord, includeTags = false) => serviceWire(s, tasksOf(s), includeTags);

  function serviceIn(ctx: RequestContext, cluster: string, ref: string): ServiceRecord | undefined {
    const name = serviceNameOf(ref, cluster, ctx);
    return name === undefined ? undefined : c.ecs.services.get(serviceKey(ctx, cluster, name));
  }

  function requireService(ctx: RequestContext, clusterRef: string | undefined, ref: string): ServiceRecord {
    const cluster = requireCluster(c, ctx, clusterRef);
    const s = serviceIn(ctx, cluster.name, ref);
    if (!s) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return s;
  }

  function createService(input: Ecs.CreateServiceRequest, ctx: RequestContext): Ecs.CreateServiceResponse {
    // The cluster and task definition are only read here: frozen shared copies, no query or parse per call.
    const cluster = requireCluster(c, ctx, input.cluster, true);
    if (!SERVICE_NAME.test(input.serviceName)) throw invalid('Service name can have up to 255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.');
    const key = serviceKey(ctx, cluster.name, input.serviceName);
    const existing = c.ecs.services.get(key);
    if (existing && existing.status !== 'INACTIVE') {
      if (input.clientToken && existing.clientToken === input.clientToken) return { service: wire(existing, true) };
      throw invalid('Creation of service was not idempotent.');
    }
    const controllerType = input.deploymentController?.type ?? 'ECS';
    if (controllerType !== 'ECS') throw invalid(`The ${controllerType} deployment controller is not supported by Wayfinder; use ECS.`);
    const strategy = input.schedulingStrategy ?? 'REPLICA';
    if (!input.taskDefinition) throw invalid('A task definition must be specified for services that use the ECS deployment controller.');
    const td = usableTaskDefinition(c, ctx, input.taskDefinition, true);
    if (strategy === 'REPLICA' && input.desiredCount === undefined)
      throw invalid('The desiredCount parameter must be specified for services that use the REPLICA scheduling strategy.');
    if ((input.desiredCount ?? 0) < 0) throw invalid('desiredCount must be greater than or equal to 0.');
    const launch = chooseLaunch(input, cluster, td);
    if (strategy === 'DAEMON' && (launch.launchType === 'FARGATE' || launch.capacityProviderStrategy))
      throw invalid('The DAEMON scheduling strategy is not supported with Fargate.');
    const network = checkNetwork(c, ctx, td, input.networkConfiguration, launch.launchType);
    const registries = checkRegistries(c, td, input.serviceRegistries);
    // `role` is the load balancer role of services without a service-linked role; awsvpc services use the
    // service-linked one, and AWS refuses a role for them.
    if (input.role && td.definition.networkMode === 'awsvpc') throw invalid('You cannot specify an IAM role for services that require a service linked role.');
    for (const lb of input.loadBalancers ?? []) {
      throw invalid(`The target group with targetGroupArn ${lb.targetGroupArn ?? lb.loadBalancerName ?? ''} does not exist.`);
    }
    const config = deploymentConfiguration(
      input.deploymentConfiguration,
      { maximumPercent: strategy === 'DAEMON' ? 100 : 200, minimumHealthyPercent: strategy === 'DAEMON' ? 0 : 100, deploymentCircuitBreaker: { enable: false, rollback: false } },
      strategy === 'DAEMON',
    );
    if (input.healthCheckGracePeriodSeconds !== undefined && input.healthCheckGracePeriodSeconds < 0)
      throw invalid('healthCheckGracePeriodSeconds must be greater than or equal to 0.');
    const tags = checkTags(input.tags);
    const now = c.now();
    const record: ServiceRecord = {
      region: ctx.region,
      accountId: ctx.accountId,
      cluster: cluster.name,
      name: input.serviceName,
      arn: serviceArn(ctx.region, ctx.accountId, cluster.name, input.serviceName),
      status: 'ACTIVE',
      desiredCount: strategy === 'DAEMON' ? 1 : input.desiredCount!,
      ...launch,
      ...(input.platformVersion ? { platformVersion: input.platformVersion } : {}),
      taskDefinition: td.arn,
      deploymentConfiguration: config,
      ...(network ? { networkConfiguration: network } : {}),
      serviceRegistries: registries,
      loadBalancers: [],
      ...(input.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds } : {}),
      schedulingStrategy: strategy,
      deploymentController: { type: 'ECS' },
      placementConstraints: input.placementConstraints ?? [],
      placementStrategy: input.placementStrategy ?? [],
      deployments: [],
      events: [],
      createdAt: now,
      createdBy: accountRootArn(ctx.accountId),
      tags,
      propagateTags: input.propagateTags ?? 'NONE',
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      // AWS: a create without it gets ENABLED.
      availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? 'ENABLED',
      ...(input.clientToken ? { clientToken: input.clientToken } : {}),
      steady: false,
    };
    promote(
      record,
      newDeployment({ taskDefinition: td.arn, networkConfiguration: network, serviceRegistries: registries, ...launch, platformVersion: input.platformVersion }, now),
      now,
    );
    // One write, in the caller's one transaction, for the new service and the scheduler's answer to it (its first
    // pass writes the service, from its own copy: `record` stays as created); the record as created when there is no
    // pass or it failed. The answer is the record as created (IN_PROGRESS, no events), as AWS answers.
    if (!c.firstPassTx?.(key, record)) c.ecs.services.putTx(key, record);
    return { service: wire(record, true) };
  }

  return {
    CreateService(input: Ecs.CreateServiceRequest, ctx: RequestContext): Ecs.CreateServiceResponse {
      // One transaction from the first read: the name check reads inside it, so the call takes SQLite's file and
      // WAL locks once (each read outside a transaction takes and drops them: 5 fcntl calls).
      return c.ecs.store.withTx(() => createService(input, ctx));
    },

    UpdateService(input: Ecs.UpdateServiceRequest, ctx: RequestContext): Ecs.UpdateServiceResponse {
      const current = requireService(ctx, input.cluster, input.service);
      if (current.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
      const cluster = requireCluster(c, ctx, input.cluster);
      const tdChanged = input.taskDefinition !== undefined;
      const td = tdChanged ? usableTaskDefinition(c, ctx, input.taskDefinition!) : findTaskDefinition(c, ctx, current.taskDefinition);
      if (!td) throw invalid('The task definition of the service no longer exists.');
      const launch =
        input.capacityProviderStrategy !== undefined
          ? chooseLaunch({ capacityProviderStrategy: input.capacityProviderStrategy }, cluster, td)
          : chooseLaunch({ launchType: current.launchType, capacityProviderStrategy: current.capacityProviderStrategy }, cluster, td, false);
      const networkGiven = input.networkConfiguration !== undefined;
      const network = checkNetwork(c, ctx, td, networkGiven ? input.networkConfiguration : current.networkConfiguration, launch.launchType);
      const registries =
        input.serviceRegistries !== undefined
          ? checkRegistries(c, td, input.serviceRegistries)
          : tdChanged
            ? checkRegistries(c, td, current.serviceRegistries)
            : current.serviceRegistries;
      if (input.loadBalancers?.length) throw invalid(`The target group with targetGroupArn ${input.loadBalancers[0]!.targetGroupArn ?? ''} does not exist.`);
      const config = deploymentConfiguration(input.deploymentConfiguration, current.deploymentConfiguration, current.schedulingStrategy === 'DAEMON');
      if (input.desiredCount !== undefined && input.desiredCount < 0) throw invalid('desiredCount must be greater than or equal to 0.');
      if (input.healthCheckGracePeriodSeconds !== undefined && input.healthCheckGracePeriodSeconds < 0)
        throw invalid('healthCheckGracePeriodSeconds must be greater than or equal to 0.');
      if (input.deploymentController && input.deploymentController.type !== 'ECS') throw invalid('Updating the deployment controller is not supported by Wayfinder.');
      const now = c.now();
      const key = serviceKey(ctx, current.cluster, current.name);
      const next = c.ecs.store.withTx(() => {
        const s = c.ecs.services.get(key)!;
        const primary = s.deployments.find((d) => d.status === 'PRIMARY');
        const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
        const needsDeployment =
          !!input.forceNewDeployment ||
          (tdChanged && td.arn !== s.taskDefinition) ||
          (networkGiven && !same(network, s.networkConfiguration)) ||
          (input.serviceRegistries !== undefined && !same(registries, s.serviceRegistries)) ||
          (input.capacityProviderStrategy !== undefined && !same(launch.capacityProviderStrategy, s.capacityProviderStrategy)) ||
          (input.platformVersion !== undefined && input.platformVersion !== s.platformVersion);
        if (input.desiredCount !== undefined) s.desiredCount = s.schedulingStrategy === 'DAEMON' ? 1 : input.desiredCount;
        s.deploymentConfiguration = config;
        if (input.healthCheckGracePeriodSeconds !== undefined) s.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
        if (input.enableExecuteCommand !== undefined) s.enableExecuteCommand = input.enableExecuteCommand;
        if (input.enableECSManagedTags !== undefined) s.enableECSManagedTags = input.enableECSManagedTags;
        if (input.propagateTags !== undefined) s.propagateTags = input.propagateTags;
        // Not a deployment change on AWS either; an update without it keeps the service's value.
        if (input.availabilityZoneRebalancing !== undefined) s.availabilityZoneRebalancing = input.availabilityZoneRebalancing;
        if (input.placementConstraints !== undefined) s.placementConstraints = input.placementConstraints;
        if (input.placementStrategy !== undefined) s.placementStrategy = input.placementStrategy;
        if (input.platformVersion !== undefined) s.platformVersion = input.platformVersion;
        if (needsDeployment || !primary) {
          if (network) s.networkConfiguration = network;
          else delete s.networkConfiguration;
          s.serviceRegistries = registries;
          if (launch.capacityProviderStrategy) {
            s.capacityProviderStrategy = launch.capacityProviderStrategy;
            delete s.launchType;
          }
          promote(
            s,
            newDeployment({ taskDefinition: td.arn, networkConfiguration: network, serviceRegistries: registries, ...launch, platformVersion: s.platformVersion }, now),
            now,
          );
        } else {
          primary.updatedAt = now;
          s.steady = false;
        }
        c.ecs.services.putTx(key, s);
        return s;
      });
      return { service: wire(next) };
    },

    DeleteService(input: Ecs.DeleteServiceRequest, ctx: RequestContext): Ecs.DeleteServiceResponse {
      const current = requireService(ctx, input.cluster, input.service);
      if (current.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
      if (!input.force && current.desiredCount > 0 && current.schedulingStrategy === 'REPLICA') throw invalid('The service cannot be stopped while it is scaled above 0.');
      const key = serviceKey(ctx, current.cluster, current.name);
      const next = c.ecs.store.withTx(() => {
        const s = c.ecs.services.get(key)!;
        s.status = 'DRAINING';
        s.desiredCount = 0;
        s.steady = false;
        c.ecs.services.putTx(key, s);
        return s;
      });
      return { service: wire(next) };
    },

    DescribeServices(input: Ecs.DescribeServicesRequest, ctx: RequestContext): Ecs.DescribeServicesResponse {
      const cluster = requireCluster(c, ctx, input.cluster);
      if (!input.services.length) throw invalid('Services cannot be empty.');
      atMost('services', input.services, 10);
      const services: Ecs.Service[] = [];
      const failures: Ecs.Failure[] = [];
      for (const ref of input.services) {
        const s = serviceIn(ctx, cluster.name, ref);
        if (s) services.push(wire(s, input.include?.includes('TAGS')));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : serviceArn(ctx.region, ctx.accountId, cluster.name, ref), reason: 'MISSING' });
      }
      return { services, failures };
    },

    ListServices(input: Ecs.ListServicesRequest, ctx: RequestContext): Ecs.ListServicesResponse {
      const cluster = requireCluster(c, ctx, input.cluster);
      const items = c.ecs.services
        .withPrefix(`${partitionOf(ctx)}/${cluster.name}/`)
        .filter((s) => s.status !== 'INACTIVE')
        .filter((s) => !input.launchType || s.launchType === input.launchType || (input.launchType === 'FARGATE' && !!s.capacityProviderStrategy))
        .filter((s) => !input.schedulingStrategy || s.schedulingStrategy === input.schedulingStrategy);
      const p = page(items, (s) => s.arn, input.maxResults ?? 10, input.nextToken); // page() checks 1–100
      return { serviceArns: p.items.map((s) => s.arn), nextToken: p.nextToken };
    },

    ListServicesByNamespace(input: Ecs.ListServicesByNamespaceRequest, ctx: RequestContext): Ecs.ListServicesByNamespaceResponse {
      const ns = input.namespace;
      if (!c.registration.hasNamespace(ctx, ns)) throw new AwsError('NamespaceNotFoundException', 'Namespace not found.');
      const nsId = /namespace\/(ns-[a-z0-9]+)$/.exec(ns)?.[1];
      const matches = (registryArn: string) => {
        const info = c.registration.service(registryArn);
        if (!info) return false;
        return nsId ? info.namespaceId === nsId : info.namespaceId === ns || info.namespaceName === ns;
      };
      const items = c.ecs.services.withPrefix(scopePrefix(ctx)).filter((s) => s.status === 'ACTIVE' && s.serviceRegistries.some((r) => matches(r.registryArn)));
      const p = page(items, (s) => s.arn, input.maxResults, input.nextToken);
      return { serviceArns: p.items.map((s) => s.arn), nextToken: p.nextToken };
    },
  };
}
