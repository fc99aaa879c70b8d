// Checks shared by CreateService, UpdateService and RunTask (docs/aws-behavior.md §5.4, §5.8, §6.23–24): launch type
// vs capacity providers, awsvpc network configuration (subnets and security groups exist, one VPC),
// and serviceRegistries per network mode. Messages are AWS's where they are known.
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import type { ClusterRecord, ServiceRegistryRecord, TaskDefinitionRecord } from '../store.js';
import { atMost, client, invalid, type EcsOpsContext } from './common.js';

export interface LaunchChoice {
  launchType?: Ecs.LaunchType;
  capacityProviderStrategy?: Ecs.CapacityProviderStrategyItem[];
}

/**
 * A capacity provider strategy as AWS checks it: at most 6 items, only providers associated with the
 * cluster (its capacityProviders), weights 0–1000, bases 0–100000 and on one provider at most.
 */
export function checkStrategy(strategy: Ecs.CapacityProviderStrategyItem[] | undefined, associated: string[]): void {
  atMost('capacityProviderStrategy', strategy, 6);
  for (const item of strategy ?? []) {
    if (!associated.includes(item.capacityProvider)) {
      throw invalid(
        'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
      );
    }
    if (item.weight !== undefined && (item.weight < 0 || item.weight > 1000)) throw invalid('The capacity provider strategy weight must be between 0 and 1000.');
    if (item.base !== undefined && (item.base < 0 || item.base > 100000)) throw invalid('The capacity provider strategy base must be between 0 and 100000.');
  }
  if ((strategy ?? []).filter((i) => (i.base ?? 0) > 0).length > 1) throw invalid('Only one capacity provider in a capacity provider strategy can have a base defined.');
}

/** The launch type (or capacity-provider strategy) a service or task runs with on this cluster. */
export function chooseLaunch(
  input: LaunchChoice,
  cluster: Pick<ClusterRecord, 'capacityProviders' | 'defaultCapacityProviderStrategy'>,
  td: TaskDefinitionRecord,
  useDefault = true,
): LaunchChoice {
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw invalid('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  const clusterDefault = useDefault ? cluster.defaultCapacityProviderStrategy : [];
  const strategy = input.capacityProviderStrategy?.length ? input.capacityProviderStrategy : input.launchType ? undefined : clusterDefault.length ? clusterDefault : undefined;
  checkStrategy(strategy, cluster.capacityProviders);
  const launchType = strategy ? undefined : (input.launchType ?? 'EC2');
  const fargate = launchType === 'FARGATE' || !!strategy;
  if (fargate && !td.definition.compatibilities?.includes('FARGATE')) throw client('Task definition does not support launch_type FARGATE.');
  return { ...(launchType ? { launchType } : {}), ...(strategy ? { capacityProviderStrategy: strategy } : {}) };
}

/** Validates the network configuration against the task definition's network mode. */
export function checkNetwork(
  c: EcsOpsContext,
  ctx: RequestContext,
  td: TaskDefinitionRecord,
  nc: Ecs.NetworkConfiguration | undefined,
  launchType: Ecs.LaunchType | undefined,
): Ecs.NetworkConfiguration | undefined {
  const mode = td.definition.networkMode ?? 'bridge';
  const vpcConfig = nc?.awsvpcConfiguration;
  if (mode !== 'awsvpc') {
    if (vpcConfig) throw invalid('Network Configuration is not valid for the given networkMode of this task definition.');
    return undefined;
  }
  if (!vpcConfig) throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const subnets = vpcConfig.subnets ?? [];
  if (!subnets.length) throw invalid('subnets can not be empty.');
  atMost('subnets', subnets, 16);
  atMost('securityGroups', vpcConfig.securityGroups, 5);
  if (vpcConfig.assignPublicIp === 'ENABLED' && launchType === 'EC2') throw invalid('Assign public IP is not supported for this launch type.');
  const vpcs = new Set<string>();
  for (const id of subnets) {
    const subnet = c.ec2.subnet(ctx, id);
    if (!subnet) throw invalid(`Error retrieving subnet information for [${id}]: The subnet ID '${id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`);
    vpcs.add(subnet.vpcId);
  }
  if (vpcs.size > 1) throw invalid('The subnets must all belong to the same VPC.');
  const vpcId = [...vpcs][0]!;
  for (const id of vpcConfig.securityGroups ?? []) {
    const group = c.ec2.securityGroup(ctx, id);
    if (!group) throw invalid(`Error retrieving security group information for [${id}]: The security group '${id}' does not exist (ErrorCode: InvalidGroup.NotFound)`);
    if (group.vpcId !== vpcId) throw invalid(`Security group ${id} does not belong to the VPC of the subnets (${vpcId}).`);
  }
  return { awsvpcConfiguration: { subnets: [...subnets], securityGroups: [...(vpcConfig.securityGroups ?? [])], assignPublicIp: vpcConfig.assignPublicIp ?? 'DISABLED' } };
}

/** Validates serviceRegistries (at most one) for the task definition's network mode. */
export function checkRegistries(c: EcsOpsContext, td: TaskDefinitionRecord, registries: Ecs.ServiceRegistries | undefined): ServiceRegistryRecord[] {
  const list = registries ?? [];
  atMost('serviceRegistries', list, 1);
  const mode = td.definition.networkMode ?? 'bridge';
  return list.map((r) => {
    const arn = r.registryArn ?? '';
    if (!/^arn:aws[a-z-]*:servicediscovery:[^:]*:\d{12}:service\/srv-[a-z0-9]+$/.test(arn)) throw invalid(`The service registry ARN '${arn.slice(0, 256)}' is not valid.`);
    const info = c.registration.service(arn);
    if (!info) throw invalid(`The service registry ${arn} does not exist.`);
    // Another account's Cloud Map service is not this account's to register tasks into (its API would route to them).
    if (info.accountId !== td.accountId) throw invalid(`The service registry ${arn} does not exist.`);
    if (info.region !== td.region) throw invalid(`The service registry ${arn} is not in the service's region (${td.region}).`);
    if (mode === 'none') throw invalid("Service discovery is not supported for tasks that use the 'none' network mode.");
    const hasName = r.containerName !== undefined;
    const hasCPort = r.containerPort !== undefined;
    if (hasName !== hasCPort) throw invalid(`When specifying 'containerName' or 'containerPort' for a service registry, both must be specified. Registry: ${arn}`);
    if (hasName) {
      const container = td.definition.containerDefinitions?.find((x) => x.name === r.containerName);
      if (!container) throw invalid(`The container ${r.containerName} does not exist in the task definition.`);
      if (!container.portMappings?.some((p) => p.containerPort === r.containerPort))
        throw invalid(`The container ${r.containerName} did not have a container port ${r.containerPort} defined.`);
    }
    const srv = info.recordTypes.includes('SRV');
    const addressOnly = !srv && info.recordTypes.some((t) => t === 'A' || t === 'AAAA');
    if (mode === 'bridge' || mode === 'host') {
      if (!hasName)
        throw invalid(
          `When specifying 'host' or 'bridge' for networkMode, values for 'containerName' and 'containerPort' must be specified from the task definition. Registry: ${arn}`,
        );
      if (addressOnly)
        throw invalid(`When specifying 'host' or 'bridge' for networkMode, the service registry must use SRV records (A records cannot carry the host port). Registry: ${arn}`);
    } else {
      const hasPort = r.port !== undefined;
      if (hasPort && hasName)
        throw invalid(`The values specified for serviceRegistries cannot include both 'port' and 'containerName'/'containerPort'. Remove one and retry. Registry: ${arn}`);
      if (srv && !hasPort && !hasName) {
        throw invalid(
          `When specifying 'awsvpc' for networkMode and a service registry with SRV records, a value for 'port' or values for 'containerName' and 'containerPort' must be specified. Registry: ${arn}`,
        );
      }
      if (addressOnly && hasPort) throw invalid(`The values specified for serviceRegistries do not require a value for 'port'. Remove the value and retry. Registry: ${arn}`);
      if (addressOnly && hasCPort)
        throw invalid(`The values specified for serviceRegistries do not require a value for 'containerPort'. Remove the value and retry. Registry: ${arn}`);
    }
    if (r.port !== undefined && (r.port < 1 || r.port > 65535)) throw invalid('The service registry port must be between 1 and 65535.');
    return { registryArn: arn, ...(r.port !== undefined ? { port: r.port } : {}), ...(hasName ? { containerName: r.containerName!, containerPort: r.containerPort! } : {}) };
  });
}
