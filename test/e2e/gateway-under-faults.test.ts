// Reliability sweep, part 3: traffic through the gateway (HTTP API → VPC link → Cloud Map → ECS
// tasks on the process runtime) while a task is killed with SIGKILL and while the service rolls to a
// new task definition revision (minimumHealthyPercent 100, maximumPercent 200). Every request must
// succeed: the scheduler registers new tasks before old ones leave, and the gateway retries a request
// that never reached a dead task on another instance. Load is bounded in time and count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import * as ECS from '@aws-sdk/client-ecs';
import * as AG from '@aws-sdk/client-apigatewayv2';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { clients, cloudMapService, defaultNetwork, privateHttpApi, runningTasks, waitFor, type Clients } from '../support/ecs.js';

let server: TestServer;
let c: Clients;
let apigw: AG.ApiGatewayV2Client;
let invokePath: string;

// A task that answers its task-definition revision on $PORT.
const taskCommand = (version: string) => ['node', '-e', `require('http').createServer((q, s) => s.end('v${version}')).listen(process.env.PORT, '127.0.0.1')`];

async function register(version: string): Promise<void> {
  await c.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'load',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: 'unused', command: taskCommand(version), portMappings: [{ containerPort: 80 }] }],
    }),
  );
}

before(async () => {
  server = await startTestServer({ runtime: 'process', taskStableMs: 300, healthDelayMs: 200 });
  c = clients(server);
  apigw = new AG.ApiGatewayV2Client(sdkConfig(server));
  const { vpcId, subnets } = await defaultNetwork(c.ec2);
  const registry = await cloudMapService(c.sd, vpcId, { namespace: 'load.local', service: 'web' });
  await c.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'load' }));
  await register('1');
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'load',
      serviceName: 'web',
      taskDefinition: 'load',
      desiredCount: 2,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      networkConfiguration: { awsvpcConfiguration: { subnets: subnets.slice(0, 1) } },
      serviceRegistries: [{ registryArn: registry.serviceArn, port: 80 }],
    }),
  );
  const apiId = await privateHttpApi(apigw, 'load', subnets.slice(0, 1), registry.serviceArn);
  invokePath = `/_aws/execute-api/${apiId}/$default/hello`;
  await waitFor(
    '2 healthy tasks behind the gateway',
    async () => {
      const { services } = await c.ecs.send(new ECS.DescribeServicesCommand({ cluster: 'load', services: ['web'] }));
      return services?.[0]?.runningCount === 2 && services[0].deployments?.[0]?.rolloutState === 'COMPLETED';
    },
    60_000,
  );
});

after(async () => {
  apigw.destroy();
  c.destroy();
  await server.destroy();
});

interface LoadResult {
  sent: number;
  ok: number;
  failures: string[];
  bodies: Map<string, number>;
}

/** `workers` keep-alive clients sending GETs until stop() or the count/time bound. */
function load(workers: number, maxMs: number, maxRequests: number): { stop(): Promise<LoadResult> } {
  const agent = new Agent({ keepAlive: true, maxSockets: workers });
  const result: LoadResult = { sent: 0, ok: 0, failures: [], bodies: new Map() };
  const deadline = Date.now() + maxMs;
  let stopped = false;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: invokePath, agent, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          if (res.statusCode === 200) {
            result.ok++;
            result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1);
          } else result.failures.push(`${res.statusCode} ${body.slice(0, 100)}`);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        result.failures.push(`transport ${e.message}`);
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (!stopped && Date.now() < deadline && result.sent < maxRequests) {
      result.sent++;
      await one();
    }
  };
  const running = Promise.all(Array.from({ length: workers }, worker));
  return {
    async stop() {
      stopped = true;
      await running;
      agent.destroy();
      return result;
    },
  };
}

test('no request fails while a task is SIGKILLed and replaced', async () => {
  const traffic = load(8, 30_000, 200_000);
  await new Promise((r) => setTimeout(r, 1000));
  const [victim] = await runningTasks(c.ecs, 'load', 'web');
  process.kill(Number(victim!.containers![0]!.runtimeId), 'SIGKILL');
  await waitFor(
    'the replacement task',
    async () => {
      const tasks = await runningTasks(c.ecs, 'load', 'web');
      return tasks.filter((t) => t.lastStatus === 'RUNNING' && t.taskArn !== victim!.taskArn).length === 2;
    },
    30_000,
  );
  await new Promise((r) => setTimeout(r, 1000));
  const r = await traffic.stop();
  console.log(`task death: ${r.sent} requests, ${r.ok} ok, ${r.failures.length} failed`);
  assert.ok(r.sent > 100, `only ${r.sent} requests were sent`);
  assert.deepEqual(r.failures.slice(0, 10), []);
});

test('no request fails while the service rolls to a new revision, and traffic moves to it', async () => {
  await register('2');
  const traffic = load(8, 60_000, 400_000);
  await new Promise((r) => setTimeout(r, 500));
  await c.ecs.send(new ECS.UpdateServiceCommand({ cluster: 'load', service: 'web', taskDefinition: 'load:2' }));
  await waitFor(
    'the rollout to complete',
    async () => {
      const { services } = await c.ecs.send(new ECS.DescribeServicesCommand({ cluster: 'load', services: ['web'] }));
      const s = services![0]!;
      return s.deployments?.length === 1 && s.deployments[0]!.rolloutState === 'COMPLETED' && s.taskDefinition?.endsWith(':2');
    },
    50_000,
  );
  const before = traffic;
  await new Promise((r) => setTimeout(r, 500));
  const r = await before.stop();
  console.log(`rolling deployment: ${r.sent} requests, ${r.ok} ok, ${r.failures.length} failed; bodies ${JSON.stringify(Object.fromEntries(r.bodies))}`);
  assert.ok(r.sent > 100, `only ${r.sent} requests were sent`);
  assert.deepEqual(r.failures.slice(0, 10), []);
  assert.ok((r.bodies.get('v1') ?? 0) > 0 && (r.bodies.get('v2') ?? 0) > 0, 'traffic was served by both revisions');
  const res = await fetch(`http://127.0.0.1:${server.port}${invokePath}`);
  assert.equal(await res.text(), 'v2');
});
