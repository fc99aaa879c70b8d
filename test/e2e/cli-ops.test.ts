// The operator commands against a running Wayfinder, run as the real CLI: `wayfinder status`,
// `wayfinder wait …` and `wayfinder logs`. Output without a TTY is plain: no escape codes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ECS from '@aws-sdk/client-ecs';
import * as AG from '@aws-sdk/client-apigatewayv2';
import { startTestServer, sdkConfig, type TestServer } from '../support/server.js';
import { clients, cloudMapService, defaultNetwork, httpCommand, wwwDir, type Clients } from '../support/ecs.js';
import { runCli } from '../support/cli.js';

let server: TestServer;
let c: Clients;
let env: NodeJS.ProcessEnv;
let apiId: string;
const ESC = '\u001b[';

before(async () => {
  server = await startTestServer({ runtime: 'process', taskStableMs: 200 });
  c = clients(server);
  env = { AWS_ENDPOINT_URL: `http://127.0.0.1:${server.port}`, AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  const { vpcId, subnets } = await defaultNetwork(c.ec2);
  const registry = await cloudMapService(c.sd, vpcId, { namespace: 'ops.local', service: 'web' });
  await c.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'ops' }));
  await c.ecs.send(
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
          command: ['sh', '-c', `echo task says hello; ${httpCommand(wwwDir('ops')).at(-1)}`],
          portMappings: [{ containerPort: 80 }],
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' },
          },
        },
      ],
    }),
  );
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'ops',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 2,
      networkConfiguration: { awsvpcConfiguration: { subnets: subnets.slice(0, 1) } },
      serviceRegistries: [{ registryArn: registry.serviceArn, port: 80 }],
    }),
  );
  const apigw = new AG.ApiGatewayV2Client(sdkConfig(server));
  const api = await apigw.send(new AG.CreateApiCommand({ Name: 'ops-api', ProtocolType: 'HTTP', Target: 'http://127.0.0.1:9/' }));
  apiId = api.ApiId!;
  apigw.destroy();
});

after(async () => {
  c.destroy();
  await server.destroy();
});

test('wayfinder wait service blocks until the service is steady, printing plain progress lines', async () => {
  const r = await runCli(['wait', 'service', 'ops', 'web', '--timeout', '60'], env, 70_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /✓ service ops\/web: running 2\/2, pending 0, rollout COMPLETED/);
  assert.ok(!r.stderr.includes(ESC), 'no escape codes without a TTY');
  const missing = await runCli(['wait', 'service', 'ops', 'nope', '--timeout', '5'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /✗ service ops\/nope not found/);
  // An unknown cluster fails at once (the timeout here is 300 s, the test's limit far less).
  const noCluster = await runCli(['wait', 'service', 'nocluster', 'web'], env, 20_000);
  assert.equal(noCluster.code, 1);
  assert.match(noCluster.stderr, /✗ ClusterNotFoundException/);
  const badTimeout = await runCli(['wait', 'ready', '--timeout', 'abc'], env);
  assert.equal(badTimeout.code, 2);
  assert.match(badTimeout.stderr, /--timeout takes whole seconds, got 'abc'/);
  assert.equal((await runCli(['wait', 'bogus'], env)).code, 2);
});

test('wayfinder status lists the API with its invoke URL, Cloud Map health and the ECS deployment', async () => {
  await runCli(['wait', 'service', 'ops', 'web', '--timeout', '60'], env, 70_000);
  const r = await runCli(['status'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`ops-api \\(${apiId}, HTTP\\)`));
  assert.match(r.stdout, new RegExp(`stage \\$default\\s+http://${apiId}\\.execute-api\\.localhost:${server.port}/`));
  assert.match(r.stdout, /route \$default\s+HTTP_PROXY → http:\/\/127\.0\.0\.1:9\//);
  assert.match(r.stdout, /web\.ops\.local\s+srv-[a-z0-9]{16}\s+2\/2 healthy/);
  assert.match(r.stdout, /ops\/web\s+desired 2 running 2 pending 0\s+ecs-svc\/\d+ COMPLETED \(web:1\)/);
  assert.doesNotMatch(r.stdout, /^(HTTP APIs|Cloud Map services|ECS services) \((?!us-east-1\))/m, 'only us-east-1 holds resources so far');
  const help = await runCli(['status', '--help'], env);
  assert.deepEqual([help.code, help.stdout.startsWith('Usage: wayfinder status')], [0, true]);
  const down = await runCli(['status', '--endpoint', 'http://127.0.0.1:9'], env);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /no Wayfinder answers at http:\/\/127\.0\.0\.1:9/);
});

test('wayfinder status shows every region that holds resources, or only --region', async () => {
  const london = new AG.ApiGatewayV2Client(sdkConfig(server, 'eu-west-2'));
  const api = await london.send(new AG.CreateApiCommand({ Name: 'london-api', ProtocolType: 'HTTP', Target: 'http://127.0.0.1:9/' }));
  london.destroy();
  try {
    const all = await runCli(['status'], env); // the shell's region is us-east-1
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`HTTP APIs \\(eu-west-2\\)\n  london-api \\(${api.ApiId}, HTTP\\)`));
    assert.match(all.stdout, new RegExp(`HTTP APIs \\(us-east-1\\)\n  ops-api \\(${apiId}, HTTP\\)`));
    const one = await runCli(['status', '--region', 'eu-west-2'], env);
    assert.match(one.stdout, /london-api/);
    assert.doesNotMatch(one.stdout, /ops-api|us-east-1\)/);
    assert.match(one.stdout, /ECS services \(eu-west-2\)\n {2}\(none\)/);
  } finally {
    const again = new AG.ApiGatewayV2Client(sdkConfig(server, 'eu-west-2'));
    await again.send(new AG.DeleteApiCommand({ ApiId: api.ApiId! }));
    again.destroy();
  }
});

test('wayfinder logs prints the awslogs lines of the service tasks', async () => {
  await runCli(['wait', 'service', 'ops', 'web', '--timeout', '60'], env, 70_000);
  let out = '';
  for (let i = 0; i < 20 && (out.match(/task says hello/g) ?? []).length < 2; i++) {
    out = (await runCli(['logs', 'ops', 'web'], env)).stdout;
    if ((out.match(/task says hello/g) ?? []).length < 2) await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal((out.match(/\[web [0-9a-f]{8}\] task says hello/g) ?? []).length, 2, out);
  // The shell's region holds no such service: without --region, logs finds it where it lives.
  const elsewhere = await runCli(['logs', 'ops', 'web'], { ...env, AWS_DEFAULT_REGION: 'eu-west-2' });
  assert.equal(elsewhere.code, 0, elsewhere.stderr);
  assert.match(elsewhere.stdout, /\[web [0-9a-f]{8}\] task says hello/);
  assert.match(elsewhere.stderr, /ops\/web is in us-east-1/);
  const pinned = await runCli(['logs', 'ops', 'web', '--region', 'eu-west-2'], env);
  assert.equal(pinned.code, 1);
  assert.match(pinned.stderr, /^wayfinder logs: .*(ClusterNotFoundException|MISSING)/);
  const bad = await runCli(['logs', 'ops', 'missing'], env);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim(), 'wayfinder logs: service ops/missing: MISSING');
});
