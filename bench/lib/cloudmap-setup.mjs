#!/usr/bin/env node
// Creates the Cloud Map state the DNS / DiscoverInstances benchmarks query, through the real API.
// Usage: node cloudmap-setup.mjs <endpoint> dns        → private DNS namespace `local` with the same
//          records as bench/conf/unbound.conf: svc.local A ×3, _http._tcp.svc.local SRV ×3
//        node cloudmap-setup.mjs <endpoint> discover   → HTTP namespace `bench`, service `svc`, 10 instances
import * as SD from '@aws-sdk/client-servicediscovery';
import * as E from '@aws-sdk/client-ec2';

const [endpoint, mode] = process.argv.slice(2);
const base = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
// disableHostPrefix: DiscoverInstances would otherwise go to data-<host> (the model's host prefix).
const sd = new SD.ServiceDiscoveryClient({ ...base, disableHostPrefix: true });

async function done(operationId) {
  for (let i = 0; i < 200; i++) {
    const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId: operationId }));
    if (Operation.Status === 'SUCCESS') return Operation;
    if (Operation.Status === 'FAIL') throw new Error(Operation.ErrorMessage);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`operation ${operationId} did not finish`);
}

async function register(ServiceId, InstanceId, Attributes) {
  await done((await sd.send(new SD.RegisterInstanceCommand({ ServiceId, InstanceId, Attributes }))).OperationId);
}

if (mode === 'dns') {
  const ec2 = new E.EC2Client(base);
  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({}));
  const ns = (await done((await sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: 'local', Vpc: Vpcs[0].VpcId }))).OperationId)).Targets.NAMESPACE;
  const a = (await sd.send(new SD.CreateServiceCommand({ Name: 'svc', NamespaceId: ns, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 60 }] } }))).Service.Id;
  const srv = (await sd.send(new SD.CreateServiceCommand({ Name: '_http._tcp.svc', NamespaceId: ns, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 60 }] } }))).Service.Id;
  for (const [i, id] of ['a', 'b', 'c'].entries()) {
    await register(a, id, { AWS_INSTANCE_IPV4: `10.0.0.${i + 1}` });
    await register(srv, id, { AWS_INSTANCE_IPV4: `10.0.0.${i + 1}`, AWS_INSTANCE_PORT: '8080' });
  }
} else if (mode === 'discover') {
  const ns = (await done((await sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'bench' }))).OperationId)).Targets.NAMESPACE;
  const svc = (await sd.send(new SD.CreateServiceCommand({ Name: 'svc', NamespaceId: ns }))).Service.Id;
  for (let i = 1; i <= 10; i++) await register(svc, `task-${i}`, { AWS_INSTANCE_IPV4: `10.0.1.${i}`, AWS_INSTANCE_PORT: '8080', stage: 'prod' });
  const { Instances } = await sd.send(new SD.DiscoverInstancesCommand({ NamespaceName: 'bench', ServiceName: 'svc' }));
  if (Instances.length !== 10) throw new Error(`expected 10 instances, got ${Instances.length}`);
} else {
  throw new Error('mode: dns | discover');
}
sd.destroy();
