#!/usr/bin/env node
// N tasks on the process runtime (default 200): time from CreateService until the service is steady
// (runningCount N, deployment COMPLETED) and Cloud Map lists N instances, then scale-in to 0; the
// server's resident memory (its own process, sampled every 100 ms) before, peak, and at steady state.
//   node bench/ecs-scale.mjs [N]
import { startServer, namespace, waitFor, rssMiB, ECS, SD } from './lib/ecs-common.mjs';

const n = Number(process.argv[2] ?? 200);
const s = await startServer({ runtime: 'process', extra: ['--task-stable-ms', '1000'], cpu: process.env.NO_PIN ? undefined : 1 });
let peak = 0;
const sampler = setInterval(() => {
  try {
    peak = Math.max(peak, rssMiB(s.pid));
  } catch {
    /* exited */
  }
}, 100);
try {
  const nsId = await namespace(s, 'scale.internal');
  const { Service } = await s.sd.send(
    new SD.CreateServiceCommand({ Name: 'many', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: {} }),
  );
  await s.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'scale' }));
  await s.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'sleeper',
      containerDefinitions: [{ name: 'main', image: 'busybox', memory: 16, command: ['sleep', '3600'], portMappings: [{ containerPort: 8080 }] }],
    }),
  );
  const idle = rssMiB(s.pid);
  const t0 = performance.now();
  await s.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'scale',
      serviceName: 'many',
      taskDefinition: 'sleeper',
      desiredCount: n,
      serviceRegistries: [{ registryArn: Service.Arn, containerName: 'main', containerPort: 8080 }],
    }),
  );
  let running = 0;
  await waitFor(
    'running',
    async () => (running = (await s.ecs.send(new ECS.DescribeServicesCommand({ cluster: 'scale', services: ['many'] }))).services[0].runningCount) === n,
    300_000,
    100,
  );
  const tRunning = performance.now() - t0;
  await waitFor(
    'steady and registered',
    async () => {
      const svc = (await s.ecs.send(new ECS.DescribeServicesCommand({ cluster: 'scale', services: ['many'] }))).services[0];
      const ids = (await s.sd.send(new SD.DiscoverInstancesCommand({ NamespaceName: 'scale.internal', ServiceName: 'many', MaxResults: 1000 }))).Instances.length;
      return svc.deployments.length === 1 && svc.deployments[0].rolloutState === 'COMPLETED' && ids === n;
    },
    300_000,
    100,
  );
  const tSteady = performance.now() - t0;
  const steadyRss = rssMiB(s.pid);
  const t1 = performance.now();
  await s.ecs.send(new ECS.UpdateServiceCommand({ cluster: 'scale', service: 'many', desiredCount: 0 }));
  await waitFor(
    'scaled in',
    async () => (await s.ecs.send(new ECS.DescribeServicesCommand({ cluster: 'scale', services: ['many'] }))).services[0].runningCount === 0,
    300_000,
    100,
  );
  const tDown = performance.now() - t1;
  console.log(
    JSON.stringify({
      bench: 'ecs-scale',
      runtime: 'process',
      tasks: n,
      allRunningMs: Math.round(tRunning),
      steadyAndRegisteredMs: Math.round(tSteady),
      note: 'steady includes --task-stable-ms 1000',
      scaleInMs: Math.round(tDown),
      rssMiB: { idle: Math.round(idle), steady: Math.round(steadyRss), peak: Math.round(peak) },
    }),
  );
} finally {
  clearInterval(sampler);
  await s.stop();
}
