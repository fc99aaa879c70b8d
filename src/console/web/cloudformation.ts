// CloudFormation pages: stacks, a stack's Events, Resources, Outputs and Parameters, and Create stack
// from a template (pasted or a file) with its parameters (GetTemplateSummary, then CreateStack).
import { cloudFormation } from './aws.js';
import { errorBox, field, h, link, status, table, when } from './dom.js';
import type { View } from './routes.js';

const CFN_TABLES = ['cfn_'];
const enc = encodeURIComponent;

/** A direct child element by name (query XML nests `member` lists, so descendants would mix levels). */
function child(el: Element | undefined, name: string): Element | undefined {
  return el ? [...el.children].find((c) => c.localName === name) : undefined;
}
function text(el: Element | undefined, name: string): string {
  return child(el, name)?.textContent ?? '';
}
function members(el: Element | undefined): Element[] {
  return el ? [...el.children].filter((c) => c.localName === 'member') : [];
}
function result(doc: Document, action: string): Element | undefined {
  return doc.getElementsByTagName(`${action}Result`)[0];
}

export async function stacksPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(h('h1', {}, 'Stacks'), h('div', { class: 'actions' }, h('a', { href: '#/cloudformation/create-stack', role: 'button' }, 'Create stack')), body);
  const refresh = async () => {
    const stacks = members(child(result(await cloudFormation('DescribeStacks'), 'DescribeStacks'), 'Stacks'));
    body.replaceChildren(
      table(
        ['Stack name', 'Status', 'Created time', 'Description'],
        stacks.map((s) => [
          link(`#/cloudformation/stacks/${enc(text(s, 'StackName'))}`, text(s, 'StackName')),
          status(text(s, 'StackStatus')),
          when(text(s, 'CreationTime')),
          text(s, 'Description'),
        ]),
        'Stacks',
        'No stacks',
      ),
    );
  };
  await refresh();
  return { tables: CFN_TABLES, refresh };
}

export async function stackPage(root: HTMLElement, [name]: string[]): Promise<View> {
  const body = h('div');
  root.append(h('p', {}, link('#/cloudformation/stacks', 'Stacks'), ' › ', name!), h('h1', {}, name!), body);
  const refresh = async () => {
    const [stacksDoc, eventsDoc, resourcesDoc] = await Promise.all([
      cloudFormation('DescribeStacks', { StackName: name! }),
      cloudFormation('DescribeStackEvents', { StackName: name! }),
      cloudFormation('DescribeStackResources', { StackName: name! }),
    ]);
    const stack = members(child(result(stacksDoc, 'DescribeStacks'), 'Stacks'))[0];
    const events = members(child(result(eventsDoc, 'DescribeStackEvents'), 'StackEvents'));
    const resources = members(child(result(resourcesDoc, 'DescribeStackResources'), 'StackResources'));
    body.replaceChildren(
      h('p', {}, 'Status: ', status(text(stack, 'StackStatus')), ` ${text(stack, 'StackStatusReason')}`),
      h('h2', {}, 'Outputs'),
      table(
        ['Key', 'Value', 'Description'],
        members(child(stack, 'Outputs')).map((o) => [text(o, 'OutputKey'), text(o, 'OutputValue'), text(o, 'Description')]),
        'Outputs',
        'No outputs',
      ),
      h('h2', {}, 'Resources'),
      table(
        ['Logical ID', 'Physical ID', 'Type', 'Status'],
        resources.map((r) => [text(r, 'LogicalResourceId'), text(r, 'PhysicalResourceId'), text(r, 'ResourceType'), status(text(r, 'ResourceStatus'))]),
        'Resources',
      ),
      h('h2', {}, 'Parameters'),
      table(
        ['Key', 'Value'],
        members(child(stack, 'Parameters')).map((p) => [text(p, 'ParameterKey'), text(p, 'ParameterValue')]),
        'Parameters',
        'No parameters',
      ),
      h('h2', {}, 'Events'),
      table(
        ['Timestamp', 'Logical ID', 'Status', 'Status reason'],
        events.map((e) => [when(text(e, 'Timestamp')), text(e, 'LogicalResourceId'), status(text(e, 'ResourceStatus')), text(e, 'ResourceStatusReason')]),
        'Events',
      ),
    );
  };
  await refresh();
  return { tables: CFN_TABLES, refresh };
}

export async function createStackPage(root: HTMLElement): Promise<void> {
  const template = h('textarea', { name: 'template', rows: '14', cols: '80', spellcheck: 'false' });
  const file = h('input', { type: 'file', name: 'templateFile', accept: '.json,.yaml,.yml,.template,.txt' });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (f) template.value = await f.text();
  });
  const stackName = h('input', { type: 'text', name: 'stackName', required: true });
  const params = h('fieldset', {}, h('legend', {}, 'Parameters'), h('p', { class: 'muted' }, 'Choose Next to read the template’s parameters.'));
  const out = h('div', { role: 'status', 'aria-live': 'polite' });
  const next = h('button', { type: 'button' }, 'Next');
  next.addEventListener('click', async () => {
    out.replaceChildren();
    try {
      const summary = result(await cloudFormation('GetTemplateSummary', { TemplateBody: template.value }), 'GetTemplateSummary');
      const declared = members(child(summary, 'Parameters'));
      params.replaceChildren(
        h('legend', {}, 'Parameters'),
        ...(declared.length
          ? declared.map((p) =>
              field(
                text(p, 'ParameterKey'),
                h('input', { type: 'text', name: 'param', 'data-key': text(p, 'ParameterKey'), value: text(p, 'DefaultValue') }),
                text(p, 'Description') || undefined,
              ),
            )
          : [h('p', { class: 'muted' }, 'The template declares no parameters.')]),
      );
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  });
  const form = h(
    'form',
    { class: 'aws', 'aria-label': 'Create stack' },
    h('fieldset', {}, h('legend', {}, 'Specify template'), field('Upload a template file', file), field('Template body', template), next),
    h('fieldset', {}, h('legend', {}, 'Specify stack details'), field('Stack name', stackName)),
    params,
    out,
    h('div', { class: 'actions' }, link('#/cloudformation/stacks', 'Cancel'), h('button', { type: 'submit', class: 'primary' }, 'Submit')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const request: Record<string, string> = { StackName: stackName.value, TemplateBody: template.value };
    [...form.querySelectorAll<HTMLInputElement>('input[name=param]')].forEach((p, i) => {
      request[`Parameters.member.${i + 1}.ParameterKey`] = p.dataset.key ?? '';
      request[`Parameters.member.${i + 1}.ParameterValue`] = p.value;
    });
    out.replaceChildren(h('p', { class: 'muted' }, 'Creating…'));
    try {
      await cloudFormation('CreateStack', request);
      location.hash = `#/cloudformation/stacks/${enc(stackName.value)}`;
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  });
  root.append(h('p', {}, link('#/cloudformation/stacks', 'Stacks'), ' › Create stack'), h('h1', {}, 'Create stack'), form);
}
