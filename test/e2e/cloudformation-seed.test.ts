// The seed's Step 2 and the rest of its architecture as two CloudFormation stacks, from the files a
// user deploys (examples/cloudformation/seed-network.yaml and seed-service.yaml), with
// `aws cloudformation deploy`: the Image parameter overridden, CAPABILITY_NAMED_IAM for the named
// execution role; the invoke URL from the outputs serves the Flask task; the events are in order; an
// update scales the service and then rolls it to a new image with the gateway answering no 5xx; the
// exporter cannot be deleted while imported; deleting both leaves nothing.
// Process runtime (python3 + Flask on the host, as CI runs it); the Docker runtime with the seed's
// image when WAYFINDER_TEST_DOCKER=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../support/server.js';
import { awsCli, awsJson, describeStack, eventLines, failureReport, output } from '../support/cloudformation.js';
import { hasAwsCliV2 } from '../support/aws-cli.js';
import { eventually } from '../support/gateway.js';

const example = (name: string) => fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));
const NETWORK = example('cloudformation/seed-network.yaml');
const SERVICE = example('cloudformation/seed-service.yaml');
const APP = example('seed-walkthrough/app.py');
const IMAGE = 'flask-app-fargate-fargate:latest';

interface Run {
  server: TestServer;
  runtime: 'process' | 'docker';
  v2: boolean;
}

async function deploy(run: Run, args: string[]): Promise<void> {
  const r = await awsCli(run.server, ['cloudformation', 'deploy', ...args], { v2: run.v2 });
  if (r.code === 0) return;
  const stack = args[args.indexOf('--stack-name') + 1]!;
  assert.fail(`deploy of ${stack} failed (${r.code}): ${await failureReport(run.server, stack, r.stderr)}`);
}

function networkArgs(run: Run, image: string): string[] {
  const overrides = [`Image=${image}`, ...(run.runtime === 'process' ? [`EntryPoint=python3,${APP}`] : [])];
  return ['--stack-name', 'seed-network', '--template-file', NETWORK, '--capabilities', 'CAPABILITY_NAMED_IAM', '--parameter-overrides', ...overrides];
}

/**
 * The invoke URL's answer, through curl with the API's Host header (Node does not resolve
 * *.localhost). Asynchronous: the test server answers in this process.
 */
function curl(run: Run, invokeUrl: string): Promise<{ status: number; body: string }> {
  const url = new URL(invokeUrl);
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '-m', '10', '-w', '\n%{http_code}', '-H', `Host: ${url.host}`, `http://127.0.0.1:${run.server.port}/`], (err, stdout, stderr) => {
      if (err) return resolve({ status: -1, body: `curl: ${stderr}` });
      const at = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) });
    });
  });
}

/** The stack's events oldest first: the stack's own first and last, and every resource started before it completed. */
async function assertEventsInOrder(run: Run, stack: string): Promise<void> {
  const lines = await eventLines(run.server, stack);
  // `deploy` makes the stack with a change set: REVIEW_IN_PROGRESS first, as on AWS.
  assert.deepEqual(lines.slice(0, 2), [`${stack} REVIEW_IN_PROGRESS`, `${stack} CREATE_IN_PROGRESS`]);
  assert.equal(lines.at(-1), `${stack} CREATE_COMPLETE`);
  const resources = new Set(lines.map((l) => l.split(' ')[0]!).filter((id) => id !== stack));
  for (const id of resources) {
    const started = lines.indexOf(`${id} CREATE_IN_PROGRESS`);
    const done = lines.indexOf(`${id} CREATE_COMPLETE`);
    assert.ok(started >= 0 && done > started, `${id}: ${started} then ${done}`);
  }
}

async function seed(run: Run): Promise<void> {
  const { server } = run;
  await deploy(run, networkArgs(run, IMAGE));
  await deploy(run, ['--stack-name', 'seed-service', '--template-file', SERVICE, '--parameter-overrides', 'NetworkStack=seed-network']);
  const network = await describeStack(server, 'seed-network');
  const service = await describeStack(server, 'seed-service');
  assert.equal(network.StackStatus, 'CREATE_COMPLETE');
  assert.equal(service.StackStatus, 'CREATE_COMPLETE');

  const url = output(service, 'InvokeUrl');
  assert.match(url, /^http:\/\/[a-z0-9]{10}\.execute-api\.localhost:\d+$/);
  // The service is steady when its task runs; the app inside may take a moment more to listen.
  const first = await eventually(async () => {
    const a = await curl(run, url);
    return a.status === 200 ? a : undefined;
  }, 'the Flask app through the invoke URL');
  assert.deepEqual(first, { status: 200, body: 'Serving flask app' });
  const apiId = output(service, 'ApiId');
  const viaPath = await fetch(`http://127.0.0.1:${server.port}/_aws/execute-api/${apiId}/$default/`);
  assert.equal(await viaPath.text(), 'Serving flask app');

  await assertEventsInOrder(run, 'seed-network');
  await assertEventsInOrder(run, 'seed-service');

  // What the stacks made is what the services' APIs show.
  const endpoints = await awsJson<{ VpcEndpoints: Array<{ ServiceName: string; VpcEndpointType: string }> }>(server, ['ec2', 'describe-vpc-endpoints']);
  assert.deepEqual(endpoints.VpcEndpoints.map((e) => `${e.VpcEndpointType} ${e.ServiceName.split('.').slice(3).join('.')}`).sort(), [
    'Gateway s3',
    'Interface ecr.api',
    'Interface ecr.dkr',
    'Interface logs',
  ]);
  const role = await awsJson<{ AttachedPolicies: Array<{ PolicyName: string }> }>(server, ['iam', 'list-attached-role-policies', '--role-name', 'seed-network-task-execution']);
  assert.deepEqual(
    role.AttachedPolicies.map((p) => p.PolicyName),
    ['AmazonECSTaskExecutionRolePolicy'],
  );
  const imports = await awsJson<{ Imports: string[] }>(server, ['cloudformation', 'list-imports', '--export-name', 'seed-network-Cluster']);
  assert.deepEqual(imports.Imports, ['seed-service']);

  // The updates, with the gateway sampled all along (at most 3000 requests, at most 5 minutes).
  const statuses: number[] = [];
  const failures: string[] = [];
  let rolling = true;
  const deadline = Date.now() + 300_000;
  const traffic = (async () => {
    while (rolling && statuses.length < 3000 && Date.now() < deadline) {
      const res = await fetch(`http://127.0.0.1:${server.port}/_aws/execute-api/${apiId}/$default/`).catch((err: Error) => {
        failures.push(`${err.message}: ${String((err as { cause?: unknown }).cause)}`);
        return undefined;
      });
      statuses.push(res?.status ?? 0);
      if (res && res.status >= 500) failures.push(`${res.status}: ${await res.text()}`);
      else await res?.text();
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const describeService = async () =>
    (
      await awsJson<{ services: Array<{ desiredCount: number; runningCount: number; taskDefinition: string }> }>(server, [
        'ecs',
        'describe-services',
        '--cluster',
        output(network, 'Cluster'),
        '--services',
        output(service, 'ServiceArn'),
      ])
    ).services[0]!;
  try {
    await deploy(run, ['--stack-name', 'seed-service', '--template-file', SERVICE, '--parameter-overrides', 'NetworkStack=seed-network', 'DesiredCount=2']);
    const scaled = await describeService();
    assert.deepEqual([scaled.desiredCount, scaled.runningCount], [2, 2]);
    assert.match(scaled.taskDefinition, /:task-definition\/seed-network-app:1$/);

    // A new image: the network stack registers revision 2, the service stack rolls ECS to it.
    if (run.runtime === 'docker') execFileSync('docker', ['tag', IMAGE, 'flask-app-fargate-fargate:v2']);
    await deploy(run, networkArgs(run, 'flask-app-fargate-fargate:v2'));
    const td = output(await describeStack(server, 'seed-network'), 'TaskDefinition');
    assert.match(td, /:task-definition\/seed-network-app:2$/);
    await deploy(run, ['--stack-name', 'seed-service', '--template-file', SERVICE, '--parameter-overrides', 'NetworkStack=seed-network', 'DesiredCount=2', 'TaskRevision=2']);
    const rolled = await describeService();
    assert.match(rolled.taskDefinition, /:task-definition\/seed-network-app:2$/);
    assert.equal(rolled.runningCount, 2);
  } finally {
    rolling = false;
    await traffic;
  }
  assert.ok(statuses.length > 0);
  assert.deepEqual(failures, [], `${failures.length} of ${statuses.length} requests failed`);
  assert.deepEqual(await curl(run, url), { status: 200, body: 'Serving flask app' });

  // The exporter cannot go while imported: its delete fails and everything stays.
  assert.equal((await awsCli(server, ['cloudformation', 'delete-stack', '--stack-name', 'seed-network'], { v2: run.v2 })).code, 0);
  const refused = await awsCli(server, ['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'seed-network'], { v2: run.v2 });
  assert.notEqual(refused.code, 0);
  const kept = await describeStack(server, 'seed-network');
  assert.equal(kept.StackStatus, 'DELETE_FAILED');
  assert.match(kept.StackStatusReason ?? '', /Export seed-network-\w+ cannot be deleted as it is in use by seed-service/);

  // The service stack first, then the network: nothing is left in any service.
  for (const name of ['seed-service', 'seed-network']) {
    assert.equal((await awsCli(server, ['cloudformation', 'delete-stack', '--stack-name', name], { v2: run.v2 })).code, 0);
    const gone = await awsCli(server, ['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', name], { v2: run.v2 });
    assert.equal(gone.code, 0, gone.stderr);
  }
  assert.deepEqual((await awsJson<{ Items?: unknown[] }>(server, ['apigatewayv2', 'get-apis'])).Items ?? [], []);
  assert.deepEqual((await awsJson<{ Items?: unknown[] }>(server, ['apigatewayv2', 'get-vpc-links'])).Items ?? [], []);
  assert.deepEqual((await awsJson<{ Namespaces: unknown[] }>(server, ['servicediscovery', 'list-namespaces'])).Namespaces, []);
  assert.deepEqual((await awsJson<{ clusterArns: unknown[] }>(server, ['ecs', 'list-clusters'])).clusterArns, []);
  assert.deepEqual((await awsJson<{ taskDefinitionArns: unknown[] }>(server, ['ecs', 'list-task-definitions', '--status', 'ACTIVE'])).taskDefinitionArns, []);
  assert.deepEqual((await awsJson<{ VpcEndpoints: unknown[] }>(server, ['ec2', 'describe-vpc-endpoints'])).VpcEndpoints, []);
  assert.deepEqual(
    (await awsJson<{ Roles: Array<{ RoleName: string }> }>(server, ['iam', 'list-roles'])).Roles.filter((r) => r.RoleName.startsWith('seed-network')),
    [],
  );
  assert.deepEqual((await awsJson<{ logGroups: unknown[] }>(server, ['logs', 'describe-log-groups', '--log-group-name-prefix', '/ecs/seed-network'])).logGroups, []);
  assert.deepEqual((await awsJson<{ Exports: unknown[] }>(server, ['cloudformation', 'list-exports'])).Exports, []);
}

test('the seed as two stacks on the process runtime, deployed with aws CLI v2 where installed', async () => {
  const server = await startTestServer({ runtime: 'process' });
  try {
    await seed({ server, runtime: 'process', v2: hasAwsCliV2() });
  } finally {
    await server.destroy();
  }
});

test('the seed as two stacks on the process runtime, deployed with aws CLI v1', async () => {
  const server = await startTestServer({ runtime: 'process' });
  try {
    await seed({ server, runtime: 'process', v2: false });
  } finally {
    await server.destroy();
  }
});

const docker = process.env.WAYFINDER_TEST_DOCKER === '1';
test('the seed as two stacks on the docker runtime, with the seed image', { skip: docker ? false : 'set WAYFINDER_TEST_DOCKER=1 (CI does) to run the docker suites' }, async () => {
  const image = execFileSync('docker', ['images', '-q', IMAGE], { encoding: 'utf8' }).trim();
  assert.ok(image, `${IMAGE} must be built first: examples/seed-walkthrough/build-image.sh`);
  const server = await startTestServer({ runtime: 'docker' });
  try {
    await seed({ server, runtime: 'docker', v2: hasAwsCliV2() });
  } finally {
    await server.destroy();
  }
});
