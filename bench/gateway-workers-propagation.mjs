// How long a change takes to reach every gateway worker thread (--gateway-workers, docs/gateway.md):
// a whole Wayfinder with N threads (GW_WORKERS, default 2) in this process; for each of ROUNDS changes
// — a stage update (UpdateStage, a new stage variable), a new deployment (CreateDeployment) and a Cloud Map health flip
// (UpdateInstanceCustomHealthStatus, --health-delay-ms 0) — the time from the moment the change is
// committed on the main thread until every worker reports it applied (health facts: revisions), polled
// on every turn of the event loop. Prints p50 / p99 / max in ms and how many took over 100 ms (the
// issue's bound). Loopback; temp data dir removed.
//   node bench/gateway-workers-propagation.mjs        ROUNDS=100 GW_WORKERS=2
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as SD from '@aws-sdk/client-servicediscovery';
import { startWayfinder } from '../dist/src/server/app.js';
import { resolveConfig } from '../dist/src/server/config.js';
import { silentLogger } from '../dist/src/kernel/log.js';

const rounds = Number(process.env.ROUNDS ?? 100);
const dataDir = mkdtempSync(join(tmpdir(), 'wayfinder-bench-'));
const config = resolveConfig(
  { port: '0', dnsPort: '0', dataDir, auth: 'off', healthDelayMs: '0', operationDelayMs: '0', vpcLinkDelayMs: '0', gatewayWorkers: process.env.GW_WORKERS ?? '2' },
  {},
);
const wf = await startWayfinder(config, silentLogger);
const client = { endpoint: wf.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const gw = new G.ApiGatewayV2Client(client);
const sd = new SD.ServiceDiscoveryClient({ ...client, disableHostPrefix: true });
const waitOp = async (id) => {
  for (let i = 0; i < 400; i++) {
    const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId: id }));
    if (Operation.Status === 'SUCCESS') return Operation;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('Cloud Map operation did not finish');
};

/** Resolves with the moment (performance.now()) every worker has applied `revision`, polled every loop turn. */
function appliedAt(revision) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      const f = wf.facts().gatewayWorkers;
      if (f.revisions.slice(1).every((r) => r >= revision)) return resolve(performance.now());
      if (performance.now() - t0 > 10_000) return reject(new Error('a worker did not apply the change within 10 s'));
      setImmediate(check);
    };
    check();
  });
}

/** ms from the change's first commit on the main thread to every worker having applied its last one. */
async function measure(change) {
  const before = wf.store.revision;
  let committedAt;
  const unsubscribe = wf.store.subscribe(() => (committedAt ??= performance.now()));
  await change();
  // A health flip commits after the call returns (the health delay is a timer, 0 here): wait for it.
  const t = performance.now();
  while (wf.store.revision === before && performance.now() - t < 5000) await new Promise((r) => setImmediate(r));
  unsubscribe();
  if (committedAt === undefined) throw new Error('the change committed nothing');
  return (await appliedAt(wf.store.revision)) - committedAt;
}

const api = (await gw.send(new G.CreateApiCommand({ Name: 'p', ProtocolType: 'HTTP', Target: 'http://127.0.0.1:9' }))).ApiId;
// A second API with a stage that is deployed by hand (a quick-create stage deploys itself).
const manual = (await gw.send(new G.CreateApiCommand({ Name: 'd', ProtocolType: 'HTTP' }))).ApiId;
const integ = await gw.send(new G.CreateIntegrationCommand({ ApiId: manual, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: 'http://127.0.0.1:9' }));
await gw.send(new G.CreateRouteCommand({ ApiId: manual, RouteKey: 'ANY /', Target: `integrations/${integ.IntegrationId}` }));
await gw.send(new G.CreateStageCommand({ ApiId: manual, StageName: 'live' }));
const ns = (await waitOp((await sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'p' }))).OperationId)).Targets.NAMESPACE;
const svc = (await sd.send(new SD.CreateServiceCommand({ Name: 's', NamespaceId: ns, HealthCheckCustomConfig: { FailureThreshold: 1 } }))).Service;
await waitOp(
  (await sd.send(new SD.RegisterInstanceCommand({ ServiceId: svc.Id, InstanceId: 'i-1', Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: '9' } }))).OperationId,
);

const stage = [];
const deployment = [];
const health = [];
for (let i = 0; i < rounds; i++) {
  stage.push(await measure(() => gw.send(new G.UpdateStageCommand({ ApiId: api, StageName: '$default', StageVariables: { round: String(i) } }))));
  deployment.push(await measure(() => gw.send(new G.CreateDeploymentCommand({ ApiId: manual, StageName: 'live', Description: `round ${i}` }))));
  health.push(await measure(() => sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc.Id, InstanceId: 'i-1', Status: i % 2 ? 'HEALTHY' : 'UNHEALTHY' }))));
}
const pct = (a, p) => {
  const s = a.filter(Number.isFinite).sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
console.log(`change → every worker applied (ms), ${rounds} rounds, ${config.gatewayWorkers} threads, load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
for (const [name, a] of [
  ['UpdateStage', stage],
  ['CreateDeployment', deployment],
  ['Cloud Map health', health],
]) {
  const over = a.filter((x) => x > 100).length;
  console.log(
    `  ${name.padEnd(18)} p50 ${pct(a, 50).toFixed(2)}  p99 ${pct(a, 99).toFixed(2)}  max ${Math.max(...a.filter(Number.isFinite)).toFixed(2)}  over 100 ms: ${over}/${a.length}`,
  );
}
gw.destroy();
sd.destroy();
await wf.close();
rmSync(dataDir, { recursive: true, force: true });
