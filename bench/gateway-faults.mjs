#!/usr/bin/env node
// Issue 5's fault run: `wrk -c100 -d30s` through the gateway (HTTP API → VPC link → Cloud Map → two
// ECS tasks on the process runtime) while, 5 s in, a task's process is SIGKILLed, and 12 s in the
// service rolls to a new task-definition revision (minimumHealthyPercent 100, maximumPercent 200).
// Prints wrk's own counts: requests, non-2xx/3xx answers and socket errors. Loopback only; bounded by DUR.
//   node bench/gateway-faults.mjs            (DUR=30 CONC=100)
//   DUR=14 CONC=10 node bench/gateway-faults.mjs   (shortest run that still covers both faults)
// Needs wrk and `npm run build`; Wayfinder's data goes to a temporary directory, removed at the end.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as ECS from '@aws-sdk/client-ecs';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as SD from '@aws-sdk/client-servicediscovery';
import * as E from '@aws-sdk/client-ec2';

try {
  execFileSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' });
} catch {
  console.error('gateway-faults.mjs: missing wrk (the load generator of this run).\n  install: apt-get install -y wrk');
  process.exit(1);
}
const DUR = Number(process.env.DUR ?? 30);
const CONC = Number(process.env.CONC ?? 100);
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wf-faults-'));
// The account throttle (AWS: 10,000 rps, burst 5,000) is raised: the run drives more than that, and
// a 429 from the account limit is not what this run is about.
const wf = spawn(
  process.execPath,
  [
    join(root, 'bin/wayfinder.js'),
    'up',
    '--gateway-rate-limit',
    '1000000',
    '--gateway-burst-limit',
    '1000000',
    '--port',
    '0',
    '--dns-port',
    '0',
    '--data-dir',
    dir,
    '--runtime',
    'process',
    '--health-delay-ms',
    '200',
    '--task-stable-ms',
    '500',
    '--vpc-link-delay-ms',
    '100',
    '--operation-delay-ms',
    '50',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise((resolve) => {
  let out = '';
  wf.stdout.on('data', (d) => {
    out += d;
    const m = /endpoint\s+http:\/\/[^:]+:(\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
});
const cfg = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const ecs = new ECS.ECSClient(cfg);
const apigw = new AG.ApiGatewayV2Client(cfg);
const sd = new SD.ServiceDiscoveryClient({ ...cfg, disableHostPrefix: true });
const ec2 = new E.EC2Client(cfg);
const until = async (what, fn, ms = 60_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out: ${what}`);
};
try {
  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({}));
  const { Subnets } = await ec2.send(new E.DescribeSubnetsCommand({}));
  const subnet = Subnets[0].SubnetId;
  const { OperationId } = await sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: 'faults.local', Vpc: Vpcs[0].VpcId }));
  const ns = await until('namespace', async () => {
    const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId }));
    return Operation.Status === 'SUCCESS' && Operation.Targets.NAMESPACE;
  });
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({ Name: 'web', NamespaceId: ns, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] }, HealthCheckCustomConfig: { FailureThreshold: 1 } }),
  );
  const register = (v) =>
    ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image: 'unused',
            portMappings: [{ containerPort: 80 }],
            command: ['node', '-e', `require('http').createServer((q,s)=>s.end('v${v}')).listen(process.env.PORT,'127.0.0.1')`],
          },
        ],
      }),
    );
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'faults' }));
  await register(1);
  await ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'faults',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 2,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
      serviceRegistries: [{ registryArn: Service.Arn, port: 80 }],
    }),
  );
  const link = (await apigw.send(new AG.CreateVpcLinkCommand({ Name: 'l', SubnetIds: [subnet] }))).VpcLinkId;
  await until('VPC link', async () => (await apigw.send(new AG.GetVpcLinkCommand({ VpcLinkId: link }))).VpcLinkStatus === 'AVAILABLE');
  const api = await apigw.send(new AG.CreateApiCommand({ Name: 'faults', ProtocolType: 'HTTP' }));
  const integ = await apigw.send(
    new AG.CreateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      ConnectionType: 'VPC_LINK',
      ConnectionId: link,
      IntegrationUri: Service.Arn,
      PayloadFormatVersion: '1.0',
    }),
  );
  await apigw.send(new AG.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'ANY /', Target: `integrations/${integ.IntegrationId}` }));
  await apigw.send(new AG.CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
  const steady = () =>
    until('steady', async () => {
      const s = (await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'faults', services: ['web'] }))).services[0];
      return s.runningCount === 2 && s.deployments.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s;
    });
  await steady();
  const url = `http://127.0.0.1:${port}/_aws/execute-api/${api.ApiId}/$default/`;
  console.log(`wrk -t1 -c${CONC} -d${DUR}s ${url}`);
  // wrk reports "Non-2xx or 3xx responses: N" and "Socket errors: …" only when there are any.
  const wrk = spawn('wrk', ['-t1', `-c${CONC}`, `-d${DUR}s`, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let wrkOut = '';
  wrk.stdout.on('data', (d) => (wrkOut += d));
  const wrkDone = new Promise((r) => wrk.on('exit', r));
  await sleep(5000);
  const { taskArns } = await ecs.send(new ECS.ListTasksCommand({ cluster: 'faults', serviceName: 'web' }));
  const { tasks } = await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'faults', tasks: taskArns }));
  const pid = Number(tasks[0].containers[0].runtimeId);
  process.kill(pid, 'SIGKILL');
  console.log(`t=5s   SIGKILL task ${tasks[0].taskArn.split('/').pop()} (pid ${pid})`);
  await sleep(7000);
  await register(2);
  await ecs.send(new ECS.UpdateServiceCommand({ cluster: 'faults', service: 'web', taskDefinition: 'web:2' }));
  console.log('t=12s  update-service --task-definition web:2 (min 100 %, max 200 %)');
  const rolled = await steady();
  console.log(`rollout ${rolled.deployments[0].rolloutState} on ${rolled.taskDefinition.split('/').pop()}`);
  await wrkDone;
  console.log(wrkOut.trim());
  const after = execFileSync('curl', ['-s', url], { encoding: 'utf8' });
  console.log(`after the run the API answers: ${after}`);
} finally {
  for (const c of [ecs, apigw, sd, ec2]) c.destroy();
  wf.kill('SIGTERM');
  await new Promise((r) => wf.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
