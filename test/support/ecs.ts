// Helpers for ECS end-to-end tests: SDK clients for a server, a private DNS namespace with a Cloud
// Map service, tiny HTTP task commands (busybox httpd), and bounded polling.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as ECS from '@aws-sdk/client-ecs';
import * as SD from '@aws-sdk/client-servicediscovery';
import * as EC2 from '@aws-sdk/client-ec2';
import { sdkConfig } from './server.js';

export interface Clients {
  ecs: ECS.ECSClient;
  sd: SD.ServiceDiscoveryClient;
  ec2: EC2.EC2Client;
  destroy(): void;
}

export function clients(server: { port: number }, region = 'us-east-1'): Clients {
  const ecs = new ECS.ECSClient(sdkConfig(server, region));
  const sd = new SD.ServiceDiscoveryClient({ ...sdkConfig(server, region), disableHostPrefix: true });
  const ec2 = new EC2.EC2Client(sdkConfig(server, region));
  return { ecs, sd, ec2, destroy: () => (ecs.destroy(), sd.destroy(), ec2.destroy()) };
}

/** Polls until probe returns a truthy value (bounded: ~30 s by default). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export async function defaultNetwork(ec2: EC2.EC2Client): Promise<{ vpcId: string; subnets: string[] }> {
  const { Vpcs } = await ec2.send(new EC2.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const vpcId = Vpcs![0]!.VpcId!;
  const { Subnets } = await ec2.send(new EC2.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  return { vpcId, subnets: Subnets!.map((s) => s.SubnetId!) };
}

/** A private DNS namespace and a Cloud Map service in it (SRV records, custom health by default). */
export async function cloudMapService(
  sd: SD.ServiceDiscoveryClient,
  vpcId: string,
  opts: { namespace?: string; service?: string; records?: Array<'A' | 'SRV'>; customHealth?: boolean } = {},
) {
  const namespace = opts.namespace ?? 'internal';
  const { OperationId } = await sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: namespace, Vpc: vpcId }));
  const namespaceId = await waitFor('namespace', async () => {
    const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId }));
    return Operation?.Status === 'SUCCESS' ? Operation.Targets?.NAMESPACE : undefined;
  });
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({
      Name: opts.service ?? 'api',
      NamespaceId: namespaceId,
      DnsConfig: { DnsRecords: (opts.records ?? ['SRV']).map((Type) => ({ Type, TTL: 10 })) },
      ...(opts.customHealth === false ? {} : { HealthCheckCustomConfig: { FailureThreshold: 1 } }),
    }),
  );
  return { namespace, namespaceId, serviceName: Service!.Name!, serviceId: Service!.Id!, serviceArn: Service!.Arn! };
}

/**
 * The seed's front door to a Cloud Map service: a VPC link (waited for AVAILABLE), an HTTP API, a private
 * integration through the link, `ANY /{proxy+}` and an auto-deployed `$default` stage. Returns the API id.
 */
export async function privateHttpApi(apigw: AG.ApiGatewayV2Client, name: string, subnets: string[], serviceArn: string): Promise<string> {
  const link = (await apigw.send(new AG.CreateVpcLinkCommand({ Name: `${name}-link`, SubnetIds: subnets }))).VpcLinkId!;
  await waitFor('VPC link AVAILABLE', async () => (await apigw.send(new AG.GetVpcLinkCommand({ VpcLinkId: link }))).VpcLinkStatus === 'AVAILABLE');
  const api = await apigw.send(new AG.CreateApiCommand({ Name: name, ProtocolType: 'HTTP' }));
  const integration = await apigw.send(
    new AG.CreateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      ConnectionType: 'VPC_LINK',
      ConnectionId: link,
      IntegrationUri: serviceArn,
      PayloadFormatVersion: '1.0',
    }),
  );
  await apigw.send(new AG.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'ANY /{proxy+}', Target: `integrations/${integration.IntegrationId}` }));
  await apigw.send(new AG.CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
  return api.ApiId!;
}

/** A directory with index.html, for busybox httpd. */
export function wwwDir(body = 'hello from a task'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wf-www-'));
  writeFileSync(join(dir, 'index.html'), `${body}\n`);
  return dir;
}

/** A process-runtime HTTP server on $PORT serving `dir`. */
export function httpCommand(dir: string): string[] {
  return ['sh', '-c', `exec busybox httpd -f -p "127.0.0.1:$PORT" -h "${dir}"`];
}

export async function describeService(ecs: ECS.ECSClient, cluster: string, service: string): Promise<ECS.Service> {
  return (await ecs.send(new ECS.DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
}

export async function runningTasks(ecs: ECS.ECSClient, cluster: string, serviceName?: string): Promise<ECS.Task[]> {
  const { taskArns } = await ecs.send(new ECS.ListTasksCommand({ cluster, ...(serviceName ? { serviceName } : {}) }));
  if (!taskArns?.length) return [];
  return (await ecs.send(new ECS.DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks!;
}

export async function discover(sd: SD.ServiceDiscoveryClient, namespace: string, service: string, health: SD.HealthStatusFilter = 'HEALTHY'): Promise<SD.HttpInstanceSummary[]> {
  return (await sd.send(new SD.DiscoverInstancesCommand({ NamespaceName: namespace, ServiceName: service, HealthStatus: health }))).Instances ?? [];
}

export const taskIdOf = (t: { taskArn?: string }) => t.taskArn!.split('/').pop()!;

/** True when the process exists and is not a zombie. */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}
