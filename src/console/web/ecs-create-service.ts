// ECS › Create service, as the seed's console steps fill it: task definition family and revision,
// desired tasks, launch type FARGATE, VPC, subnets, security group, public IP off, no load balancer,
// and service discovery with a new private namespace, a service discovery name, DNS record type SRV.
// Like the AWS console, Create makes the namespace (CreatePrivateDnsNamespace, waited on), the
// Cloud Map service, then the ECS service registered in it: the same calls the CLI walkthrough makes.
import { cloudMap, ec2, ecs } from './aws.js';
import { errorBox, field, h, link, select } from './dom.js';

function xmlItems(doc: Document, set: string, idTag: string, nameTag?: string): { value: string; label: string }[] {
  const el = doc.getElementsByTagName(set)[0];
  if (!el) return [];
  return [...el.children].map((item) => {
    const id = item.getElementsByTagName(idTag)[0]?.textContent ?? '';
    const name = nameTag ? item.getElementsByTagName(nameTag)[0]?.textContent : undefined;
    return { value: id, label: name ? `${id} (${name})` : id };
  });
}

async function waitOperation(operationId: string, progress: (line: string) => void): Promise<string> {
  for (;;) {
    const { Operation } = await cloudMap<{ Operation: { Status: string; ErrorMessage?: string; Targets?: Record<string, string> } }>('GetOperation', { OperationId: operationId });
    if (Operation.Status === 'SUCCESS') return Operation.Targets?.NAMESPACE ?? '';
    if (Operation.Status === 'FAIL') throw new Error(Operation.ErrorMessage ?? 'The namespace operation failed');
    progress(`Namespace operation ${Operation.Status}…`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function createServicePage(root: HTMLElement, [cluster]: string[]): Promise<void> {
  const c = cluster!;
  const { families } = await ecs<{ families: string[] }>('ListTaskDefinitionFamilies', { status: 'ACTIVE' });
  const vpcs = xmlItems(await ec2('DescribeVpcs'), 'vpcSet', 'vpcId', 'cidrBlock');

  const launchType = select([{ value: 'FARGATE', label: 'FARGATE' }], { name: 'launchType' });
  const family = select([{ value: '', label: 'Choose a family' }, ...families.map((f) => ({ value: f, label: f }))], { name: 'family', required: true });
  const revision = select([], { name: 'revision', required: true });
  const serviceName = h('input', { type: 'text', name: 'serviceName', required: true });
  const desired = h('input', { type: 'number', name: 'desiredCount', min: '0', value: '1', required: true });
  const vpc = select([{ value: '', label: 'Choose a VPC' }, ...vpcs], { name: 'vpc', required: true });
  const subnets = h('fieldset', {}, h('legend', {}, 'Subnets'), h('p', { class: 'muted' }, 'Choose a VPC first.'));
  const securityGroup = select([], { name: 'securityGroup' });
  const publicIp = h('input', { type: 'checkbox', name: 'publicIp' });
  const loadBalancer = select([{ value: 'none', label: 'None' }], { name: 'loadBalancerType' });
  const useDiscovery = h('input', { type: 'checkbox', name: 'serviceDiscovery' });
  const newNamespace = h('input', { type: 'radio', name: 'namespaceChoice', value: 'new', checked: true });
  const namespaceName = h('input', { type: 'text', name: 'namespaceName' });
  const discoveryName = h('input', { type: 'text', name: 'discoveryName' });
  const recordType = select(
    [
      { value: 'A', label: 'A' },
      { value: 'SRV', label: 'SRV' },
    ],
    { name: 'dnsRecordType' },
  );
  const port = h('input', { type: 'number', name: 'port', value: '80', min: '1', max: '65535' });
  const ttl = h('input', { type: 'number', name: 'ttl', value: '60', min: '0' });
  const progress = h('div', { role: 'status', 'aria-live': 'polite' });

  family.addEventListener('change', async () => {
    const { taskDefinitionArns } = await ecs<{ taskDefinitionArns: string[] }>('ListTaskDefinitions', { familyPrefix: family.value, sort: 'DESC', status: 'ACTIVE' });
    revision.replaceChildren(...taskDefinitionArns.map((a) => h('option', { value: a.split('/').pop()! }, a.split(':').pop()!)));
    if (!serviceName.value) serviceName.value = family.value;
  });
  vpc.addEventListener('change', async () => {
    const filter = { 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': vpc.value };
    const subnetItems = xmlItems(await ec2('DescribeSubnets', filter), 'subnetSet', 'subnetId', 'availabilityZone');
    subnets.replaceChildren(h('legend', {}, 'Subnets'), ...subnetItems.map((s) => field(s.label, h('input', { type: 'checkbox', name: 'subnet', value: s.value, checked: true }))));
    const groups = xmlItems(await ec2('DescribeSecurityGroups', filter), 'securityGroupInfo', 'groupId', 'groupName');
    securityGroup.replaceChildren(...groups.map((g) => h('option', { value: g.value }, g.label)));
  });

  const form = h(
    'form',
    { class: 'aws', 'aria-label': 'Create service' },
    h('fieldset', {}, h('legend', {}, 'Environment'), field('Launch type', launchType)),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Deployment configuration'),
      field('Family', family),
      field('Revision', revision),
      field('Service name', serviceName),
      field('Desired tasks', desired),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Networking'),
      field('VPC', vpc),
      subnets,
      field('Security group name', securityGroup, 'Use an existing security group'),
      field('Public IP', publicIp, 'Turned off: tasks get private addresses only'),
    ),
    h('fieldset', {}, h('legend', {}, 'Load balancing'), field('Load balancer type', loadBalancer)),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Service discovery'),
      field('Use service discovery', useDiscovery),
      field('Create a new namespace', newNamespace),
      field('Namespace name', namespaceName),
      field('Service discovery name', discoveryName, 'Create a new service discovery service'),
      field('DNS record type', recordType),
      field('Port', port),
      field('TTL', ttl),
    ),
    progress,
    h('div', { class: 'actions' }, link(`#/ecs/clusters/${encodeURIComponent(c)}/services`, 'Cancel'), h('button', { type: 'submit', class: 'primary' }, 'Create')),
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const say = (line: string) => progress.replaceChildren(h('p', {}, line));
    try {
      const taskDefinition = revision.value;
      const subnetIds = [...form.querySelectorAll<HTMLInputElement>('input[name=subnet]:checked')].map((i) => i.value);
      const serviceRegistries: object[] = [];
      if (useDiscovery.checked) {
        say(`Creating namespace ${namespaceName.value}…`);
        const { OperationId } = await cloudMap<{ OperationId: string }>('CreatePrivateDnsNamespace', { Name: namespaceName.value, Vpc: vpc.value });
        const namespaceId = await waitOperation(OperationId, say);
        say(`Creating service discovery service ${discoveryName.value}…`);
        const { Service } = await cloudMap<{ Service: { Arn: string } }>('CreateService', {
          Name: discoveryName.value,
          NamespaceId: namespaceId,
          DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: [{ Type: recordType.value, TTL: Number(ttl.value) }] },
          HealthCheckCustomConfig: { FailureThreshold: 1 },
        });
        const registry: Record<string, unknown> = { registryArn: Service.Arn };
        // An SRV record carries the port (awsvpc mode), as the CLI walkthrough's --service-registries port=80.
        if (recordType.value === 'SRV') registry.port = Number(port.value);
        serviceRegistries.push(registry);
      }
      say(`Creating service ${serviceName.value}…`);
      await ecs('CreateService', {
        cluster: c,
        serviceName: serviceName.value,
        taskDefinition,
        desiredCount: Number(desired.value),
        launchType: launchType.value,
        networkConfiguration: {
          awsvpcConfiguration: { subnets: subnetIds, securityGroups: securityGroup.value ? [securityGroup.value] : [], assignPublicIp: publicIp.checked ? 'ENABLED' : 'DISABLED' },
        },
        ...(serviceRegistries.length ? { serviceRegistries } : {}),
      });
      location.hash = `#/ecs/clusters/${encodeURIComponent(c)}/services/${encodeURIComponent(serviceName.value)}`;
    } catch (err) {
      progress.replaceChildren(errorBox(err));
    }
  });

  root.append(
    h('p', {}, link('#/ecs/clusters', 'Clusters'), ' › ', link(`#/ecs/clusters/${encodeURIComponent(c)}/services`, c), ' › Create service'),
    h('h1', {}, 'Create service'),
    form,
  );
}
