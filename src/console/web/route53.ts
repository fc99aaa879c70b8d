// Route 53 › a hosted zone: the zone a Cloud Map DNS namespace owns and its records, read with the same
// calls as `aws route53 get-hosted-zone` / `list-resource-record-sets` (rest-xml, signed in the browser), and
// re-read live when Cloud Map changes (an instance registered or deregistered, health changed).
import { cloudMap, restXmlGet } from './aws.js';
import { h, link, status, table } from './dom.js';
import type { View } from './routes.js';

const CLOUD_MAP_TABLES = ['cloudmap_'];
/** Route 53 is global: its requests are signed for us-east-1 whatever the console's region (as the SDKs do). */
const ROUTE53_REGION = 'us-east-1';

/** A Route 53 GET (rest-xml); errors are Route 53's code and message. */
const route53 = (path: string, query: Record<string, string> = {}): Promise<Document> => restXmlGet('route53', path, query, ROUTE53_REGION);

const text = (el: Element | Document, selector: string): string | undefined => el.querySelector(selector)?.textContent ?? undefined;

interface RecordRow {
  name: string;
  type: string;
  routing: string;
  values: string[];
  ttl: string;
  id: string;
}

/** Every record set of the zone, following NextRecordName/Type/Identifier as the CLI's paginator does. */
async function recordSets(zoneId: string): Promise<RecordRow[]> {
  const rows: RecordRow[] = [];
  let start: Record<string, string> = {};
  for (let page = 0; page < 100; page++) {
    const doc = await route53(`/2013-04-01/hostedzone/${encodeURIComponent(zoneId)}/rrset`, start);
    for (const set of doc.querySelectorAll('ResourceRecordSets > ResourceRecordSet')) {
      const id = text(set, ':scope > SetIdentifier');
      const routing = text(set, ':scope > MultiValueAnswer') === 'true' ? 'Multivalue answer' : text(set, ':scope > Weight') ? 'Weighted' : 'Simple';
      rows.push({
        name: text(set, ':scope > Name') ?? '',
        type: text(set, ':scope > Type') ?? '',
        routing,
        values: [...set.querySelectorAll('ResourceRecords > ResourceRecord > Value')].map((v) => v.textContent ?? ''),
        ttl: text(set, ':scope > TTL') ?? '-',
        id: id ?? '-',
      });
    }
    if (text(doc, 'IsTruncated') !== 'true') break;
    start = { name: text(doc, 'NextRecordName') ?? '', type: text(doc, 'NextRecordType') ?? '' };
    const next = text(doc, 'NextRecordIdentifier');
    if (next !== undefined) start.identifier = next;
  }
  return rows;
}

interface ServiceSummary {
  Id: string;
  Name: string;
  DnsConfig?: unknown;
}

/**
 * Each instance record's health, from Cloud Map (the records' Record ID is the instance id): keyed
 * `<record name>\n<instance id>`. The DNS server answers with the healthy ones. Empty when Cloud Map
 * cannot say (the namespace is in another region than the console's).
 */
async function instanceHealth(namespaceId: string, zoneName: string): Promise<Map<string, string>> {
  const health = new Map<string, string>();
  try {
    const { Services } = await cloudMap<{ Services: ServiceSummary[] }>('ListServices', { Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' }] });
    for (const s of Services.filter((x) => x.DnsConfig)) {
      const { Status } = await cloudMap<{ Status: Record<string, string> }>('GetInstancesHealthStatus', { ServiceId: s.Id });
      for (const [id, value] of Object.entries(Status)) health.set(`${s.Name.toLowerCase()}.${zoneName}\n${id}`, value);
    }
  } catch {
    // Health is extra information here; the records themselves came from Route 53.
  }
  return health;
}

export async function hostedZonePage(root: HTMLElement, [zoneId]: string[]): Promise<View> {
  const doc = await route53(`/2013-04-01/hostedzone/${encodeURIComponent(zoneId!)}`);
  const name = text(doc, 'HostedZone > Name') ?? '';
  const isPrivate = text(doc, 'HostedZone > Config > PrivateZone') === 'true';
  const vpcs = [...doc.querySelectorAll('VPCs > VPC')].map((v) => `${text(v, 'VPCId')} (${text(v, 'VPCRegion')})`);
  const namespaceArn = text(doc, 'HostedZone > LinkedService > Description') ?? '';
  const namespaceId = namespaceArn.slice(namespaceArn.lastIndexOf('/') + 1);
  const count = h('span');
  const body = h('div');
  root.append(
    h(
      'p',
      {},
      link('#/cloudmap/namespaces', 'Namespaces'),
      ' › ',
      namespaceId ? link(`#/cloudmap/namespaces/${encodeURIComponent(namespaceId)}`, namespaceId) : '-',
      ' › ',
      'Hosted zone',
    ),
    h('h1', {}, name),
    h(
      'dl',
      { 'aria-label': 'Hosted zone details' },
      h('dt', {}, 'Hosted zone ID'),
      h('dd', {}, zoneId!),
      h('dt', {}, 'Type'),
      h('dd', {}, isPrivate ? 'Private hosted zone' : 'Public hosted zone'),
      h('dt', {}, 'Record count'),
      h('dd', {}, count),
      ...(vpcs.length ? [h('dt', {}, 'VPCs'), h('dd', {}, vpcs.join(', '))] : []),
      h('dt', {}, 'Linked service'),
      h('dd', {}, `${text(doc, 'HostedZone > LinkedService > ServicePrincipal') ?? '-'} (${namespaceArn || '-'})`),
    ),
    h('h2', {}, 'Records'),
    h('p', { class: 'muted' }, 'The records Wayfinder’s DNS server serves for this zone; a DNS answer carries the healthy ones.'),
    body,
  );
  const refresh = async () => {
    const rows = await recordSets(zoneId!);
    const health = namespaceId ? await instanceHealth(namespaceId, name) : new Map<string, string>();
    count.textContent = String(rows.length);
    body.replaceChildren(
      table(
        ['Record name', 'Type', 'Routing policy', 'Value/Route traffic to', 'TTL (seconds)', 'Record ID', 'Health status'],
        rows.map((r) => {
          const value = h('span', { class: 'values' }, ...r.values.flatMap((v, i) => (i ? [h('br'), v] : [v])));
          const state = health.get(`${r.name}\n${r.id}`);
          return [r.name, r.type, r.routing, value, r.ttl, r.id, state ? status(state) : '-'];
        }),
        'Records',
        'No records',
      ),
    );
  };
  await refresh();
  return { tables: CLOUD_MAP_TABLES, refresh };
}
