// Benchmark peer: a whole Wayfinder on one port with one HTTP API configured like the seed — a VPC
// link, a Cloud Map service whose instance is the benchmark backend, an `ANY /` route (plus two more
// routes, as the other peers have three), a `$default` stage and a deployment. Access logs off.
// Env: PORT (8098), UPSTREAM_PORT (8082), GW_MODE=cloudmap|http, GW_API_FILE (apiId written there),
// GW_WORKERS (--gateway-workers, default 1),
// GW_PROFILE=<file.cpuprofile> (CPU profile of the serving phase only, written on SIGTERM).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import * as SD from '@aws-sdk/client-servicediscovery';
import { startWayfinder } from '../dist/src/server/app.js';
import { resolveConfig } from '../dist/src/server/config.js';
import { silentLogger } from '../dist/src/kernel/log.js';

const port = Number(process.env.PORT ?? 8098);
const upstream = Number(process.env.UPSTREAM_PORT ?? 8082);
const mode = process.env.GW_MODE ?? 'cloudmap';
const dataDir = mkdtempSync(join(tmpdir(), 'wayfinder-bench-'));
const config = resolveConfig(
  {
    port: String(port),
    dataDir,
    dnsPort: '0',
    auth: 'off',
    vpcLinkDelayMs: '0',
    operationDelayMs: '0',
    healthDelayMs: '0',
    // The account limit (AWS: 10,000 rps) would throttle the benchmark itself.
    gatewayRateLimit: '100000000',
    gatewayBurstLimit: '100000000',
    logLevel: 'warn',
    gatewayWorkers: process.env.GW_WORKERS ?? '1',
  },
  {},
);
const wf = await startWayfinder(config, silentLogger);
const client = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const gw = new G.ApiGatewayV2Client(client);
const api = (await gw.send(new G.CreateApiCommand({ Name: 'bench', ProtocolType: 'HTTP' }))).ApiId;
let integration;
if (mode === 'cloudmap') {
  const sd = new SD.ServiceDiscoveryClient({ ...client, disableHostPrefix: true });
  const wait = async (id) => {
    for (let i = 0; i < 200; i++) {
      const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId: id }));
      if (Operation.Status === 'SUCCESS') return Operation;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('Cloud Map operation did not finish');
  };
  const ns = (await wait((await sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'internal' }))).OperationId)).Targets.NAMESPACE;
  const svc = (await sd.send(new SD.CreateServiceCommand({ Name: 'api', NamespaceId: ns, HealthCheckCustomConfig: { FailureThreshold: 1 } }))).Service;
  await wait(
    (
      await sd.send(
        new SD.RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 'task-1', Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(upstream) } }),
      )
    ).OperationId,
  );
  const ec2 = new E.EC2Client(client);
  const subnet = (await ec2.send(new E.DescribeSubnetsCommand({}))).Subnets[0].SubnetId;
  const link = (await gw.send(new G.CreateVpcLinkCommand({ Name: 'bench', SubnetIds: [subnet] }))).VpcLinkId;
  integration = await gw.send(
    new G.CreateIntegrationCommand({
      ApiId: api,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      ConnectionType: 'VPC_LINK',
      ConnectionId: link,
      IntegrationUri: svc.Arn,
    }),
  );
  sd.destroy();
  ec2.destroy();
} else {
  integration = await gw.send(
    new G.CreateIntegrationCommand({ ApiId: api, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `http://127.0.0.1:${upstream}` }),
  );
}
const target = `integrations/${integration.IntegrationId}`;
for (const RouteKey of ['GET /api/users/{id}', 'ANY /api/orders/{proxy+}', 'ANY /']) await gw.send(new G.CreateRouteCommand({ ApiId: api, RouteKey, Target: target }));
await gw.send(new G.CreateStageCommand({ ApiId: api, StageName: '$default' }));
await gw.send(new G.CreateDeploymentCommand({ ApiId: api, StageName: '$default' }));
gw.destroy();
let profiler;
if (process.env.GW_PROFILE) {
  const { Session } = await import('node:inspector');
  profiler = new Session();
  profiler.connect();
  await new Promise((r) => profiler.post('Profiler.enable', () => profiler.post('Profiler.start', r)));
}
if (process.env.GW_API_FILE) writeFileSync(process.env.GW_API_FILE, api);
console.log(`wayfinder gateway (${mode}) on ${port}: /_aws/execute-api/${api}/$default/ → 127.0.0.1:${upstream}`);
const stop = async () => {
  if (profiler) {
    const { profile } = await new Promise((r) => profiler.post('Profiler.stop', (_e, res) => r(res)));
    writeFileSync(process.env.GW_PROFILE, JSON.stringify(profile));
  }
  await wf.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
