// What the seed made on a server, read with aws CLI v2 (/usr/bin/aws) and written without ids or names:
// the kinds and counts of resources and the settings that matter (Fargate, no public IP, SRV on port
// 80 in a private namespace, the VPC link on the service's subnets and security groups, `ANY /` to a
// private HTTP_PROXY integration through that link to that Cloud Map service, `$default` deployed).
// Ids become relations ("the VPC link's subnets are the service's"), so two servers compare equal
// when they hold the same shape. The console test compares the clicks with walkthrough.sh this way.
import { awsCli } from './aws-cli.js';

async function cli<T>(port: number, ...args: string[]): Promise<T> {
  const r = await awsCli(port, [...args, '--output', 'json'], { v2: true });
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON, read loosely; the comparison is the check.
type Json = Record<string, any>;

const sorted = (a: readonly string[] | undefined) => [...(a ?? [])].sort();
const same = (a: readonly string[] | undefined, b: readonly string[] | undefined) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

interface Tagged {
  Tags?: unknown;
}

export async function seedInventory(port: number): Promise<Record<string, unknown>> {
  const { Vpcs } = await cli<{ Vpcs: Tagged[] }>(port, 'ec2', 'describe-vpcs');
  const { Subnets } = await cli<{ Subnets: { SubnetId: string }[] }>(port, 'ec2', 'describe-subnets');
  const { SecurityGroups } = await cli<{ SecurityGroups: { GroupName: string }[] }>(port, 'ec2', 'describe-security-groups');
  const { clusterArns } = await cli<{ clusterArns: string[] }>(port, 'ecs', 'list-clusters');
  const { taskDefinitionArns } = await cli<{ taskDefinitionArns: string[] }>(port, 'ecs', 'list-task-definitions');
  const cluster = clusterArns[0]!;
  const { serviceArns } = await cli<{ serviceArns: string[] }>(port, 'ecs', 'list-services', '--cluster', cluster);
  const { services } = await cli<{ services: Json[] }>(port, 'ecs', 'describe-services', '--cluster', cluster, '--services', ...serviceArns);
  const svc = services[0]!;
  const net = svc.networkConfiguration.awsvpcConfiguration;
  const { taskArns } = await cli<{ taskArns: string[] }>(port, 'ecs', 'list-tasks', '--cluster', cluster, '--desired-status', 'RUNNING');
  const { Namespaces } = await cli<{ Namespaces: { Id: string; Type: string }[] }>(port, 'servicediscovery', 'list-namespaces');
  const { Services: sdServices } = await cli<{ Services: Json[] }>(port, 'servicediscovery', 'list-services');
  const sd = sdServices[0]!;
  const { Service: sdFull } = await cli<{ Service: Json }>(port, 'servicediscovery', 'get-service', '--id', sd.Id);
  const { Instances } = await cli<{ Instances: unknown[] }>(port, 'servicediscovery', 'list-instances', '--service-id', sd.Id);
  const { Items: links } = await cli<{ Items: Json[] }>(port, 'apigatewayv2', 'get-vpc-links');
  const link = links[0]!;
  const { Items: apis } = await cli<{ Items: Json[] }>(port, 'apigatewayv2', 'get-apis');
  const api = apis[0]!;
  const { Items: routes } = await cli<{ Items: Json[] }>(port, 'apigatewayv2', 'get-routes', '--api-id', api.ApiId);
  const { Items: integrations } = await cli<{ Items: Json[] }>(port, 'apigatewayv2', 'get-integrations', '--api-id', api.ApiId);
  const { Items: stages } = await cli<{ Items: Json[] }>(port, 'apigatewayv2', 'get-stages', '--api-id', api.ApiId);
  const { Items: deployments } = await cli<{ Items: Json[] }>(port, 'apigatewayv2', 'get-deployments', '--api-id', api.ApiId);
  const { repositories } = await cli<{ repositories: unknown[] }>(port, 'ecr', 'describe-repositories');
  const integration = integrations[0]!;
  return {
    ec2: { vpcs: Vpcs.length, subnets: Subnets.length, securityGroups: SecurityGroups.filter((g) => g.GroupName !== 'default').length },
    ecr: { repositories: repositories.length },
    ecs: {
      clusters: clusterArns.length,
      taskDefinitions: taskDefinitionArns.length,
      services: serviceArns.length,
      launchType: svc.launchType,
      desiredCount: svc.desiredCount,
      assignPublicIp: net.assignPublicIp,
      subnets: net.subnets.length,
      securityGroups: net.securityGroups.length,
      loadBalancers: svc.loadBalancers?.length ?? 0,
      serviceRegistries: (svc.serviceRegistries as Json[]).map((r) => ({ port: r.port, isTheCloudMapService: r.registryArn === sd.Arn })),
      runningTasks: taskArns.length,
    },
    cloudMap: {
      namespaces: Namespaces.map((n) => n.Type),
      services: sdServices.length,
      inTheNamespace: sdFull.NamespaceId === Namespaces[0]?.Id,
      dnsConfig: { routingPolicy: sdFull.DnsConfig?.RoutingPolicy, records: sdFull.DnsConfig?.DnsRecords },
      healthCheckCustomConfig: sdFull.HealthCheckCustomConfig,
      instances: Instances.length,
    },
    apiGateway: {
      vpcLinks: links.length,
      vpcLinkStatus: link.VpcLinkStatus,
      vpcLinkOnTheServiceSubnets: same(link.SubnetIds, net.subnets),
      vpcLinkOnTheServiceSecurityGroups: same(link.SecurityGroupIds, net.securityGroups),
      apis: apis.map((a) => a.ProtocolType),
      routes: routes.map((r) => ({ routeKey: r.RouteKey, toTheIntegration: r.Target === `integrations/${integration.IntegrationId}`, authorizationType: r.AuthorizationType })),
      integrations: integrations.map((i) => ({
        type: i.IntegrationType,
        method: i.IntegrationMethod,
        connectionType: i.ConnectionType,
        throughTheVpcLink: i.ConnectionId === link.VpcLinkId,
        toTheCloudMapService: i.IntegrationUri === sd.Arn,
        payloadFormatVersion: i.PayloadFormatVersion,
      })),
      stages: stages.map((s) => ({ name: s.StageName, autoDeploy: s.AutoDeploy ?? false, deployed: Boolean(s.DeploymentId) })),
      deployments: deployments.length,
    },
  };
}
