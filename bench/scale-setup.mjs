#!/usr/bin/env node
// Builds the state bench/scale.sh measures against, through the real APIs (SDK v3, signed), on loopback.
//   node bench/scale-setup.mjs <endpoint> small <backend-port>
//     the probe: private DNS namespace `scale.local`; Cloud Map service `probe` (A records, custom health)
//     with 10 instances at 127.0.0.1:<backend-port>, service `flip` with two (one always UNHEALTHY); a VPC link; HTTP API `probe`
//     (imported, 300 routes: r0…r298 to `probe`, r299 to `flip`), `$default` stage with auto-deploy; ECS cluster `scale` and task definition
//     `sleeper` (`sleep 3600`, the smallest long-running task the process runtime starts), ECS service
//     `probe` of 2 tasks registered in Cloud Map service `probe-tasks` (SRV).
//   node bench/scale-setup.mjs <endpoint> large <backend-port>
//     grows that to 1,000 Cloud Map services and 10,384 instances (987 services × 10 registered
//     directly, 10 ECS services × 50 tasks registering themselves: 502 running tasks), and 100 HTTP
//     APIs of 300 routes each (99 more imported, each route to one of the 987 services).
// Every loop is bounded (fixed counts; waits bounded by WAIT_MS). Prints one JSON line of what it made
// and how long it took. The server should run with --operation-delay-ms 0 (else setup takes long).
import * as G from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import * as SD from '@aws-sdk/client-servicediscovery';

const [endpoint, mode, backendPort] = process.argv.slice(2);
if (!endpoint || !['small', 'large'].includes(mode) || !backendPort) throw new Error('usage: scale-setup.mjs <endpoint> small|large <backend-port>');
const WAIT_MS = Number(process.env.WAIT_MS ?? 600_000);
const CONC = Number(process.env.SETUP_CONC ?? 8);
// The state; SERVICES / APIS / TASKS shrink it for a smoke run (same shape).
const SERVICES = Number(process.env.SERVICES ?? 1000);
const INSTANCES_PER_SERVICE = 10;
const APIS = Number(process.env.APIS ?? 100);
const ROUTES = 300;
const ECS_SERVICES = 10;
const TASKS_PER_SERVICE = Math.ceil(Number(process.env.TASKS ?? 500) / ECS_SERVICES);

const base = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 3 };
const sd = new SD.ServiceDiscoveryClient({ ...base, disableHostPrefix: true });
const gw = new G.ApiGatewayV2Client(base);
const ec2 = new E.EC2Client(base);
const ecs = new ECS.ECSClient(base);
const t0 = performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, probe, everyMs = 100) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs fn over items with CONC requests in flight. */
async function pool(items, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONC, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

async function operation(id) {
  return waitFor(
    `operation ${id}`,
    async () => {
      const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId: id }));
      if (Operation.Status === 'FAIL') throw new Error(Operation.ErrorMessage);
      return Operation.Status === 'SUCCESS' ? Operation : undefined;
    },
    20,
  );
}

async function namespaceId() {
  const { Namespaces } = await sd.send(new SD.ListNamespacesCommand({}));
  const found = Namespaces.find((n) => n.Name === 'scale.local');
  if (found) return found.Id;
  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({}));
  return (await operation((await sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: 'scale.local', Vpc: Vpcs[0].VpcId }))).OperationId)).Targets.NAMESPACE;
}

// ECS tasks on the process runtime share the host's address, so their registries need SRV records (the port).
const createService = async (ns, Name, Type = 'A') =>
  (await sd.send(new SD.CreateServiceCommand({ Name, NamespaceId: ns, DnsConfig: { DnsRecords: [{ Type, TTL: 10 }] }, HealthCheckCustomConfig: { FailureThreshold: 1 } }))).Service;

/** An OpenAPI definition of `ROUTES` routes, each a private integration to one Cloud Map service. */
function definition(name, link, serviceArns) {
  const paths = {};
  for (let r = 0; r < ROUTES; r++) {
    paths[`/${name}/r${r}/{proxy+}`] = {
      'x-amazon-apigateway-any-method': {
        'x-amazon-apigateway-integration': {
          type: 'http_proxy',
          httpMethod: 'ANY',
          connectionType: 'VPC_LINK',
          connectionId: link,
          uri: serviceArns[r % serviceArns.length],
          payloadFormatVersion: '1.0',
        },
      },
    };
  }
  return JSON.stringify({ openapi: '3.0.1', info: { title: name, version: '1' }, paths });
}

async function importApi(name, link, serviceArns) {
  const { ApiId } = await gw.send(new G.ImportApiCommand({ Body: definition(name, link, serviceArns), FailOnWarnings: true }));
  await gw.send(new G.CreateStageCommand({ ApiId, StageName: '$default', AutoDeploy: true }));
  return ApiId;
}

async function vpcLink() {
  const { Items } = await gw.send(new G.GetVpcLinksCommand({}));
  if (Items?.length) return Items[0].VpcLinkId;
  const subnet = (await ec2.send(new E.DescribeSubnetsCommand({}))).Subnets[0].SubnetId;
  const id = (await gw.send(new G.CreateVpcLinkCommand({ Name: 'scale', SubnetIds: [subnet] }))).VpcLinkId;
  await waitFor('VPC link', async () => (await gw.send(new G.GetVpcLinkCommand({ VpcLinkId: id }))).VpcLinkStatus === 'AVAILABLE');
  return id;
}

const ns = await namespaceId();
const link = await vpcLink();
const out = { mode };
if (mode === 'small') {
  const probe = await createService(ns, 'probe');
  const ops = [];
  for (let i = 0; i < INSTANCES_PER_SERVICE; i++) {
    const r = await sd.send(
      new SD.RegisterInstanceCommand({ ServiceId: probe.Id, InstanceId: `probe-${i}`, Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(backendPort) } }),
    );
    ops.push(r.OperationId);
  }
  // `flip`: flip-0, whose health bench/lib/health-flip.mjs flips to time how fast DNS and the gateway see it,
  // and flip-1, always UNHEALTHY: DNS answers flip-0 alone while it is healthy and fails open to both
  // when it is not (as Route 53 does); the gateway answers 200, then 503 (no healthy instance).
  const flip = await createService(ns, 'flip');
  for (const id of ['flip-0', 'flip-1']) {
    const attrs = { AWS_INSTANCE_IPV4: id === 'flip-0' ? '127.0.0.1' : '127.0.0.2', AWS_INSTANCE_PORT: String(backendPort) };
    ops.push((await sd.send(new SD.RegisterInstanceCommand({ ServiceId: flip.Id, InstanceId: id, Attributes: attrs }))).OperationId);
  }
  for (const id of ops) await operation(id);
  await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: flip.Id, InstanceId: 'flip-1', Status: 'UNHEALTHY' }));
  out.probeServiceId = probe.Id;
  out.flipServiceId = flip.Id;
  // Routes r0…r298 go to `probe`, r299 to `flip`.
  out.probeApiId = await importApi(
    'probe',
    link,
    Array.from({ length: ROUTES }, (_, r) => (r === ROUTES - 1 ? flip.Arn : probe.Arn)),
  );
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'scale' }));
  await ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'sleeper',
      containerDefinitions: [{ name: 'main', image: 'busybox', memory: 16, command: ['sleep', '3600'], portMappings: [{ containerPort: 8080 }] }],
    }),
  );
  // ECS service `probe` (2 tasks, registered in Cloud Map service `probe-tasks`): what DescribeServices reads.
  const reg = await createService(ns, 'probe-tasks', 'SRV');
  await ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'scale',
      serviceName: 'probe',
      taskDefinition: 'sleeper',
      desiredCount: 2,
      serviceRegistries: [{ registryArn: reg.Arn, containerName: 'main', containerPort: 8080 }],
    }),
  );
} else {
  // Cloud Map: 1,000 services in all (probe, flip, probe-tasks, 10 for ECS, 987 registered directly).
  const names = Array.from({ length: SERVICES - 3 - ECS_SERVICES }, (_, i) => `svc-${i}`);
  const services = [];
  await pool(names, async (name) => services.push(await createService(ns, name)));
  const regs = services.flatMap((s, si) => Array.from({ length: INSTANCES_PER_SERVICE }, (_, i) => ({ s, id: `i-${i}`, ip: `10.${1 + (si >> 8)}.${si & 255}.${1 + i}` })));
  await pool(regs, async ({ s, id, ip }) => {
    await sd.send(new SD.RegisterInstanceCommand({ ServiceId: s.Id, InstanceId: id, Attributes: { AWS_INSTANCE_IPV4: ip, AWS_INSTANCE_PORT: '8080' } }));
  });
  out.cloudMapMs = Math.round(performance.now() - t0);
  // ECS: 10 services × 50 `sleep` tasks, each service registering into its own Cloud Map service.
  const ecsRegistries = [];
  for (let i = 0; i < ECS_SERVICES; i++) ecsRegistries.push(await createService(ns, `tasks-${i}`, 'SRV'));
  for (const [i, reg] of ecsRegistries.entries()) {
    await ecs.send(
      new ECS.CreateServiceCommand({
        cluster: 'scale',
        serviceName: `tasks-${i}`,
        taskDefinition: 'sleeper',
        desiredCount: TASKS_PER_SERVICE,
        serviceRegistries: [{ registryArn: reg.Arn, containerName: 'main', containerPort: 8080 }],
      }),
    );
  }
  // HTTP APIs: 99 more of 300 routes, each API's routes spread over 300 of the services.
  const arns = services.map((s) => s.Arn);
  const apis = Array.from({ length: APIS - 1 }, (_, i) => i);
  await pool(apis, async (i) =>
    importApi(
      `api${i}`,
      link,
      Array.from({ length: ROUTES }, (_, r) => arns[(i * 7 + r) % arns.length]),
    ),
  );
  out.gatewayMs = Math.round(performance.now() - t0);
  // Wait until the async Cloud Map operations are done and every task runs and is registered.
  await waitFor(
    'Cloud Map operations',
    async () => {
      const { Operations } = await sd.send(new SD.ListOperationsCommand({ Filters: [{ Name: 'STATUS', Values: ['SUBMITTED', 'PENDING'], Condition: 'IN' }], MaxResults: 1 }));
      return Operations.length === 0;
    },
    200,
  );
  await waitFor(
    '500 tasks running',
    async () => {
      const serviceNames = ecsRegistries.map((_, i) => `tasks-${i}`);
      const { services: s } = await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'scale', services: serviceNames }));
      return s.every((x) => x.runningCount === TASKS_PER_SERVICE);
    },
    500,
  );
  await waitFor(
    'tasks registered',
    async () => {
      for (const reg of ecsRegistries) {
        const { Instances } = await sd.send(new SD.ListInstancesCommand({ ServiceId: reg.Id, MaxResults: 100 }));
        if (Instances.length !== TASKS_PER_SERVICE) return false;
      }
      return true;
    },
    500,
  );
  out.services = SERVICES;
  out.instances = INSTANCES_PER_SERVICE * (SERVICES - 2 - ECS_SERVICES) + 2 + 2 + ECS_SERVICES * TASKS_PER_SERVICE;
  out.apis = APIS;
  out.routes = APIS * ROUTES;
  out.tasks = ECS_SERVICES * TASKS_PER_SERVICE + 2;
}
out.ms = Math.round(performance.now() - t0);
console.log(JSON.stringify(out));
for (const c of [sd, gw, ec2, ecs]) c.destroy();
