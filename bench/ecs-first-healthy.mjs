#!/usr/bin/env node
// Time from CreateService to the first HEALTHY instance in Cloud Map (DiscoverInstances polled every
// 5 ms), median of RUNS (default 10), on one runtime. Each run is a fresh service with desiredCount 1
// and its own Cloud Map service (SRV, custom health); the task serves HTTP on its port (no container
// health check: ECS registers it HEALTHY as soon as it runs).
//   node bench/ecs-first-healthy.mjs process|docker [RUNS]       (server pinned to CPU1 when CPU1 exists)
import { startServer, namespace, subnet, waitFor, stats, rssMiB, ECS, SD } from './lib/ecs-common.mjs';

const runtime = process.argv[2] ?? 'process';
const runs = Number(process.argv[3] ?? 10);
const image = process.env.WAYFINDER_TEST_IMAGE ?? 'wayfinder-test/busybox:latest';
const s = await startServer({ runtime, cpu: process.env.NO_PIN ? undefined : 1 });
try {
  if (!s.banner.includes(`runtime      ${runtime}`)) throw new Error(`server did not pick the ${runtime} runtime:\n${s.banner}`);
  const nsId = await namespace(s, 'bench.internal');
  const sub = await subnet(s);
  await s.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'bench' }));
  const container =
    runtime === 'docker'
      ? { name: 'web', image, portMappings: [{ containerPort: 80 }] }
      : { name: 'web', image: 'busybox', command: ['sh', '-c', 'exec busybox httpd -f -p "127.0.0.1:$PORT" -h /tmp'], portMappings: [{ containerPort: 80 }] };
  await s.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'bench-web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [container],
    }),
  );
  const times = [];
  for (let i = 0; i < runs; i++) {
    const { Service } = await s.sd.send(
      new SD.CreateServiceCommand({ Name: `svc${i}`, NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: {} }),
    );
    const t0 = performance.now();
    await s.ecs.send(
      new ECS.CreateServiceCommand({
        cluster: 'bench',
        serviceName: `s${i}`,
        taskDefinition: 'bench-web',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [sub] } },
        serviceRegistries: [{ registryArn: Service.Arn, port: 80 }],
      }),
    );
    await waitFor(
      'HEALTHY instance',
      async () =>
        ((await s.sd.send(new SD.DiscoverInstancesCommand({ NamespaceName: 'bench.internal', ServiceName: `svc${i}`, HealthStatus: 'HEALTHY' }))).Instances ?? []).length > 0,
      60_000,
      5,
    );
    times.push(performance.now() - t0);
    await s.ecs.send(new ECS.DeleteServiceCommand({ cluster: 'bench', service: `s${i}`, force: true }));
    await waitFor(
      'drained',
      async () => (await s.ecs.send(new ECS.DescribeServicesCommand({ cluster: 'bench', services: [`s${i}`] }))).services[0].status === 'INACTIVE',
      60_000,
      20,
    );
  }
  const st = stats(times);
  console.log(
    JSON.stringify({
      bench: 'ecs-first-healthy',
      runtime,
      runs,
      ms: Object.fromEntries(Object.entries(st).map(([k, v]) => [k, k === 'n' ? v : Math.round(v * 10) / 10])),
      serverRssMiB: Math.round(rssMiB(s.pid)),
    }),
  );
} finally {
  await s.stop();
}
