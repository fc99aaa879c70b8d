// The topology of one HTTP API: route → integration → VPC link → Cloud Map service → instances (with
// health) → ECS tasks, read from the same APIs as every other page and re-read live. The API's recent
// requests (GET /_wayfinder/console/requests/{apiId}, a server-sent event stream: docs/console.md) are
// drawn along the path they took: under their route, with status, latency and the instance and task
// that answered. The data plane records them only while such a page is open.
import { apigw, cloudMap } from './aws.js';
import { h, link, status, table, when } from './dom.js';
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

/** One completed request, as the request stream sends it (gateway/recent-requests.ts). */
interface RecentRequest {
  seq: number;
  at: number;
  method: string;
  path: string;
  routeKey: string | null;
  status: number;
  latencyMs: number;
  integrationStatus: number;
  integrationLatencyMs: number;
  instanceId: string | null;
  integrationError: string | null;
}

interface Instance {
  Id: string;
  Attributes?: Record<string, string>;
}

/** One route's path, as read from the APIs; drawn again (without reading) when requests arrive. */
interface PathModel {
  route: Route;
  integration?: Integration;
  vpcLink?: VpcLink;
  service?: CloudMapService;
  instances: Instance[];
  health: Record<string, string>;
}

function statusBadge(r: RecentRequest): HTMLElement {
  const kind = r.status >= 500 ? 'bad' : r.status >= 400 ? 'warn' : 'ok';
  return h('span', { class: `req req-${kind}` }, String(r.status));
}

function latency(ms: number): string {
  return ms < 0 ? '-' : `${ms} ms`;
}

function taskLink(i: Instance | undefined, id: string): Node | string {
  const cluster = i?.Attributes?.ECS_CLUSTER_NAME;
  return cluster ? link(`#/ecs/clusters/${enc(cluster)}/tasks/${enc(id)}`, `ECS task ${id}`) : id;
}

/** A request drawn along its path: what arrived → its route → the answer → the instance and task. */
function drawRequest(r: RecentRequest, p: PathModel | undefined): HTMLElement {
  const instance = p?.instances.find((i) => i.Id === r.instanceId);
  const a = instance?.Attributes ?? {};
  const steps: (Node | string)[] = [h('span', {}, `${r.method} ${r.path}`), h('span', {}, r.routeKey ?? 'no route'), h('span', {}, statusBadge(r), ` ${latency(r.latencyMs)}`)];
  if (r.instanceId) steps.push(h('span', {}, `${a.AWS_INSTANCE_IPV4 ?? ''}:${a.AWS_INSTANCE_PORT ?? ''} `, taskLink(instance, r.instanceId)));
  // The arrows are text, so a screen reader (and a test) reads the request's path as it is drawn.
  const li = h('li', { class: 'trace' });
  for (const [i, s] of steps.entries()) li.append(...(i ? [h('span', { class: 'muted' }, ' → '), s] : [s]));
  if (r.integrationError) li.append(h('span', { class: 'muted' }, ` ${r.integrationError}`));
  return li;
}

function drawPath(p: PathModel, requests: RecentRequest[]): HTMLElement {
  const r = p.route;
  const chain: HTMLElement[] = [hop('Route', h('strong', {}, r.routeKey))];
  const integration = p.integration;
  if (!integration) chain.push(hop('Integration', 'none (404)'));
  else if (integration.connectionType !== 'VPC_LINK') chain.push(hop('Integration', `${integration.integrationType} ${integration.integrationUri ?? ''}`));
  else {
    chain.push(hop('Integration', `${integration.integrationType} (private)`));
    chain.push(hop('VPC link', p.vpcLink ? `${p.vpcLink.name} ` : `${integration.connectionId} `, status(p.vpcLink?.vpcLinkStatus ?? 'DELETED')));
    if (!p.service) chain.push(hop('Cloud Map service', `${integration.integrationUri} (not found)`));
    else {
      chain.push(hop('Cloud Map service', p.service.Name));
      chain.push(
        hop(
          'Instances',
          p.instances.length === 0
            ? 'none (503)'
            : h(
                'ul',
                {},
                ...p.instances.map((i) => {
                  const a = i.Attributes ?? {};
                  const last = requests.find((q) => q.instanceId === i.Id);
                  return h(
                    'li',
                    {},
                    status(p.health[i.Id] ?? 'UNKNOWN'),
                    ` ${a.AWS_INSTANCE_IPV4 ?? ''}:${a.AWS_INSTANCE_PORT ?? ''} → `,
                    taskLink(i, i.Id),
                    last ? h('span', { class: 'muted' }, ' · last request ', statusBadge(last), ` ${latency(last.latencyMs)}`) : null,
                  );
                }),
              ),
        ),
      );
    }
  }
  const mine = requests.filter((q) => q.routeKey === r.routeKey);
  return h(
    'section',
    { class: 'path', 'aria-label': `Path of ${r.routeKey}` },
    h('div', { class: 'hops' }, ...chain),
    mine.length ? h('ol', { class: 'traces', 'aria-label': `Requests on ${r.routeKey}` }, ...mine.map((q) => drawRequest(q, p))) : null,
  );
}

function requestTable(requests: RecentRequest[], paths: PathModel[]): HTMLElement {
  return table(
    ['Time', 'Method', 'Path', 'Route', 'Status', 'Latency', 'Integration latency', 'Instance'],
    requests.map((r) => {
      const p = paths.find((x) => x.route.routeKey === r.routeKey);
      return [
        when(r.at),
        r.method,
        r.path,
        r.routeKey ?? 'no route',
        statusBadge(r),
        latency(r.latencyMs),
        latency(r.integrationLatencyMs),
        r.instanceId
          ? taskLink(
              p?.instances.find((i) => i.Id === r.instanceId),
              r.instanceId,
            )
          : '-',
      ];
    }),
    'Recent requests',
    'No requests yet: send one from the Test panel, curl or a browser.',
  );
}

async function readPath(route: Route, integrations: Integration[], links: VpcLink[], services: CloudMapService[]): Promise<PathModel> {
  const integration = integrations.find((i) => route.target === `integrations/${i.integrationId}`);
  const p: PathModel = { route, integration, instances: [], health: {} };
  if (integration?.connectionType !== 'VPC_LINK') return p;
  p.vpcLink = links.find((l) => l.vpcLinkId === integration.connectionId);
  p.service = services.find((s) => s.Arn === integration.integrationUri);
  if (!p.service) return p;
  p.instances = (await cloudMap<{ Instances: Instance[] }>('ListInstances', { ServiceId: p.service.Id })).Instances;
  if (p.instances.length) p.health = (await cloudMap<{ Status: Record<string, string> }>('GetInstancesHealthStatus', { ServiceId: p.service.Id })).Status;
  return p;
}

export async function topologyPage(root: HTMLElement, [apiId]: string[]): Promise<View> {
  const base = `/v2/apis/${enc(apiId!)}`;
  const api = await apigw<Api>('GET', base);
  const body = h('div');
  const feed = h('p', { class: 'muted', role: 'status' }, 'Connecting to the request feed…');
  const recent = h('div');
  root.append(h('p', {}, link('#/topology', 'Topology'), ' › ', api.name), h('h1', {}, `Topology of ${api.name}`), body, h('h2', {}, 'Recent requests'), feed, recent);
  let paths: PathModel[] = [];
  /** Newest first, at most the feed's capacity. */
  let requests: RecentRequest[] = [];
  let capacity = 50;
  const draw = () => {
    const unmatched = requests.filter((q) => q.routeKey === null);
    const sections = paths.length ? paths.map((p) => drawPath(p, requests)) : [h('p', { class: 'muted' }, 'No routes')];
    if (unmatched.length) {
      sections.push(
        h(
          'section',
          { class: 'path', 'aria-label': 'No route matched' },
          h('div', { class: 'hops' }, hop('Route', 'none matched (404)')),
          h('ol', { class: 'traces', 'aria-label': 'Requests no route matched' }, ...unmatched.map((q) => drawRequest(q, undefined))),
        ),
      );
    }
    body.replaceChildren(...sections);
    recent.replaceChildren(requestTable(requests, paths));
  };
  const refresh = async () => {
    const [{ items: routes }, { items: integrations }, { items: links }, { Services }] = await Promise.all([
      apigw<{ items: Route[] }>('GET', `${base}/routes`),
      apigw<{ items: Integration[] }>('GET', `${base}/integrations`),
      apigw<{ items: VpcLink[] }>('GET', '/v2/vpclinks'),
      cloudMap<{ Services: CloudMapService[] }>('ListServices'),
    ]);
    paths = await Promise.all(routes.map((r) => readPath(r, integrations, links, Services)));
    draw();
  };
  await refresh();
  const events = new EventSource(`/_wayfinder/console/requests/${enc(apiId!)}`);
  events.addEventListener('hello', (e) => {
    capacity = (JSON.parse((e as MessageEvent<string>).data) as { capacity: number }).capacity;
    feed.textContent = `Recording: the last ${capacity} requests of this API, while this page is open.`;
  });
  events.addEventListener('requests', (e) => {
    const batch = JSON.parse((e as MessageEvent<string>).data) as RecentRequest[];
    const known = new Set(requests.map((q) => q.seq));
    requests = [...batch.filter((q) => !known.has(q.seq)).reverse(), ...requests].slice(0, capacity);
    draw();
  });
  events.addEventListener('error', () => {
    feed.textContent = 'The request feed is not connected (recent requests are shown only to a console on the machine Wayfinder runs on).';
  });
  return { tables: ['gw_', 'cloudmap_', 'ecs_'], refresh, dispose: () => events.close() };
}
