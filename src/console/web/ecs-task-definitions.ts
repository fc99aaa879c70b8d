// ECS task definitions: families, a family's revisions, one revision's containers and JSON, and
// "Create new task definition with JSON" (RegisterTaskDefinition with the pasted document). Also a
// task's containers.
import { ecs } from './aws.js';
import { errorBox, field, h, link, status, table } from './dom.js';
import { describeTasks, lastPart } from './ecs.js';
import type { View } from './routes.js';

const ECS_TABLES = ['ecs_'];
const enc = encodeURIComponent;

interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  cpu?: number;
  memory?: number;
  portMappings?: { containerPort?: number; protocol?: string }[];
}

export async function taskDefinitionsPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(
    h('h1', {}, 'Task definitions'),
    h('div', { class: 'actions' }, h('a', { href: '#/ecs/create-task-definition', role: 'button' }, 'Create new task definition with JSON')),
    body,
  );
  const refresh = async () => {
    const { families } = await ecs<{ families: string[] }>('ListTaskDefinitionFamilies', { status: 'ACTIVE' });
    body.replaceChildren(
      table(
        ['Task definition'],
        families.map((f) => [link(`#/ecs/task-definitions/${enc(f)}`, f)]),
        'Task definitions',
        'No task definitions',
      ),
    );
  };
  await refresh();
  return { tables: ECS_TABLES, refresh };
}

export async function familyPage(root: HTMLElement, [family]: string[]): Promise<View> {
  const body = h('div');
  root.append(h('p', {}, link('#/ecs/task-definitions', 'Task definitions'), ' › ', family!), h('h1', {}, family!), body);
  const refresh = async () => {
    const { taskDefinitionArns } = await ecs<{ taskDefinitionArns: string[] }>('ListTaskDefinitions', { familyPrefix: family, sort: 'DESC' });
    body.replaceChildren(
      table(
        ['Revision', 'Task definition'],
        taskDefinitionArns
          .filter((a) => lastPart(a).startsWith(`${family}:`))
          .map((a) => [link(`#/ecs/task-definitions/${enc(family!)}/${lastPart(a).split(':').pop()}`, lastPart(a).split(':').pop()!), lastPart(a)]),
        'Revisions',
        'No revisions',
      ),
    );
  };
  await refresh();
  return { tables: ECS_TABLES, refresh };
}

export async function revisionPage(root: HTMLElement, [family, revision]: string[]): Promise<void> {
  const { taskDefinition } = await ecs<{ taskDefinition: { status: string; containerDefinitions: ContainerDefinition[]; networkMode?: string; cpu?: string; memory?: string } }>(
    'DescribeTaskDefinition',
    { taskDefinition: `${family}:${revision}` },
  );
  root.append(
    h('p', {}, link('#/ecs/task-definitions', 'Task definitions'), ' › ', link(`#/ecs/task-definitions/${enc(family!)}`, family!), ' › ', revision!),
    h('h1', {}, `${family}:${revision}`),
    h(
      'p',
      {},
      'Status: ',
      status(taskDefinition.status),
      ` · Network mode ${taskDefinition.networkMode ?? '-'} · CPU ${taskDefinition.cpu ?? '-'} · Memory ${taskDefinition.memory ?? '-'}`,
    ),
    h('h2', {}, 'Containers'),
    table(
      ['Container name', 'Image', 'Essential', 'Port mappings'],
      taskDefinition.containerDefinitions.map((c) => [
        c.name,
        c.image,
        c.essential === false ? 'No' : 'Yes',
        (c.portMappings ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'tcp'}`).join(', ') || '-',
      ]),
      'Containers',
    ),
    h('h2', {}, 'JSON'),
    h('pre', {}, JSON.stringify(taskDefinition, null, 2)),
  );
}

export async function createTaskDefinitionPage(root: HTMLElement): Promise<void> {
  const json = h('textarea', { name: 'json', rows: '18', cols: '80', spellcheck: 'false' });
  json.value = JSON.stringify({ family: '', containerDefinitions: [{ name: '', image: '', essential: true, memory: 512 }] }, null, 2);
  const out = h('div', { role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'aws', 'aria-label': 'Create new task definition with JSON' },
    field('Task definition JSON', json),
    out,
    h('div', { class: 'actions' }, link('#/ecs/task-definitions', 'Cancel'), h('button', { type: 'submit', class: 'primary' }, 'Create')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const { taskDefinition } = await ecs<{ taskDefinition: { family: string; revision: number } }>('RegisterTaskDefinition', JSON.parse(json.value) as object);
      location.hash = `#/ecs/task-definitions/${enc(taskDefinition.family)}/${taskDefinition.revision}`;
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  });
  root.append(h('p', {}, link('#/ecs/task-definitions', 'Task definitions'), ' › Create'), h('h1', {}, 'Create new task definition with JSON'), form);
}

export async function taskPage(root: HTMLElement, [cluster, task]: string[]): Promise<View> {
  const body = h('div');
  root.append(h('p', {}, link('#/ecs/clusters', 'Clusters'), ' › ', link(`#/ecs/clusters/${enc(cluster!)}/tasks`, cluster!), ' › ', task!), h('h1', {}, `Task ${task}`), body);
  const refresh = async () => {
    const [t] = await describeTasks(cluster!, [task!]);
    if (!t) throw new Error(`Task ${task} not found`);
    // awslogs streams are named <prefix>/<container>/<task id> (the ECS awslogs driver's rule).
    const { taskDefinition } = await ecs<{
      taskDefinition: { containerDefinitions: (ContainerDefinition & { logConfiguration?: { logDriver: string; options?: Record<string, string> } })[] };
    }>('DescribeTaskDefinition', { taskDefinition: t.taskDefinitionArn });
    const logLinks = taskDefinition.containerDefinitions.flatMap((c) => {
      const o = c.logConfiguration?.logDriver === 'awslogs' ? c.logConfiguration.options : undefined;
      if (!o?.['awslogs-group'] || !o['awslogs-stream-prefix']) return [];
      const streamName = `${o['awslogs-stream-prefix']}/${c.name}/${task}`;
      return [link(`#/logs/groups/${enc(o['awslogs-group'])}/${enc(streamName)}`, `${c.name}: ${o['awslogs-group']} › ${streamName}`)];
    });
    body.replaceChildren(
      h(
        'p',
        {},
        'Last status: ',
        status(t.lastStatus),
        ` · Desired status ${t.desiredStatus} · ${lastPart(t.taskDefinitionArn)}${t.stoppedReason ? ` · Stopped reason: ${t.stoppedReason}` : ''}`,
      ),
      h('h2', {}, 'Containers'),
      table(
        ['Container name', 'Image', 'Last status', 'Exit code', 'Reason'],
        (t.containers ?? []).map((c) => [c.name, c.image ?? '-', status(c.lastStatus), c.exitCode ?? '-', c.reason ?? '-']),
        'Containers',
      ),
      h('h2', {}, 'Logs'),
      logLinks.length
        ? h('ul', {}, ...logLinks.map((l) => h('li', {}, l)))
        : h('p', { class: 'muted' }, 'No container uses the awslogs log driver: `wayfinder logs` shows their output.'),
    );
  };
  await refresh();
  return { tables: ECS_TABLES, refresh };
}
