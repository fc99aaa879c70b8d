// The topology of one HTTP API: route → integration → VPC link → Cloud Map service → instances (with
// health) → ECS tasks, read from the same APIs as every other page and re-read live. Requests drawn
// along their path (recent requests, status, latency) are not built yet: they need a request feed
// the APIs do not offer.
import { apigw, cloudMap } from './aws.js';
import { h, link, status, table } from './dom.js';
import type { View } from './routes.js';

const enc = encodeURIComponent;

interface Api {
  apiId: string;
  name: string;
}
interface Route {
  routeKey: string;
  target?: string;
}
interface Integration {
  integrationId: string;
  integrationType: string;
  connectionType?: string;
  connectionId?: string;
  integrationUri?: string;
}
interface VpcLink {
  vpcLinkId: string;
  name: string;
  vpcLinkStatus: string;
}
interface CloudMapService {
  Id: string;
  Arn: string;
  Name: string;
}

export async function topologyIndexPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(h('h1', {}, 'Topology'), h('p', {}, 'Choose an HTTP API to see its path from route to task.'), body);
  const refresh = async () => {
    const { items } = await apigw<{ items: Api[] }>('GET', '/v2/apis');
    body.replaceChildren(
      table(
        ['API'],
        items.map((a) => [link(`#/topology/${enc(a.apiId)}`, `${a.name} (${a.apiId})`)]),
        'APIs',
        'No APIs',
      ),
    );
  };
  await refresh();
  return { tables: ['gw_'], refresh };
}

function hop(kind: string, ...content: (Node | string)[]): HTMLElement {
  return h('div', { class: 'hop' }, h('span', { class: 'muted' }, kind), ' ', ...content);
}

export async function topologyPage(root: HTMLElement, [apiId]: string[]): Promise<View> {
  const base = `/v2/apis/${enc(apiId!)}`;
  const api = await apigw<Api>('GET', base);
  const body = h('div');
  root.append(h('p', {}, link('#/topology', 'Topology'), ' › ', api.name), h('h1', {}, `Topology of ${api.name}`), body);
  const refresh = async () => {
    const [{ items: routes }, { items: integrations }, { items: links }, { Services }] = await Promise.all([
      apigw<{ items: Route[] }>('GET', `${base}/routes`),
      apigw<{ items: Integration[] }>('GET', `${base}/integrations`),
      apigw<{ items: VpcLink[] }>('GET', '/v2/vpclinks'),
      cloudMap<{ Services: CloudMapService[] }>('ListServices'),
    ]);
    const paths: HTMLElement[] = [];
    for (const r of routes) {
      const chain: HTMLElement[] = [hop('Route', h('strong', {}, r.routeKey))];
      const integration = integrations.find((i) => r.target === `integrations/${i.integrationId}`);
      if (!integration) chain.push(hop('Integration', 'none (404)'));
      else if (integration.connectionType !== 'VPC_LINK') chain.push(hop('Integration', `${integration.integrationType} ${integration.integrationUri ?? ''}`));
      else {
        const vpcLink = links.find((l) => l.vpcLinkId === integration.connectionId);
        const service = Services.find((s) => s.Arn === integration.integrationUri);
        chain.push(hop('Integration', `${integration.integrationType} (private)`));
        chain.push(hop('VPC link', vpcLink ? `${vpcLink.name} ` : `${integration.connectionId} `, status(vpcLink?.vpcLinkStatus ?? 'DELETED')));
        if (!service) chain.push(hop('Cloud Map service', `${integration.integrationUri} (not found)`));
        else {
          chain.push(hop('Cloud Map service', service.Name));
          const { Instances } = await cloudMap<{ Instances: { Id: string; Attributes?: Record<string, string> }[] }>('ListInstances', { ServiceId: service.Id });
          const health = Instances.length ? (await cloudMap<{ Status: Record<string, string> }>('GetInstancesHealthStatus', { ServiceId: service.Id })).Status : {};
          chain.push(
            hop(
              'Instances',
              Instances.length === 0
                ? 'none (503)'
                : h(
                    'ul',
                    {},
                    ...Instances.map((i) => {
                      const a = i.Attributes ?? {};
                      const cluster = a.ECS_CLUSTER_NAME;
                      const task = cluster ? link(`#/ecs/clusters/${enc(cluster)}/tasks/${enc(i.Id)}`, `ECS task ${i.Id}`) : i.Id;
                      return h('li', {}, status(health[i.Id] ?? 'UNKNOWN'), ` ${a.AWS_INSTANCE_IPV4 ?? ''}:${a.AWS_INSTANCE_PORT ?? ''} → `, task);
                    }),
                  ),
            ),
          );
        }
      }
      paths.push(h('section', { class: 'path', 'aria-label': `Path of ${r.routeKey}` }, ...chain));
    }
    body.replaceChildren(
      ...(paths.length ? paths : [h('p', { class: 'muted' }, 'No routes')]),
      h('p', { class: 'muted' }, 'Requests drawn along their path are not available yet.'),
    );
  };
  await refresh();
  return { tables: ['gw_', 'cloudmap_', 'ecs_'], refresh };
}
