// Amazon ECS pages: clusters, a cluster's Services and Tasks tabs, a service's deployments, events
// and tasks. The Create service form is in ecs-create-service.ts.
import { ecs } from './aws.js';
import { field, h, link, select, status, table, when } from './dom.js';
import type { View } from './routes.js';

export interface Cluster {
  clusterName: string;
  clusterArn: string;
  status: string;
  activeServicesCount: number;
  runningTasksCount: number;
  pendingTasksCount: number;
}
export interface Service {
  serviceName: string;
  serviceArn: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  launchType?: string;
  taskDefinition: string;
  deployments?: {
    id: string;
    status: string;
    taskDefinition: string;
    desiredCount: number;
    runningCount: number;
    pendingCount: number;
    rolloutState?: string;
    createdAt?: number;
  }[];
  events?: { id: string; createdAt: number; message: string }[];
  serviceRegistries?: { registryArn: string }[];
}
export interface Task {
  taskArn: string;
  lastStatus: string;
  desiredStatus: string;
  taskDefinitionArn: string;
  group?: string;
  startedAt?: number;
  healthStatus?: string;
  stoppedReason?: string;
  containers?: { name: string; image?: string; lastStatus: string; exitCode?: number; reason?: string; networkInterfaces?: { privateIpv4Address?: string }[] }[];
}

const ECS_TABLES = ['ecs_'];
const enc = encodeURIComponent;
export const lastPart = (arn: string) => arn.split('/').pop() ?? arn;

export async function clustersPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(h('h1', {}, 'Clusters'), body);
  const refresh = async () => {
    const { clusterArns } = await ecs<{ clusterArns: string[] }>('ListClusters');
    const clusters = clusterArns.length ? (await ecs<{ clusters: Cluster[] }>('DescribeClusters', { clusters: clusterArns })).clusters : [];
    body.replaceChildren(
      table(
        ['Cluster', 'Status', 'Services', 'Running tasks', 'Pending tasks'],
        clusters.map((c) => [
          link(`#/ecs/clusters/${enc(c.clusterName)}/services`, c.clusterName),
          status(c.status),
          c.activeServicesCount,
          c.runningTasksCount,
          c.pendingTasksCount,
        ]),
        'Clusters',
        'No clusters',
      ),
    );
  };
  await refresh();
  return { tables: ECS_TABLES, refresh };
}

function clusterTabs(cluster: string, tab: 'services' | 'tasks'): HTMLElement {
  const tabLink = (id: 'services' | 'tasks', text: string) => h('a', { href: `#/ecs/clusters/${enc(cluster)}/${id}`, 'aria-current': tab === id ? 'page' : undefined }, text);
  return h('div', { class: 'tabs', role: 'navigation', 'aria-label': 'Cluster tabs' }, tabLink('services', 'Services'), tabLink('tasks', 'Tasks'));
}

export async function describeServices(cluster: string, arns: string[]): Promise<Service[]> {
  const out: Service[] = [];
  for (let i = 0; i < arns.length; i += 10) out.push(...(await ecs<{ services: Service[] }>('DescribeServices', { cluster, services: arns.slice(i, i + 10) })).services);
  return out;
}

export async function describeTasks(cluster: string, arns: string[]): Promise<Task[]> {
  const out: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) out.push(...(await ecs<{ tasks: Task[] }>('DescribeTasks', { cluster, tasks: arns.slice(i, i + 100) })).tasks);
  return out;
}

export function tasksTable(tasks: Task[], cluster: string): HTMLElement {
  return table(
    ['Task', 'Last status', 'Desired status', 'Task definition', 'Group', 'Private IP', 'Started at'],
    tasks.map((t) => [
      link(`#/ecs/clusters/${enc(cluster)}/tasks/${lastPart(t.taskArn)}`, lastPart(t.taskArn)),
      status(t.lastStatus),
      t.desiredStatus,
      lastPart(t.taskDefinitionArn),
      t.group ?? '-',
      t.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address ?? '-',
      when(t.startedAt),
    ]),
    'Tasks',
    'No tasks',
  );
}

export async function clusterPage(root: HTMLElement, [cluster, tab]: string[]): Promise<View> {
  const name = cluster!;
  const which = tab === 'tasks' ? 'tasks' : 'services';
  const body = h('div');
  root.append(h('p', {}, link('#/ecs/clusters', 'Clusters'), ' › ', name), h('h1', {}, name), clusterTabs(name, which), body);
  const filter = select(
    [
      { value: 'RUNNING', label: 'Running' },
      { value: 'STOPPED', label: 'Stopped' },
    ],
    { name: 'desiredStatus' },
  );
  const refresh =
    which === 'services'
      ? async () => {
          const { serviceArns } = await ecs<{ serviceArns: string[] }>('ListServices', { cluster: name });
          const services = await describeServices(name, serviceArns);
          body.replaceChildren(
            h('div', { class: 'actions' }, h('a', { href: `#/ecs/clusters/${enc(name)}/create-service`, role: 'button', class: 'button' }, 'Create')),
            table(
              ['Service name', 'Status', 'Desired tasks', 'Running tasks', 'Pending tasks', 'Launch type', 'Task definition'],
              services.map((s) => [
                link(`#/ecs/clusters/${enc(name)}/services/${enc(s.serviceName)}`, s.serviceName),
                status(s.status),
                s.desiredCount,
                s.runningCount,
                s.pendingCount,
                s.launchType ?? '-',
                lastPart(s.taskDefinition),
              ]),
              'Services',
              'No services',
            ),
          );
        }
      : async () => {
          // The AWS console's default filter: desired status Running (a stopped task leaves the list).
          const desired = filter.value;
          const { taskArns } = await ecs<{ taskArns: string[] }>('ListTasks', { cluster: name, desiredStatus: desired });
          body.replaceChildren(field('Filter desired status', filter), tasksTable(await describeTasks(name, taskArns), name));
        };
  filter.addEventListener('change', () => void refresh());
  await refresh();
  return { tables: ECS_TABLES, refresh };
}

export async function servicePage(root: HTMLElement, [cluster, service]: string[]): Promise<View> {
  const c = cluster!;
  const body = h('div');
  root.append(h('p', {}, link('#/ecs/clusters', 'Clusters'), ' › ', link(`#/ecs/clusters/${enc(c)}/services`, c), ' › ', service!), h('h1', {}, service!), body);
  const refresh = async () => {
    const [s] = await describeServices(c, [service!]);
    if (!s) throw new Error(`Service ${service} not found`);
    const { taskArns } = await ecs<{ taskArns: string[] }>('ListTasks', { cluster: c, serviceName: service });
    const tasks = await describeTasks(c, taskArns);
    body.replaceChildren(
      h(
        'p',
        {},
        'Status: ',
        status(s.status),
        ` · Desired ${s.desiredCount} · Running ${s.runningCount} · Pending ${s.pendingCount} · Task definition ${lastPart(s.taskDefinition)}`,
      ),
      h('h2', {}, 'Deployments'),
      table(
        ['Deployment', 'Status', 'Rollout state', 'Task definition', 'Desired', 'Running', 'Pending', 'Created'],
        (s.deployments ?? []).map((d) => [d.id, d.status, status(d.rolloutState), lastPart(d.taskDefinition), d.desiredCount, d.runningCount, d.pendingCount, when(d.createdAt)]),
        'Deployments',
      ),
      h('h2', {}, 'Tasks'),
      tasksTable(tasks, c),
      h('h2', {}, 'Events'),
      table(
        ['Started at', 'Message'],
        (s.events ?? []).slice(0, 50).map((e) => [when(e.createdAt), e.message]),
        'Events',
        'No events',
      ),
    );
  };
  await refresh();
  return { tables: ECS_TABLES, refresh };
}
