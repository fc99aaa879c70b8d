// `wayfinder status`: what is running, from the server's own AWS APIs — HTTP APIs with their invoke
// URLs and routes, Cloud Map services with healthy/total instances, ECS services with
// desired/running/pending and the current deployment; of every region that holds resources, or of
// --region alone.
import { AwsCallError, callOptions, ECS, jsonCall, regionsInUse, restCall, SD, type CallOptions } from './aws-call.js';
import { parseArgs } from './args.js';

interface Api {
  apiId: string;
  name: string;
  apiEndpoint?: string;
  protocolType: string;
}
interface Stage {
  stageName: string;
  deploymentId?: string;
  autoDeploy?: boolean;
}
interface Route {
  routeKey: string;
  target?: string;
  authorizationType?: string;
}
interface Integration {
  integrationId: string;
  integrationType: string;
  connectionType?: string;
  integrationUri?: string;
}

async function apis(opts: CallOptions): Promise<string[]> {
  const out: string[] = [];
  const { items = [] } = await restCall<{ items?: Api[] }>(opts, 'GET', '/v2/apis');
  for (const api of items) {
    out.push(`  ${api.name} (${api.apiId}, ${api.protocolType})`);
    const [stages, routes, integrations] = await Promise.all([
      restCall<{ items?: Stage[] }>(opts, 'GET', `/v2/apis/${api.apiId}/stages`),
      restCall<{ items?: Route[] }>(opts, 'GET', `/v2/apis/${api.apiId}/routes`),
      restCall<{ items?: Integration[] }>(opts, 'GET', `/v2/apis/${api.apiId}/integrations`),
    ]);
    for (const s of stages.items ?? []) {
      const url = s.stageName === '$default' ? `${api.apiEndpoint}/` : `${api.apiEndpoint}/${s.stageName}/`;
      out.push(`    stage ${s.stageName.padEnd(10)} ${url}  ${s.deploymentId ? `deployment ${s.deploymentId}` : 'not deployed'}${s.autoDeploy ? ' (auto-deploy)' : ''}`);
    }
    const byId = new Map((integrations.items ?? []).map((i) => [i.integrationId, i]));
    for (const r of routes.items ?? []) {
      const i = r.target ? byId.get(r.target.replace('integrations/', '')) : undefined;
      const where = i ? `${i.integrationType}${i.connectionType === 'VPC_LINK' ? ' via VPC link' : ''} → ${i.integrationUri ?? ''}` : 'no integration (404)';
      out.push(`    route ${r.routeKey.padEnd(24)} ${where}${r.authorizationType && r.authorizationType !== 'NONE' ? ` [${r.authorizationType}]` : ''}`);
    }
  }
  return out;
}

async function cloudMap(opts: CallOptions): Promise<string[]> {
  const out: string[] = [];
  const { Namespaces = [] } = await jsonCall<{ Namespaces?: Array<{ Id: string; Name: string; Type: string }> }>(opts, 'servicediscovery', `${SD}.ListNamespaces`, {});
  const nsName = new Map(Namespaces.map((n) => [n.Id, n.Name]));
  const { Services = [] } = await jsonCall<{ Services?: Array<{ Id: string; Name: string; DnsConfig?: { NamespaceId?: string } }> }>(
    opts,
    'servicediscovery',
    `${SD}.ListServices`,
    {},
  );
  for (const s of Services) {
    const health = await jsonCall<{ Status?: Record<string, string> }>(opts, 'servicediscovery', `${SD}.GetInstancesHealthStatus`, { ServiceId: s.Id }).catch(() => ({
      Status: {},
    }));
    const statuses = Object.values(health.Status ?? {});
    const healthy = statuses.filter((v) => v !== 'UNHEALTHY').length;
    const nsId = s.DnsConfig?.NamespaceId;
    const fqdn = nsId && nsName.has(nsId) ? `${s.Name}.${nsName.get(nsId)}` : s.Name;
    out.push(`  ${fqdn.padEnd(32)} ${s.Id}  ${healthy}/${statuses.length} healthy`);
  }
  return out;
}

async function ecs(opts: CallOptions): Promise<string[]> {
  const out: string[] = [];
  const { clusterArns = [] } = await jsonCall<{ clusterArns?: string[] }>(opts, 'ecs', `${ECS}.ListClusters`, {});
  for (const clusterArn of clusterArns) {
    const cluster = clusterArn.split('/').pop()!;
    const { serviceArns = [] } = await jsonCall<{ serviceArns?: string[] }>(opts, 'ecs', `${ECS}.ListServices`, { cluster });
    for (let i = 0; i < serviceArns.length; i += 10) {
      // biome-ignore lint/suspicious/noExplicitAny: a DescribeServices answer read loosely for display
      const { services = [] } = await jsonCall<{ services?: Array<Record<string, any>> }>(opts, 'ecs', `${ECS}.DescribeServices`, {
        cluster,
        services: serviceArns.slice(i, i + 10),
      });
      for (const s of services) {
        const primary = (s.deployments ?? []).find((d: Record<string, unknown>) => d.status === 'PRIMARY');
        const deployment = primary ? `${primary.id} ${primary.rolloutState ?? ''} (${String(primary.taskDefinition).split('/').pop()})` : '';
        out.push(`  ${`${cluster}/${s.serviceName}`.padEnd(32)} desired ${s.desiredCount} running ${s.runningCount} pending ${s.pendingCount}  ${deployment}`);
      }
    }
  }
  return out;
}

type Section = [title: string, list: (o: CallOptions) => Promise<string[]>];
const SECTIONS: Section[] = [
  ['HTTP APIs', apis],
  ['Cloud Map services', cloudMap],
  ['ECS services', ecs],
];

/** One region's sections: their rows, or why they could not be listed. */
async function regionBlock(opts: CallOptions): Promise<Array<{ title: string; rows?: string[]; error?: string }>> {
  return Promise.all(
    SECTIONS.map(async ([title, list]) => {
      try {
        return { title, rows: await list(opts) };
      } catch (e) {
        return { title, error: e instanceof AwsCallError ? e.message : (e as Error).message };
      }
    }),
  );
}

export async function status(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(['--endpoint', '--region']));
  if (args.switches.has('--help') || args.switches.has('-h')) {
    process.stdout.write('Usage: wayfinder status [--region R] [--endpoint URL]   (without --region: every region that holds resources)\n');
    return 0;
  }
  const opts = callOptions(args.flags);
  let health: Record<string, unknown>;
  try {
    health = (await (await fetch(`${opts.endpoint}/_wayfinder/health`)).json()) as Record<string, unknown>;
  } catch {
    process.stderr.write(`wayfinder status: no Wayfinder answers at ${opts.endpoint} (start one with \`wayfinder up\`, or pass --endpoint)\n`);
    return 1;
  }
  const facts = [health.runtime ? `runtime ${health.runtime}` : '', health.dnsPort ? `DNS 127.0.0.1:${health.dnsPort}` : ''].filter(Boolean).join(', ');
  const lines = [`Wayfinder ${health.version} at ${opts.endpoint}${facts ? ` — ${facts}` : ''}`];
  // Without --region, every region that holds resources: the walkthrough works in eu-west-2 while a
  // shell's AWS_DEFAULT_REGION is often us-east-1, and an empty overview would mislead.
  const inUse = await regionsInUse(opts);
  const regions = args.flags.has('--region') ? [opts.region] : [opts.region, ...inUse.filter((r) => r !== opts.region)];
  const blocks = await Promise.all(regions.map(async (region) => ({ region, sections: await regionBlock({ ...opts, region }) })));
  const busy = blocks.filter((b) => b.sections.some((sec) => sec.error || sec.rows?.length));
  for (const b of busy.length ? busy : blocks.slice(0, 1)) {
    for (const sec of b.sections) {
      lines.push('', `${sec.title} (${b.region})`);
      if (sec.error) lines.push(`  (unavailable: ${sec.error})`);
      else lines.push(...(sec.rows!.length ? sec.rows! : ['  (none)']));
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
