// Drift readers: one per resource type, keyed by type. Each reads the live resource through its
// service's OWN operations (ctx.call, as the providers do) and returns its properties in whatever
// case the service answers (compare.ts matches names case-insensitively), or undefined when the
// resource is gone (DELETED). `readable` lists the properties a reader fully knows: one of those the
// template sets but the service no longer has is drift (REMOVE); any other property the service does
// not return is not compared. A type without a reader is NOT_CHECKED. A new type: add its reader here.
import { isNotFound, type ProviderContext } from '../providers/provider.js';

type Obj = Record<string, unknown>;

export interface LiveResource {
  props: Obj;
  readable?: readonly string[];
}

export type DriftReader = (physicalId: string, expected: Obj, ctx: ProviderContext) => Promise<LiveResource | undefined>;

/** Runs a read; a service's "not found" means the resource is gone. */
async function orGone<T>(fn: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

const first = (out: Obj, list: string): Obj | undefined => (out[list] as Obj[] | undefined)?.[0];
const lastSegment = (v: unknown) => String(v).split('/').pop()!;

// ---- EC2 ----

/** EC2's IpPermissions as CloudFormation's rule list (one rule per range or peer, as a template writes them). */
function rules(perms: Obj[] | undefined, egress: boolean): Obj[] {
  const out: Obj[] = [];
  for (const p of perms ?? []) {
    const base: Obj = { IpProtocol: p.IpProtocol, ...(p.IpProtocol === '-1' ? {} : { FromPort: p.FromPort, ToPort: p.ToPort }) };
    for (const r of (p.IpRanges as Obj[] | undefined) ?? []) out.push({ ...base, CidrIp: r.CidrIp, Description: r.Description });
    for (const r of (p.Ipv6Ranges as Obj[] | undefined) ?? []) out.push({ ...base, CidrIpv6: r.CidrIpv6, Description: r.Description });
    for (const g of (p.UserIdGroupPairs as Obj[] | undefined) ?? [])
      out.push({ ...base, [egress ? 'DestinationSecurityGroupId' : 'SourceSecurityGroupId']: g.GroupId, Description: g.Description });
    for (const l of (p.PrefixListIds as Obj[] | undefined) ?? [])
      out.push({ ...base, [egress ? 'DestinationPrefixListId' : 'SourcePrefixListId']: l.PrefixListId, Description: l.Description });
  }
  return out;
}

const vpc: DriftReader = (id, _e, ctx) =>
  orGone(async () => {
    const v = first(await ctx.call('ec2', 'DescribeVpcs', { VpcIds: [id] }), 'Vpcs');
    if (!v) return undefined;
    const attr = async (Attribute: string, key: string) => ((await ctx.call('ec2', 'DescribeVpcAttribute', { VpcId: id, Attribute }))[key] as Obj | undefined)?.Value;
    return {
      props: { ...v, EnableDnsSupport: await attr('enableDnsSupport', 'EnableDnsSupport'), EnableDnsHostnames: await attr('enableDnsHostnames', 'EnableDnsHostnames') },
      readable: ['CidrBlock', 'EnableDnsSupport', 'EnableDnsHostnames', 'InstanceTenancy', 'Tags'],
    };
  });

const subnet: DriftReader = (id, _e, ctx) =>
  orGone(async () => {
    const s = first(await ctx.call('ec2', 'DescribeSubnets', { SubnetIds: [id] }), 'Subnets');
    return s && { props: s, readable: ['VpcId', 'CidrBlock', 'AvailabilityZone', 'MapPublicIpOnLaunch', 'Tags'] };
  });

const securityGroup: DriftReader = (id, _e, ctx) =>
  orGone(async () => {
    const g = first(await ctx.call('ec2', 'DescribeSecurityGroups', { GroupIds: [id] }), 'SecurityGroups');
    if (!g) return undefined;
    return {
      props: {
        GroupName: g.GroupName,
        GroupDescription: g.Description,
        VpcId: g.VpcId,
        SecurityGroupIngress: rules(g.IpPermissions as Obj[], false),
        SecurityGroupEgress: rules(g.IpPermissionsEgress as Obj[], true),
        Tags: g.Tags,
      },
      readable: ['GroupName', 'GroupDescription', 'VpcId', 'SecurityGroupIngress', 'SecurityGroupEgress', 'Tags'],
    };
  });

const internetGateway: DriftReader = (id, _e, ctx) =>
  orGone(async () => {
    const g = first(await ctx.call('ec2', 'DescribeInternetGateways', { InternetGatewayIds: [id] }), 'InternetGateways');
    return g && { props: g, readable: ['Tags'] };
  });

const routeTable: DriftReader = (id, _e, ctx) =>
  orGone(async () => {
    const t = first(await ctx.call('ec2', 'DescribeRouteTables', { RouteTableIds: [id] }), 'RouteTables');
    return t && { props: t, readable: ['VpcId', 'Tags'] };
  });

// ---- IAM, Logs ----

const role: DriftReader = (name, _e, ctx) =>
  orGone(async () => {
    const r = (await ctx.call('iam', 'GetRole', { RoleName: name })).Role as Obj;
    const attached = ((await ctx.call('iam', 'ListAttachedRolePolicies', { RoleName: name })).AttachedPolicies as Obj[] | undefined) ?? [];
    const names = ((await ctx.call('iam', 'ListRolePolicies', { RoleName: name })).PolicyNames as string[] | undefined) ?? [];
    const policies: Obj[] = [];
    for (const n of names) {
      const p = await ctx.call('iam', 'GetRolePolicy', { RoleName: name, PolicyName: n });
      policies.push({ PolicyName: n, PolicyDocument: p.PolicyDocument });
    }
    return {
      props: { ...r, ManagedPolicyArns: attached.map((a) => a.PolicyArn), Policies: policies },
      readable: ['RoleName', 'Path', 'AssumeRolePolicyDocument', 'Description', 'MaxSessionDuration', 'ManagedPolicyArns', 'Policies', 'Tags'],
    };
  });

const logGroup: DriftReader = (name, _e, ctx) =>
  orGone(async () => {
    const groups = ((await ctx.call('logs', 'DescribeLogGroups', { logGroupNamePrefix: name })).logGroups as Obj[] | undefined) ?? [];
    const g = groups.find((x) => x.logGroupName === name);
    if (!g) return undefined;
    const tags = (await ctx.call('logs', 'ListTagsLogGroup', { logGroupName: name })).tags;
    return { props: { ...g, Tags: tags ?? {} }, readable: ['LogGroupName', 'RetentionInDays', 'KmsKeyId', 'LogGroupClass', 'Tags'] };
  });

// ---- ECS ----

const ecsTags = (tags: unknown) => ((tags as Obj[] | undefined) ?? []).map((t) => ({ Key: t.key, Value: t.value }));

const cluster: DriftReader = (name, _e, ctx) =>
  orGone(async () => {
    const c = first(await ctx.call('ecs', 'DescribeClusters', { clusters: [name], include: ['SETTINGS', 'TAGS'] }), 'clusters');
    if (!c || c.status === 'INACTIVE') return undefined;
    return { props: { ...c, ClusterSettings: c.settings, Tags: ecsTags(c.tags) }, readable: ['ClusterName', 'Tags'] };
  });

const taskDefinition: DriftReader = (arn, _e, ctx) =>
  orGone(async () => {
    const out = await ctx.call('ecs', 'DescribeTaskDefinition', { taskDefinition: arn, include: ['TAGS'] });
    const td = out.taskDefinition as Obj | undefined;
    if (!td || td.status === 'DELETE_IN_PROGRESS') return undefined;
    return {
      props: { ...td, Tags: ecsTags(out.tags) },
      readable: ['Family', 'ContainerDefinitions', 'Cpu', 'Memory', 'NetworkMode', 'RequiresCompatibilities', 'ExecutionRoleArn', 'TaskRoleArn'],
    };
  });

const service: DriftReader = (arn, expected, ctx) =>
  orGone(async () => {
    const clusterArg = expected.Cluster ? lastSegment(expected.Cluster) : 'default';
    const s = first(await ctx.call('ecs', 'DescribeServices', { cluster: clusterArg, services: [arn], include: ['TAGS'] }), 'services');
    if (!s || s.status === 'INACTIVE') return undefined;
    return {
      // The template may name the task definition and cluster by name or ARN; the service answers ARNs.
      props: { ...s, Cluster: expected.Cluster !== undefined && String(s.clusterArn).endsWith(`/${clusterArg}`) ? expected.Cluster : s.clusterArn, Tags: ecsTags(s.tags) },
      readable: ['ServiceName', 'DesiredCount', 'TaskDefinition', 'LaunchType', 'Cluster'],
    };
  });

// ---- Cloud Map ----

const namespace: DriftReader = (id, _e, ctx) =>
  orGone(async () => {
    const ns = (await ctx.call('servicediscovery', 'GetNamespace', { Id: id })).Namespace as Obj;
    return { props: ns, readable: ['Name', 'Description'] };
  });

const discoveryService: DriftReader = (id, _e, ctx) =>
  orGone(async () => {
    const s = (await ctx.call('servicediscovery', 'GetService', { Id: id })).Service as Obj;
    return { props: s, readable: ['Name', 'Description', 'NamespaceId', 'DnsConfig', 'HealthCheckCustomConfig'] };
  });

// ---- API Gateway v2 ----

const api: DriftReader = (id, _e, ctx) =>
  orGone(async () => ({ props: await ctx.call('apigatewayv2', 'GetApi', { ApiId: id }), readable: ['Name', 'ProtocolType', 'Description', 'Tags'] }));

const apiRoute: DriftReader = (id, e, ctx) =>
  orGone(async () => ({ props: await ctx.call('apigatewayv2', 'GetRoute', { ApiId: e.ApiId, RouteId: id }), readable: ['RouteKey', 'Target', 'AuthorizationType'] }));

const apiIntegration: DriftReader = (id, e, ctx) =>
  orGone(async () => ({
    props: await ctx.call('apigatewayv2', 'GetIntegration', { ApiId: e.ApiId, IntegrationId: id }),
    readable: ['IntegrationType', 'IntegrationUri', 'IntegrationMethod', 'ConnectionType', 'ConnectionId', 'PayloadFormatVersion'],
  }));

const apiStage: DriftReader = (name, e, ctx) =>
  orGone(async () => ({ props: await ctx.call('apigatewayv2', 'GetStage', { ApiId: e.ApiId, StageName: name }), readable: ['StageName', 'AutoDeploy', 'StageVariables'] }));

const vpcLink: DriftReader = (id, _e, ctx) =>
  orGone(async () => ({ props: await ctx.call('apigatewayv2', 'GetVpcLink', { VpcLinkId: id }), readable: ['Name', 'SubnetIds', 'SecurityGroupIds', 'Tags'] }));

export const DRIFT_READERS: ReadonlyMap<string, DriftReader> = new Map([
  ['AWS::EC2::VPC', vpc],
  ['AWS::EC2::Subnet', subnet],
  ['AWS::EC2::SecurityGroup', securityGroup],
  ['AWS::EC2::InternetGateway', internetGateway],
  ['AWS::EC2::RouteTable', routeTable],
  ['AWS::IAM::Role', role],
  ['AWS::Logs::LogGroup', logGroup],
  ['AWS::ECS::Cluster', cluster],
  ['AWS::ECS::TaskDefinition', taskDefinition],
  ['AWS::ECS::Service', service],
  ['AWS::ServiceDiscovery::PrivateDnsNamespace', namespace],
  ['AWS::ServiceDiscovery::PublicDnsNamespace', namespace],
  ['AWS::ServiceDiscovery::HttpNamespace', namespace],
  ['AWS::ServiceDiscovery::Service', discoveryService],
  ['AWS::ApiGatewayV2::Api', api],
  ['AWS::ApiGatewayV2::Route', apiRoute],
  ['AWS::ApiGatewayV2::Integration', apiIntegration],
  ['AWS::ApiGatewayV2::Stage', apiStage],
  ['AWS::ApiGatewayV2::VpcLink', vpcLink],
]);
