// AWS Cloud Map pages: namespaces (with the Route 53 private hosted zone), a namespace's services,
// and a service's instances with their health, re-read live when health changes.
import { cloudMap } from './aws.js';
import { h, link, status, table, when } from './dom.js';
import type { View } from './routes.js';

const CLOUD_MAP_TABLES = ['cloudmap_'];
const enc = encodeURIComponent;

interface Namespace {
  Id: string;
  Name: string;
  Type: string;
  CreateDate?: number;
  Properties?: { DnsProperties?: { HostedZoneId?: string } };
}
interface ServiceSummary {
  Id: string;
  Name: string;
  InstanceCount?: number;
  DnsConfig?: { DnsRecords?: { Type: string; TTL: number }[] };
}
interface Instance {
  Id: string;
  Attributes?: Record<string, string>;
}

/** A DNS namespace's Route 53 hosted zone, linked to its records page (route53.ts). */
const hostedZoneLink = (id: string | undefined) => (id ? link(`#/route53/hostedzones/${enc(id)}`, id) : '-');

export async function namespacesPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(h('h1', {}, 'Namespaces'), body);
  const refresh = async () => {
    const { Namespaces } = await cloudMap<{ Namespaces: Namespace[] }>('ListNamespaces');
    body.replaceChildren(
      table(
        ['Namespace name', 'Namespace ID', 'Instance discovery', 'Hosted zone', 'Created'],
        Namespaces.map((n) => [
          link(`#/cloudmap/namespaces/${enc(n.Id)}`, n.Name),
          n.Id,
          n.Type === 'HTTP' ? 'API calls' : `API calls and DNS queries (${n.Type === 'DNS_PRIVATE' ? 'private' : 'public'})`,
          hostedZoneLink(n.Properties?.DnsProperties?.HostedZoneId),
          when(n.CreateDate),
        ]),
        'Namespaces',
        'No namespaces',
      ),
    );
  };
  await refresh();
  return { tables: CLOUD_MAP_TABLES, refresh };
}

export async function namespacePage(root: HTMLElement, [id]: string[]): Promise<View> {
  const { Namespace } = await cloudMap<{ Namespace: Namespace }>('GetNamespace', { Id: id });
  const body = h('div');
  root.append(
    h('p', {}, link('#/cloudmap/namespaces', 'Namespaces'), ' › ', Namespace.Name),
    h('h1', {}, Namespace.Name),
    h('p', {}, `Namespace ID ${Namespace.Id} · ${Namespace.Type} · hosted zone `, hostedZoneLink(Namespace.Properties?.DnsProperties?.HostedZoneId)),
    h('h2', {}, 'Services'),
    body,
  );
  const refresh = async () => {
    const { Services } = await cloudMap<{ Services: ServiceSummary[] }>('ListServices', { Filters: [{ Name: 'NAMESPACE_ID', Values: [id], Condition: 'EQ' }] });
    body.replaceChildren(
      table(
        ['Service name', 'Service ID', 'DNS records', 'Instances'],
        Services.map((s) => [
          link(`#/cloudmap/services/${enc(s.Id)}`, s.Name),
          s.Id,
          (s.DnsConfig?.DnsRecords ?? []).map((r) => `${r.Type} (TTL ${r.TTL})`).join(', ') || '-',
          s.InstanceCount ?? '-',
        ]),
        'Services',
        'No services',
      ),
    );
  };
  await refresh();
  return { tables: CLOUD_MAP_TABLES, refresh };
}

export async function cloudMapServicePage(root: HTMLElement, [id]: string[]): Promise<View> {
  const { Service } = await cloudMap<{ Service: ServiceSummary & { NamespaceId: string } }>('GetService', { Id: id });
  const body = h('div');
  root.append(
    h('p', {}, link('#/cloudmap/namespaces', 'Namespaces'), ' › ', link(`#/cloudmap/namespaces/${enc(Service.NamespaceId)}`, Service.NamespaceId), ' › ', Service.Name),
    h('h1', {}, Service.Name),
    h('h2', {}, 'Service instances'),
    body,
  );
  const refresh = async () => {
    const { Instances } = await cloudMap<{ Instances: Instance[] }>('ListInstances', { ServiceId: id });
    const health = Instances.length ? (await cloudMap<{ Status: Record<string, string> }>('GetInstancesHealthStatus', { ServiceId: id })).Status : {};
    body.replaceChildren(
      table(
        ['Instance ID', 'Health status', 'IPv4 address', 'Port', 'Attributes'],
        Instances.map((i) => [
          i.Id,
          status(health[i.Id] ?? 'UNKNOWN'),
          i.Attributes?.AWS_INSTANCE_IPV4 ?? '-',
          i.Attributes?.AWS_INSTANCE_PORT ?? '-',
          Object.entries(i.Attributes ?? {})
            .filter(([k]) => !k.startsWith('AWS_INSTANCE_'))
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        ]),
        'Service instances',
        'No instances',
      ),
    );
  };
  await refresh();
  return { tables: CLOUD_MAP_TABLES, refresh };
}
