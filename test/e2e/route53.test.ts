// Route 53 (read-only) over Cloud Map's DNS namespaces, through real clients: aws CLI v2 and boto3
// (@aws-sdk/client-route-53 is not in node_modules), compared with `dig` against Wayfinder's DNS port.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as SD from '@aws-sdk/client-servicediscovery';
import { awsCli, hasAwsCliV2 } from '../support/aws-cli.js';
import { defaultVpc, privateNamespace, register, sdClient, waitOperation } from '../support/cloudmap.js';
import { rawRequest, startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const hasDig = await run('dig', ['-v']).then(
  () => true,
  () => false,
);
const hasBoto3 = await run('python3', ['-c', 'import boto3']).then(
  () => true,
  () => false,
);
const skip = !hasAwsCliV2() ? 'aws CLI v2 (/usr/bin/aws) is not installed' : !hasDig ? 'dig is not installed' : false;

let server: TestServer;
let sd: SD.ServiceDiscoveryClient;
let dnsPort: number;
let nsId: string;
let zoneId: string;
let svc: string;

interface RecordSet {
  Name: string;
  Type: string;
  TTL: number;
  SetIdentifier?: string;
  MultiValueAnswer?: boolean;
  ResourceRecords: { Value: string }[];
}

before(async () => {
  server = await startTestServer();
  sd = sdClient(server);
  dnsPort = (JSON.parse((await rawRequest(server, { method: 'GET', path: '/_wayfinder/health' })).text) as { dnsPort: number }).dnsPort;
  nsId = await privateNamespace(sd, server, 'internal.test');
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({
      Name: 'api',
      NamespaceId: nsId,
      DnsConfig: {
        RoutingPolicy: 'MULTIVALUE',
        DnsRecords: [
          { Type: 'SRV', TTL: 10 },
          { Type: 'A', TTL: 20 },
        ],
      },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    }),
  );
  svc = Service!.Id!;
  await register(sd, svc, 'task-a', { AWS_INSTANCE_IPV4: '127.0.0.10', AWS_INSTANCE_PORT: '8080' });
  await register(sd, svc, 'task-b', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '8081' });
  const { Namespace } = await sd.send(new SD.GetNamespaceCommand({ Id: nsId }));
  zoneId = Namespace!.Properties!.DnsProperties!.HostedZoneId!;
});
after(async () => {
  sd.destroy();
  await server.destroy();
});

async function cli<T>(args: string[], env?: NodeJS.ProcessEnv): Promise<T> {
  const r = await awsCli(server.port, ['route53', ...args, '--output', 'json'], { v2: true, env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

async function recordSets(): Promise<RecordSet[]> {
  return (await cli<{ ResourceRecordSets: RecordSet[] }>(['list-resource-record-sets', '--hosted-zone-id', zoneId])).ResourceRecordSets;
}

async function digShort(type: string, name: string): Promise<string[]> {
  const { stdout } = await run('dig', ['-p', String(dnsPort), '@127.0.0.1', '+time=2', '+tries=1', '+short', type, name], { timeout: 10_000 });
  return stdout.split('\n').filter(Boolean).sort();
}

const values = (sets: RecordSet[], name: string, type: string) =>
  sets
    .filter((s) => s.Name === name && s.Type === type)
    .flatMap((s) => s.ResourceRecords.map((r) => r.Value))
    .sort();

/** Runs a boto3 script with `r` a Route 53 client on the test server; prints JSON. */
async function boto3(script: string, key = 'test'): Promise<unknown> {
  const prelude = [
    'import boto3, json, sys',
    `r = boto3.client('route53', endpoint_url='http://127.0.0.1:${server.port}', region_name='us-east-1', aws_access_key_id='${key}', aws_secret_access_key='test')`,
    'def err(f):',
    '    try:',
    '        f(); return None',
    '    except r.exceptions.ClientError as e:',
    "        return {'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}",
  ].join('\n');
  const { stdout } = await run('python3', ['-c', `${prelude}\n${script}`], { timeout: 60_000 });
  return JSON.parse(stdout);
}

test('the namespace owns the hosted zone GetNamespace names: list-hosted-zones, get-hosted-zone, count (CLI v2)', { skip }, async () => {
  const { HostedZones } = await cli<{ HostedZones: Array<Record<string, unknown>> }>(['list-hosted-zones']);
  assert.equal(HostedZones.length, 1);
  const zone = HostedZones[0]!;
  assert.equal(zone.Id, `/hostedzone/${zoneId}`);
  assert.equal(zone.Name, 'internal.test.');
  assert.equal(zone.CallerReference, nsId);
  assert.deepEqual(zone.Config, { PrivateZone: true });
  assert.deepEqual(zone.LinkedService, { ServicePrincipal: 'servicediscovery.amazonaws.com', Description: `arn:aws:servicediscovery:us-east-1:000000000000:namespace/${nsId}` });
  const got = await cli<{ HostedZone: Record<string, unknown>; VPCs: unknown[]; DelegationSet?: unknown }>(['get-hosted-zone', '--id', zoneId]);
  assert.deepEqual(got.HostedZone, zone);
  assert.deepEqual(got.VPCs, [{ VPCRegion: 'us-east-1', VPCId: await defaultVpc(server) }]);
  assert.equal(got.DelegationSet, undefined, 'a private zone has no delegation set');
  assert.equal(zone.ResourceRecordSetCount, (await recordSets()).length);
  assert.deepEqual(await cli(['get-hosted-zone-count']), { HostedZoneCount: 1 });
  const byName = await cli<{ HostedZones: Array<{ Id: string }> }>(['list-hosted-zones-by-name', '--dns-name', 'internal.test']);
  assert.deepEqual(
    byName.HostedZones.map((z) => z.Id),
    [`/hostedzone/${zoneId}`],
  );
});

test('list-resource-record-sets holds exactly what dig answers: SOA, NS, SRV, A, the SRV targets', { skip }, async () => {
  const sets = await recordSets();
  assert.deepEqual(
    sets.map((s) => `${s.Name} ${s.Type} ${s.SetIdentifier ?? ''}`),
    [
      'internal.test. NS ',
      'internal.test. SOA ',
      'api.internal.test. A task-a',
      'api.internal.test. A task-b',
      'api.internal.test. SRV task-a',
      'api.internal.test. SRV task-b',
      'task-a.api.internal.test. A ',
      'task-b.api.internal.test. A ',
    ],
    'Route 53 order: name with labels reversed, then type, then identifier',
  );
  const srv = sets.find((s) => s.Type === 'SRV' && s.SetIdentifier === 'task-a')!;
  assert.deepEqual(srv, {
    Name: 'api.internal.test.',
    Type: 'SRV',
    SetIdentifier: 'task-a',
    MultiValueAnswer: true,
    TTL: 10,
    ResourceRecords: [{ Value: '1 1 8080 task-a.api.internal.test.' }],
  });
  assert.equal(sets.find((s) => s.Type === 'A' && s.SetIdentifier === 'task-b')!.TTL, 20);
  for (const [name, type] of [
    ['api.internal.test.', 'SRV'],
    ['api.internal.test.', 'A'],
    ['task-a.api.internal.test.', 'A'],
    ['task-b.api.internal.test.', 'A'],
    ['internal.test.', 'NS'],
    ['internal.test.', 'SOA'],
  ] as const) {
    assert.deepEqual(await digShort(type, name), values(sets, name, type), `${type} ${name}`);
  }
});

test('records follow registrations, live: a new instance appears, a deregistered one goes', { skip }, async () => {
  await register(sd, svc, 'task-c', { AWS_INSTANCE_IPV4: '127.0.0.12', AWS_INSTANCE_PORT: '8082' });
  let sets = await recordSets();
  assert.deepEqual(values(sets, 'task-c.api.internal.test.', 'A'), ['127.0.0.12']);
  assert.ok(values(sets, 'api.internal.test.', 'SRV').includes('1 1 8082 task-c.api.internal.test.'));
  assert.deepEqual(await digShort('SRV', 'api.internal.test.'), values(sets, 'api.internal.test.', 'SRV'));
  const { OperationId } = await sd.send(new SD.DeregisterInstanceCommand({ ServiceId: svc, InstanceId: 'task-c' }));
  await waitOperation(sd, OperationId!);
  sets = await recordSets();
  assert.equal(
    sets.some((s) => s.Name.startsWith('task-c.') || s.SetIdentifier === 'task-c'),
    false,
  );
  assert.deepEqual(await digShort('SRV', 'api.internal.test.'), values(sets, 'api.internal.test.', 'SRV'));
});

test('boto3: paging with MaxItems and NextRecordName/Type/Identifier, and the paginator, cover every record once', {
  skip: skip || (!hasBoto3 && 'boto3 is not installed'),
}, async () => {
  const out = (await boto3(
    [
      `z = '${zoneId}'`,
      'pages, start = [], {}',
      'for _ in range(20):',
      "    p = r.list_resource_record_sets(HostedZoneId=z, MaxItems='3', **start)",
      "    pages.append([(s['Name'], s['Type'], s.get('SetIdentifier')) for s in p['ResourceRecordSets']])",
      "    if not p['IsTruncated']: break",
      "    start = {'StartRecordName': p['NextRecordName'], 'StartRecordType': p['NextRecordType']}",
      "    if 'NextRecordIdentifier' in p: start['StartRecordIdentifier'] = p['NextRecordIdentifier']",
      "full = [(s['Name'], s['Type'], s.get('SetIdentifier')) for s in r.list_resource_record_sets(HostedZoneId=z)['ResourceRecordSets']]",
      "paged = [(s['Name'], s['Type'], s.get('SetIdentifier')) for pg in r.get_paginator('list_resource_record_sets').paginate(HostedZoneId=z, PaginationConfig={'PageSize': 2}) for s in pg['ResourceRecordSets']]",
      "mid = r.list_resource_record_sets(HostedZoneId=z, StartRecordName='api.internal.test', StartRecordType='SRV', MaxItems='1')",
      "print(json.dumps({'pages': pages, 'full': full, 'paged': paged, 'mid': [mid['ResourceRecordSets'][0]['SetIdentifier'], mid['NextRecordIdentifier'], mid['MaxItems']]}))",
    ].join('\n'),
  )) as { pages: unknown[][]; full: unknown[]; paged: unknown[]; mid: string[] };
  assert.deepEqual(
    out.pages.map((p) => p.length),
    [3, 3, 2],
  );
  assert.deepEqual(out.pages.flat(), out.full);
  assert.deepEqual(out.paged, out.full);
  assert.deepEqual(out.mid, ['task-a', 'task-b', '1']);
});

test('errors in Route 53 shape: NoSuchHostedZone, another account’s zone, a bad MaxItems, an operation not served', {
  skip: skip || (!hasBoto3 && 'boto3 is not installed'),
}, async () => {
  const missing = await awsCli(server.port, ['route53', 'get-hosted-zone', '--id', 'ZNOSUCHZONE000000000'], { v2: true });
  assert.equal(missing.code, 254);
  assert.match(missing.stderr, /\(NoSuchHostedZone\) when calling the GetHostedZone operation: No hosted zone found with ID: ZNOSUCHZONE000000000/);
  // A key of 12 digits acts in that account: account 222222222222 sees no zone, and this one is not found.
  const other = { AWS_ACCESS_KEY_ID: '222222222222' };
  assert.deepEqual((await cli<{ HostedZones: unknown[] }>(['list-hosted-zones'], other)).HostedZones, []);
  const foreign = await awsCli(server.port, ['route53', 'list-resource-record-sets', '--hosted-zone-id', zoneId], { v2: true, env: other });
  assert.match(foreign.stderr, /NoSuchHostedZone/);
  const notServed = await awsCli(server.port, ['route53', 'create-hosted-zone', '--name', 'example.com', '--caller-reference', 'x'], { v2: true });
  assert.match(notServed.stderr, /\(NotImplemented\).*CreateHostedZone is not implemented by Wayfinder/);
  const out = (await boto3(
    [
      `z = '${zoneId}'`,
      "print(json.dumps({'nozone': err(lambda: r.get_hosted_zone(Id='ZNOSUCHZONE000000000')),",
      "  'maxitems': err(lambda: r.list_resource_record_sets(HostedZoneId=z, MaxItems='abc')),",
      "  'zero': err(lambda: r.list_hosted_zones(MaxItems='0')),",
      "  'typeonly': err(lambda: r.list_resource_record_sets(HostedZoneId=z, StartRecordType='A')),",
      "  'badtype': err(lambda: r.list_resource_record_sets(HostedZoneId=z, StartRecordName='x', StartRecordType='BOGUS'))}))",
    ].join('\n'),
  )) as Record<string, { code: string; message: string; status: number }>;
  assert.deepEqual(out.nozone, { code: 'NoSuchHostedZone', message: 'No hosted zone found with ID: ZNOSUCHZONE000000000', status: 404 });
  for (const k of ['maxitems', 'zero', 'typeonly', 'badtype']) assert.equal(out[k]?.code, 'InvalidInput', `${k}: ${JSON.stringify(out[k])}`);
  assert.equal(out.maxitems!.status, 400);
  // The wire: AWS's XML error document in Route 53's namespace.
  const raw = await rawRequest(server, { method: 'GET', path: '/2013-04-01/hostedzone/ZNOSUCHZONE000000000' });
  assert.equal(raw.status, 403, 'unsigned: refused before the operation');
  assert.match(
    raw.text,
    /^<\?xml[^>]*>\n<ErrorResponse xmlns="https:\/\/route53\.amazonaws\.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/,
  );
});

test('health: an UNHEALTHY instance keeps its record sets (as in Route 53), and dig leaves it out', { skip }, async () => {
  await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc, InstanceId: 'task-b', Status: 'UNHEALTHY' }));
  try {
    const sets = await recordSets();
    assert.deepEqual(values(sets, 'api.internal.test.', 'SRV'), ['1 1 8080 task-a.api.internal.test.', '1 1 8081 task-b.api.internal.test.']);
    let served: string[] = [];
    for (let i = 0; i < 100 && served.length !== 1; i++) {
      served = await digShort('SRV', 'api.internal.test.');
      if (served.length !== 1) await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(served, ['1 1 8080 task-a.api.internal.test.']);
  } finally {
    await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc, InstanceId: 'task-b', Status: 'HEALTHY' }));
  }
});

test('a web page of another origin cannot read the zones: AccessDenied in Route 53 shape, before the operation', { skip }, async () => {
  const res = await rawRequest(server, { method: 'GET', path: '/2013-04-01/hostedzone', headers: { origin: 'http://evil.example' } });
  assert.equal(res.status, 403);
  assert.match(res.text, /<ErrorResponse xmlns="https:\/\/route53\.amazonaws\.com\/doc\/2013-04-01\/"><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code>/);
  assert.doesNotMatch(res.text, /HostedZone>/);
});

test('a public namespace’s zone: PrivateZone false, Route 53’s delegation set, no VPCs; HostedZoneType keeps the private ones', { skip }, async () => {
  const { OperationId } = await sd.send(new SD.CreatePublicDnsNamespaceCommand({ Name: 'public.test' }));
  const publicNs = (await waitOperation(sd, OperationId!)).Targets!.NAMESPACE!;
  const { Namespace } = await sd.send(new SD.GetNamespaceCommand({ Id: publicNs }));
  const publicZone = Namespace!.Properties!.DnsProperties!.HostedZoneId!;
  const got = await cli<{ HostedZone: { Name: string; Config: unknown }; VPCs?: unknown; DelegationSet?: { NameServers: string[] } }>(['get-hosted-zone', '--id', publicZone]);
  assert.equal(got.HostedZone.Name, 'public.test.');
  assert.deepEqual(got.HostedZone.Config, { PrivateZone: false });
  assert.equal(got.VPCs, undefined);
  assert.deepEqual([...(got.DelegationSet?.NameServers ?? [])].sort(), (await digShort('NS', 'public.test.')).map((n) => n.replace(/\.$/, '')).sort());
  assert.deepEqual(await cli(['get-hosted-zone-count']), { HostedZoneCount: 2 });
  if (hasBoto3) {
    // CLI v2 2.9 predates HostedZoneType; botocore knows it.
    const privateOnly = (await boto3("print(json.dumps([z['Id'] for z in r.list_hosted_zones(HostedZoneType='PrivateHostedZone')['HostedZones']]))")) as string[];
    assert.deepEqual(privateOnly, [`/hostedzone/${zoneId}`]);
  }
});
