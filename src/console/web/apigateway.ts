// API Gateway pages: VPC links (list with status, Create), APIs (list, Create API for HTTP), and one
// API's routes with their integrations (attach a private resource: a Cloud Map service through a VPC
// link), stages and Deploy, the invoke URL, and the Test panel (the route explainer, docs/gateway.md).
import { apigw, cloudMap, ec2 } from './aws.js';
import { errorBox, field, h, link, select, status, table } from './dom.js';
import type { View } from './routes.js';

const GW_TABLES = ['gw_'];
const enc = encodeURIComponent;

interface VpcLink {
  vpcLinkId: string;
  name: string;
  vpcLinkStatus: string;
  vpcLinkStatusMessage?: string;
  subnetIds: string[];
  securityGroupIds: string[];
}
interface Api {
  apiId: string;
  name: string;
  protocolType: string;
  apiEndpoint: string;
}
interface Route {
  routeId: string;
  routeKey: string;
  target?: string;
  authorizationType?: string;
  authorizerId?: string;
}
interface Integration {
  integrationId: string;
  integrationType: string;
  connectionType?: string;
  connectionId?: string;
  integrationUri?: string;
}
interface Authorizer {
  authorizerId: string;
  name: string;
  authorizerType: string;
  identitySource?: string[];
  jwtConfiguration?: { issuer?: string; audience?: string[] };
}
interface Stage {
  stageName: string;
  autoDeploy?: boolean;
  deploymentId?: string;
  lastUpdatedDate?: string;
}

/** Runs a form's action, showing progress and AWS's error in its status area. */
function submitting(form: HTMLFormElement, out: HTMLElement, action: () => Promise<Node | undefined | void>): void {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.replaceChildren(h('p', { class: 'muted' }, 'Working…'));
    try {
      const done = await action();
      out.replaceChildren(...(done ? [done] : []));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  });
}

async function subnetOptions(): Promise<{ value: string; label: string }[]> {
  const doc = await ec2('DescribeSubnets');
  return [...(doc.getElementsByTagName('subnetSet')[0]?.children ?? [])].map((i) => {
    const id = i.getElementsByTagName('subnetId')[0]?.textContent ?? '';
    return { value: id, label: `${id} (${i.getElementsByTagName('vpcId')[0]?.textContent} ${i.getElementsByTagName('availabilityZone')[0]?.textContent})` };
  });
}

async function groupOptions(): Promise<{ value: string; label: string }[]> {
  const doc = await ec2('DescribeSecurityGroups');
  return [...(doc.getElementsByTagName('securityGroupInfo')[0]?.children ?? [])].map((i) => {
    const id = i.getElementsByTagName('groupId')[0]?.textContent ?? '';
    return { value: id, label: `${id} (${i.getElementsByTagName('groupName')[0]?.textContent})` };
  });
}

export async function vpcLinksPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(h('h1', {}, 'VPC links'), h('div', { class: 'actions' }, h('a', { href: '#/apigateway/create-vpc-link', role: 'button' }, 'Create')), body);
  const refresh = async () => {
    const { items } = await apigw<{ items: VpcLink[] }>('GET', '/v2/vpclinks');
    body.replaceChildren(
      table(
        ['Name', 'ID', 'Status', 'Subnets', 'Security groups'],
        items.map((l) => [l.name, l.vpcLinkId, status(l.vpcLinkStatus), l.subnetIds.join(', '), l.securityGroupIds.join(', ')]),
        'VPC links',
        'No VPC links',
      ),
    );
  };
  await refresh();
  return { tables: GW_TABLES, refresh };
}

export async function createVpcLinkPage(root: HTMLElement): Promise<void> {
  const name = h('input', { type: 'text', name: 'name', required: true });
  const subnets = h(
    'fieldset',
    {},
    h('legend', {}, 'Subnets'),
    ...(await subnetOptions()).map((s) => field(s.label, h('input', { type: 'checkbox', name: 'subnet', value: s.value }))),
  );
  const groups = h(
    'fieldset',
    {},
    h('legend', {}, 'Security groups'),
    ...(await groupOptions()).map((g) => field(g.label, h('input', { type: 'checkbox', name: 'group', value: g.value }))),
  );
  const out = h('div', { role: 'status' });
  const form = h(
    'form',
    { class: 'aws', 'aria-label': 'Create VPC link' },
    field('Name', name),
    subnets,
    groups,
    out,
    h('div', { class: 'actions' }, link('#/apigateway/vpc-links', 'Cancel'), h('button', { type: 'submit', class: 'primary' }, 'Create')),
  );
  submitting(form, out, async () => {
    const checked = (n: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name=${n}]:checked`)].map((i) => i.value);
    await apigw('POST', '/v2/vpclinks', { name: name.value, subnetIds: checked('subnet'), securityGroupIds: checked('group') });
    location.hash = '#/apigateway/vpc-links';
  });
  root.append(h('p', {}, link('#/apigateway/vpc-links', 'VPC links'), ' › Create'), h('h1', {}, 'Create VPC link'), form);
}

export async function apisPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(h('h1', {}, 'APIs'), h('div', { class: 'actions' }, h('a', { href: '#/apigateway/create-api', role: 'button' }, 'Create API')), body);
  const refresh = async () => {
    const { items } = await apigw<{ items: Api[] }>('GET', '/v2/apis');
    body.replaceChildren(
      table(
        ['Name', 'ID', 'Protocol', 'Invoke URL'],
        items.map((a) => [
          link(`#/apigateway/apis/${enc(a.apiId)}`, a.name),
          a.apiId,
          a.protocolType,
          h('a', { href: `${a.apiEndpoint}/`, target: '_blank', rel: 'noopener' }, `${a.apiEndpoint}/`),
        ]),
        'APIs',
        'No APIs',
      ),
    );
  };
  await refresh();
  return { tables: GW_TABLES, refresh };
}

export async function createApiPage(root: HTMLElement): Promise<void> {
  const name = h('input', { type: 'text', name: 'name', required: true });
  const stage = h('input', { type: 'text', name: 'stage', value: '$default' });
  const autoDeploy = h('input', { type: 'checkbox', name: 'autoDeploy' });
  const out = h('div', { role: 'status' });
  const form = h(
    'form',
    { class: 'aws', 'aria-label': 'Create API' },
    h('fieldset', {}, h('legend', {}, 'HTTP API'), field('API name', name)),
    h('fieldset', {}, h('legend', {}, 'Configure routes'), h('p', { class: 'muted' }, 'Routes can be added after the API is created.')),
    h('fieldset', {}, h('legend', {}, 'Define stages'), field('Stage name', stage), field('Auto-deploy', autoDeploy)),
    out,
    h('div', { class: 'actions' }, link('#/apigateway/apis', 'Cancel'), h('button', { type: 'submit', class: 'primary' }, 'Create')),
  );
  submitting(form, out, async () => {
    const api = await apigw<Api>('POST', '/v2/apis', { name: name.value, protocolType: 'HTTP' });
    if (stage.value) await apigw('POST', `/v2/apis/${api.apiId}/stages`, { stageName: stage.value, autoDeploy: autoDeploy.checked });
    location.hash = `#/apigateway/apis/${enc(api.apiId)}`;
  });
  root.append(h('p', {}, link('#/apigateway/apis', 'APIs'), ' › Create API'), h('h1', {}, 'Create an HTTP API'), form);
}

function describeIntegration(i: Integration | undefined, links: Map<string, string>, services: Map<string, string>): string {
  if (!i) return 'No integration';
  if (i.connectionType === 'VPC_LINK')
    return `Private resource: ${services.get(i.integrationUri ?? '') ?? i.integrationUri} via VPC link ${links.get(i.connectionId ?? '') ?? i.connectionId}`;
  return `${i.integrationType} ${i.integrationUri ?? ''}`;
}

export async function apiPage(root: HTMLElement, [apiId]: string[]): Promise<View> {
  const id = apiId!;
  const base = `/v2/apis/${enc(id)}`;
  const api = await apigw<Api>('GET', base);
  const data = h('div');
  const testOut = h('div', { role: 'status', 'aria-live': 'polite' });

  // Routes › Create
  const method = select(
    ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => ({ value: m, label: m })),
    { name: 'method' },
  );
  const path = h('input', { type: 'text', name: 'path', value: '/', required: true });
  const routeOut = h('div', { role: 'status' });
  const routeForm = h(
    'form',
    { class: 'aws', 'aria-label': 'Create a route' },
    h('h2', {}, 'Create a route'),
    field('Method', method),
    field('Path', path),
    routeOut,
    h('button', { type: 'submit' }, 'Create route'),
  );
  submitting(routeForm, routeOut, async () => {
    await apigw('POST', `${base}/routes`, { routeKey: `${method.value} ${path.value}` });
  });

  // Attach integration: a private resource (Cloud Map service) through a VPC link.
  const routeSelect = select([], { name: 'route' });
  const { Services } = await cloudMap<{ Services: { Arn: string; Id: string; Name: string }[] }>('ListServices');
  const { items: vpcLinks } = await apigw<{ items: VpcLink[] }>('GET', '/v2/vpclinks');
  const serviceSelect = select(
    Services.map((s) => ({ value: s.Arn, label: `${s.Name} (${s.Id})` })),
    { name: 'cloudMapService' },
  );
  const linkSelect = select(
    vpcLinks.map((l) => ({ value: l.vpcLinkId, label: `${l.name} (${l.vpcLinkId})` })),
    { name: 'vpcLink' },
  );
  const target = select([{ value: 'cloudmap', label: 'Cloud Map' }], { name: 'targetService' });
  const integrationType = select(
    [
      { value: 'private', label: 'Private resource' },
      { value: 'http', label: 'HTTP URI' },
    ],
    { name: 'integrationType' },
  );
  const url = h('input', { type: 'text', name: 'url', placeholder: 'https://example.com/{proxy}' });
  const httpMethod = select(
    ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => ({ value: m, label: m })),
    { name: 'httpMethod' },
  );
  const privateFields = h('div', {}, field('Target service', target), field('Cloud Map service', serviceSelect), field('VPC link', linkSelect));
  const httpFields = h('div', { hidden: true }, field('HTTP method', httpMethod), field('URL', url));
  integrationType.addEventListener('change', () => {
    privateFields.hidden = integrationType.value !== 'private';
    httpFields.hidden = integrationType.value !== 'http';
  });
  const integrationOut = h('div', { role: 'status' });
  const integrationForm = h(
    'form',
    { class: 'aws', 'aria-label': 'Attach integration' },
    h('h2', {}, 'Attach an integration'),
    field('Route', routeSelect),
    field('Integration type', integrationType),
    privateFields,
    httpFields,
    integrationOut,
    h('button', { type: 'submit' }, 'Attach integration'),
  );
  submitting(integrationForm, integrationOut, async () => {
    const request =
      integrationType.value === 'private'
        ? {
            integrationType: 'HTTP_PROXY',
            integrationMethod: 'ANY',
            connectionType: 'VPC_LINK',
            connectionId: linkSelect.value,
            integrationUri: serviceSelect.value,
            payloadFormatVersion: '1.0',
          }
        : { integrationType: 'HTTP_PROXY', integrationMethod: httpMethod.value, connectionType: 'INTERNET', integrationUri: url.value, payloadFormatVersion: '1.0' };
    const integration = await apigw<Integration>('POST', `${base}/integrations`, request);
    await apigw('PATCH', `${base}/routes/${enc(routeSelect.value)}`, { target: `integrations/${integration.integrationId}` });
  });
  const detach = async (r: Route) => {
    try {
      await apigw('PATCH', `${base}/routes/${enc(r.routeId)}`, { target: '' });
    } catch (err) {
      integrationOut.replaceChildren(errorBox(err));
    }
  };

  // Authorization: JWT authorizers, and attaching one to a route.
  const authName = h('input', { type: 'text', name: 'authorizerName', required: true });
  const identitySource = h('input', { type: 'text', name: 'identitySource', value: '$request.header.Authorization', required: true });
  const issuer = h('input', { type: 'text', name: 'issuer', placeholder: `${location.origin}/_wayfinder/oidc`, required: true });
  const audience = h('input', { type: 'text', name: 'audience', required: true });
  const authorizerOut = h('div', { role: 'status' });
  const authorizerForm = h(
    'form',
    { class: 'aws', 'aria-label': 'Create JWT authorizer' },
    h('h2', {}, 'Create JWT authorizer'),
    field('Authorizer name', authName),
    field('Identity source', identitySource),
    field('Issuer URL', issuer, `The built-in issuer: ${location.origin}/_wayfinder/oidc`),
    field('Audience', audience, 'Comma-separated'),
    authorizerOut,
    h('button', { type: 'submit' }, 'Create authorizer'),
  );
  submitting(authorizerForm, authorizerOut, async () => {
    await apigw('POST', `${base}/authorizers`, {
      authorizerType: 'JWT',
      name: authName.value,
      identitySource: [identitySource.value],
      jwtConfiguration: {
        issuer: issuer.value,
        audience: audience.value
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      },
    });
  });
  const authRoute = select([], { name: 'authRoute' });
  const authorizerSelect = select([], { name: 'authorizer' });
  const attachAuthOut = h('div', { role: 'status' });
  const attachAuthForm = h(
    'form',
    { class: 'aws', 'aria-label': 'Attach authorizer' },
    h('h2', {}, 'Attach an authorizer'),
    field('Route to protect', authRoute),
    field('Authorizer', authorizerSelect),
    attachAuthOut,
    h('button', { type: 'submit' }, 'Attach authorizer'),
  );
  submitting(attachAuthForm, attachAuthOut, async () => {
    const none = authorizerSelect.value === '';
    await apigw(
      'PATCH',
      `${base}/routes/${enc(authRoute.value)}`,
      none ? { authorizationType: 'NONE', authorizerId: '' } : { authorizationType: 'JWT', authorizerId: authorizerSelect.value },
    );
  });

  // Deploy
  const stageSelect = select([], { name: 'stage' });
  const deployOut = h('div', { role: 'status' });
  const deployForm = h(
    'form',
    { class: 'aws', 'aria-label': 'Deploy API' },
    h('h2', {}, 'Deploy API'),
    field('Stage', stageSelect),
    deployOut,
    h('button', { type: 'submit', class: 'primary' }, 'Deploy'),
  );
  submitting(deployForm, deployOut, async () => {
    await apigw('POST', `${base}/deployments`, { stageName: stageSelect.value });
    return h('p', {}, `Deployed to ${stageSelect.value}.`);
  });

  // Test: the explainer says which route matches and why; the request itself goes through the gateway.
  const testMethod = select(
    ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'].map((m) => ({ value: m, label: m })),
    { name: 'testMethod' },
  );
  const testPath = h('input', { type: 'text', name: 'testPath', value: '/' });
  const testAuth = h('input', { type: 'text', name: 'testAuthorization', placeholder: 'Bearer …' });
  const testForm = h(
    'form',
    { class: 'aws', 'aria-label': 'Test' },
    h('h2', {}, 'Test'),
    field('Method', testMethod),
    field('Request path', testPath),
    field('Authorization header', testAuth),
    h('button', { type: 'submit' }, 'Send'),
    testOut,
  );
  testForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const q = new URLSearchParams({ apiId: id, method: testMethod.value, path: testPath.value });
      const explained = (await (await fetch(`/_wayfinder/gateway/explain?${q}`, { cache: 'no-store' })).json()) as {
        result?: string;
        selected?: { routeKey: string; reason: string } | null;
        stageSelection?: string;
      };
      const p = testPath.value.startsWith('/') ? testPath.value : `/${testPath.value}`;
      const res = await fetch(`/_aws/execute-api/${enc(id)}/$default${p}`, {
        method: testMethod.value,
        cache: 'no-store',
        credentials: 'omit',
        headers: testAuth.value ? { authorization: testAuth.value } : {},
      });
      const text = await res.text();
      testOut.replaceChildren(
        h('p', {}, h('strong', {}, 'Matched route: '), explained.selected?.routeKey ?? 'none'),
        h('p', {}, h('strong', {}, 'Why: '), explained.selected?.reason ?? explained.result ?? ''),
        h('p', {}, h('strong', {}, 'Stage: '), explained.stageSelection ?? ''),
        h('p', {}, h('strong', {}, 'Response: '), `${res.status}`),
        h('pre', {}, text.slice(0, 4000)),
      );
    } catch (err) {
      testOut.replaceChildren(errorBox(err));
    }
  });

  const refresh = async () => {
    const [{ items: routes }, { items: integrations }, { items: stages }, { items: links }, { items: authorizers }] = await Promise.all([
      apigw<{ items: Route[] }>('GET', `${base}/routes`),
      apigw<{ items: Integration[] }>('GET', `${base}/integrations`),
      apigw<{ items: Stage[] }>('GET', `${base}/stages`),
      apigw<{ items: VpcLink[] }>('GET', '/v2/vpclinks'),
      apigw<{ items: Authorizer[] }>('GET', `${base}/authorizers`),
    ]);
    const authorizerNames = new Map(authorizers.map((a) => [a.authorizerId, a.name]));
    const linkNames = new Map(links.map((l) => [l.vpcLinkId, l.name]));
    const serviceNames = new Map(Services.map((s) => [s.Arn, s.Name]));
    const byId = new Map(integrations.map((i) => [i.integrationId, i]));
    const keep = (sel: HTMLSelectElement, options: { value: string; label: string }[]) => {
      const was = sel.value;
      sel.replaceChildren(...options.map((o) => h('option', { value: o.value }, o.label)));
      if (options.some((o) => o.value === was)) sel.value = was;
    };
    keep(
      routeSelect,
      routes.map((r) => ({ value: r.routeId, label: r.routeKey })),
    );
    keep(
      authRoute,
      routes.map((r) => ({ value: r.routeId, label: r.routeKey })),
    );
    keep(authorizerSelect, [{ value: '', label: 'None' }, ...authorizers.map((a) => ({ value: a.authorizerId, label: a.name }))]);
    keep(
      stageSelect,
      stages.map((s) => ({ value: s.stageName, label: s.stageName })),
    );
    data.replaceChildren(
      h('h2', {}, 'Routes'),
      table(
        ['Route', 'Authorization', 'Integration', 'Actions'],
        routes.map((r) => [
          r.routeKey,
          r.authorizationType && r.authorizationType !== 'NONE' ? `${r.authorizationType} ${authorizerNames.get(r.authorizerId ?? '') ?? r.authorizerId ?? ''}` : 'None',
          describeIntegration(byId.get(r.target?.replace('integrations/', '') ?? ''), linkNames, serviceNames),
          r.target ? h('button', { type: 'button', 'aria-label': `Detach integration from ${r.routeKey}`, onclick: () => void detach(r) }, 'Detach integration') : '-',
        ]),
        'Routes',
        'No routes',
      ),
      h('h2', {}, 'Authorizers'),
      table(
        ['Name', 'Type', 'Identity source', 'Issuer', 'Audience'],
        authorizers.map((a) => [a.name, a.authorizerType, (a.identitySource ?? []).join(', '), a.jwtConfiguration?.issuer ?? '-', (a.jwtConfiguration?.audience ?? []).join(', ')]),
        'Authorizers',
        'No authorizers',
      ),
      h('h2', {}, 'Stages'),
      table(
        ['Stage', 'Auto-deploy', 'Deployment', 'Invoke URL'],
        stages.map((s) => {
          const url = s.stageName === '$default' ? `${api.apiEndpoint}/` : `${api.apiEndpoint}/${s.stageName}/`;
          return [s.stageName, s.autoDeploy ? 'Enabled' : 'Disabled', s.deploymentId ?? 'Not deployed', h('a', { href: url, target: '_blank', rel: 'noopener' }, url)];
        }),
        'Stages',
        'No stages',
      ),
    );
  };
  await refresh();
  root.append(
    h('p', {}, link('#/apigateway/apis', 'APIs'), ' › ', api.name),
    h('h1', {}, api.name),
    h('p', {}, 'Invoke URL: ', h('a', { href: `${api.apiEndpoint}/`, target: '_blank', rel: 'noopener' }, `${api.apiEndpoint}/`), ' · ', link(`#/topology/${enc(id)}`, 'Topology')),
    data,
    routeForm,
    integrationForm,
    authorizerForm,
    attachAuthForm,
    deployForm,
    testForm,
  );
  return { tables: GW_TABLES, refresh };
}
