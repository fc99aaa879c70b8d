#!/usr/bin/env node
// Watches a rolling deployment: samples DiscoverInstances (HEALTHY and ALL) and DescribeServices every
// 20 ms until the service's only deployment is COMPLETED on the given task definition, prints each change
// and the minimum HEALTHY count seen — how "never below the desired healthy count" was measured by hand.
//   node bench/watch-rollout.mjs <endpoint> <cluster> <service> <namespace> <cloud map service> <family:revision> [seconds]
import * as ECS from '@aws-sdk/client-ecs';
import * as SD from '@aws-sdk/client-servicediscovery';
const [endpoint, cluster, service, ns, svc, td, seconds = '120'] = process.argv.slice(2);
const base = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
const ecs = new ECS.ECSClient(base);
const sd = new SD.ServiceDiscoveryClient({ ...base, disableHostPrefix: true });
const t0 = Date.now();
let samples = 0,
  min = Infinity,
  last = '';
while (Date.now() - t0 < Number(seconds) * 1000) {
  const healthy = (await sd.send(new SD.DiscoverInstancesCommand({ NamespaceName: ns, ServiceName: svc, HealthStatus: 'HEALTHY' }))).Instances;
  const all = (await sd.send(new SD.DiscoverInstancesCommand({ NamespaceName: ns, ServiceName: svc, HealthStatus: 'ALL' }))).Instances;
  const s = (await ecs.send(new ECS.DescribeServicesCommand({ cluster, services: [service] }))).services[0];
  samples++;
  min = Math.min(min, healthy.length);
  const line = `healthy=${healthy.length} registered=${all.length} running=${s.runningCount} deployments=${s.deployments.map((d) => `${d.status}:${d.taskDefinition.split('/').pop()}:${d.rolloutState}:${d.runningCount}`).join(',')}`;
  if (line !== last) console.log(`${String(Date.now() - t0).padStart(6)} ms  ${line}`);
  last = line;
  if (s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s.taskDefinition.endsWith(td) && samples > 5) break;
  await new Promise((r) => setTimeout(r, 20));
}
console.log(`samples=${samples} min healthy=${min}`);
