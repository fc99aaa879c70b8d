// The seed's Step 1 with the real aws CLI, docker CLI and engine (only with WAYFINDER_TEST_DOCKER=1):
// create-repository, get-login-password | docker login, docker tag, docker push, describe-images
// digest = the engine's RepoDigest, docker rmi + docker pull; then an ECS service on the pushed URI,
// pulled by the engine with Wayfinder's own credentials, serving through the gateway; a missing tag
// stops its task with CannotPullContainerError; and skopeo (a second client) copies and inspects.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import * as ECS from '@aws-sdk/client-ecs';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as EC2 from '@aws-sdk/client-ec2';
import { DockerEngine } from '../../src/ecs/runtimes/docker/engine-client.js';
import { rawRequest, sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { clients, cloudMapService, defaultNetwork, privateHttpApi, waitFor, type Clients } from '../support/ecs.js';

const wanted = process.env.WAYFINDER_TEST_DOCKER === '1';
const skip = wanted ? undefined : 'docker-runtime suites run only with WAYFINDER_TEST_DOCKER=1 (needs a Docker engine and scripts/docker-test-image.sh)';
const BASE = process.env.WAYFINDER_TEST_IMAGE ?? 'wayfinder-test/busybox:latest';
const REPO = 'flask-app-fargate-fargate';
const engine = new DockerEngine();
const dir = mkdtempSync(join(tmpdir(), 'wf-ecr-docker-'));
// A docker config of its own: the login does not touch the user's ~/.docker.
const dockerConfig = mkdtempSync(join(tmpdir(), 'wf-ecr-docker-config-'));
const stamp = randomUUID();
const localImage = `wayfinder-test/ecr-step1:${stamp.slice(0, 8)}`;
let server: TestServer;
let c: Clients;
let uri: string;

/** Runs a CLI without blocking the event loop (the server under test answers it in this process). */
function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: {
        ...process.env,
        DOCKER_CONFIG: dockerConfig,
        DOCKER_BUILDKIT: '0',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err}${out}`))));
    child.stdin.end(input);
  });
}

const aws = (...args: string[]) => run('aws', ['--endpoint-url', `http://localhost:${server.port}`, ...args]);
const docker = (...args: string[]) => run('docker', args);

before(async () => {
  if (!wanted) return;
  if (!(await engine.ping(3000))) throw new Error('WAYFINDER_TEST_DOCKER=1 but no Docker engine answers (DOCKER_HOST or /var/run/docker.sock)');
  execFileSync(fileURLToPath(new URL('../../../scripts/docker-test-image.sh', import.meta.url)), { stdio: 'inherit' });
  server = await startTestServer({ runtime: 'docker', taskStableMs: 500 }, dir);
  c = clients(server);
  // An image of its own (a fresh layer on the test image), so a pull after rmi really downloads.
  const ctx = mkdtempSync(join(tmpdir(), 'wf-ecr-build-'));
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BASE}\nRUN echo ${stamp} > /www/stamp.txt\n`);
  await docker('build', '-q', '-t', localImage, ctx);
  rmSync(ctx, { recursive: true, force: true });
});

after(async () => {
  if (!wanted) return;
  c?.destroy();
  if (server) await rawRequest(server, { method: 'POST', path: '/_wayfinder/reset' }).catch(() => undefined);
  for (const image of [localImage, uri && `${uri}:latest`, uri && `${uri}:copied`]) if (image) spawnSync('docker', ['rmi', '-f', image]);
  await server?.destroy();
  engine.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(dockerConfig, { recursive: true, force: true });
});

test("the seed's Step 1: create-repository, docker login with get-login-password, tag, push, describe-images, rmi, pull", { skip }, async () => {
  const created = JSON.parse(await aws('ecr', 'create-repository', '--repository-name', REPO)) as { repository: { repositoryUri: string } };
  uri = created.repository.repositoryUri;
  assert.equal(uri, `localhost:${server.port}/${REPO}`);
  const registry = uri.split('/')[0]!;

  const password = (await aws('ecr', 'get-login-password')).trim();
  assert.match(await run('docker', ['login', '--username', 'AWS', '--password-stdin', registry], password), /Login Succeeded/);
  await docker('tag', localImage, `${uri}:latest`);
  const pushed = await docker('push', `${uri}:latest`);
  const pushedDigest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
  assert.ok(pushedDigest, pushed);

  const described = JSON.parse(await aws('ecr', 'describe-images', '--repository-name', REPO)) as {
    imageDetails: Array<{ imageDigest: string; imageTags: string[]; imageSizeInBytes: number }>;
  };
  const repoDigests = JSON.parse(await docker('inspect', '--format', '{{json .RepoDigests}}', `${uri}:latest`)) as string[];
  assert.deepEqual(repoDigests, [`${uri}@${described.imageDetails[0]!.imageDigest}`]);
  assert.equal(described.imageDetails[0]!.imageDigest, pushedDigest);
  assert.deepEqual(described.imageDetails[0]!.imageTags, ['latest']);
  assert.ok(described.imageDetails[0]!.imageSizeInBytes > 0);

  await docker('rmi', `${uri}:latest`, localImage);
  assert.match(await docker('pull', `${uri}:latest`), new RegExp(`Digest: ${pushedDigest}`));
  assert.equal((await docker('run', '--rm', `${uri}:latest`, 'cat', '/www/stamp.txt')).trim(), stamp);

  // Without credentials the engine is refused.
  await docker('logout', registry);
  await assert.rejects(docker('pull', `${uri}:latest`), /no basic auth credentials|unauthorized|authentication required/i);
});

test('skopeo (a second client) inspects and copies the pushed image', {
  skip: skip ?? (spawnSync('skopeo', ['--version']).status === 0 ? undefined : 'skopeo not installed'),
}, async () => {
  const password = (await aws('ecr', 'get-login-password')).trim();
  const creds = `AWS:${password}`;
  const inspected = JSON.parse(await run('skopeo', ['inspect', '--tls-verify=false', '--creds', creds, `docker://${uri}:latest`])) as { Digest: string };
  const described = JSON.parse(await aws('ecr', 'describe-images', '--repository-name', REPO, '--image-ids', 'imageTag=latest')) as {
    imageDetails: Array<{ imageDigest: string }>;
  };
  assert.equal(inspected.Digest, described.imageDetails[0]!.imageDigest);
  await run('skopeo', [
    'copy',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--src-creds',
    creds,
    '--dest-creds',
    creds,
    `docker://${uri}:latest`,
    `docker://${uri}:copied`,
  ]);
  const listed = JSON.parse(await aws('ecr', 'list-images', '--repository-name', REPO)) as { imageIds: Array<{ imageTag?: string }> };
  assert.deepEqual(listed.imageIds.map((i) => i.imageTag).sort(), ['copied', 'latest']);
});

test('an ECS service on the pushed URI: the engine pulls it with Wayfinder credentials and it serves through the gateway', { skip }, async () => {
  // The engine has no copy and no login: the runtime's pull must authenticate itself.
  spawnSync('docker', ['rmi', '-f', `${uri}:latest`]);
  const net = await defaultNetwork(c.ec2);
  const registry = await cloudMapService(c.sd, net.vpcId, { namespace: 'ecr.local', service: 'web' });
  await c.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'ecr' }));
  await c.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'ecr-web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: `${uri}:latest`, essential: true, portMappings: [{ containerPort: 80 }] }],
    }),
  );
  await c.ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'ecr',
      serviceName: 'web',
      taskDefinition: 'ecr-web',
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets } },
      serviceRegistries: [{ registryArn: registry.serviceArn, port: 80 }],
    }),
  );
  const apigw = new AG.ApiGatewayV2Client(sdkConfig(server));
  const apiId = await privateHttpApi(apigw, 'ecr', net.subnets, registry.serviceArn);
  const body = await waitFor(
    'the pushed image answering through the gateway',
    async () => {
      const res = await fetch(`http://127.0.0.1:${server.port}/_aws/execute-api/${apiId}/$default/stamp.txt`);
      const text = await res.text();
      return res.status === 200 ? text : undefined;
    },
    90_000,
    250,
  );
  assert.equal(body.trim(), stamp);
  apigw.destroy();
});

test('a task on a tag that was never pushed stops with CannotPullContainerError', { skip }, async () => {
  await c.ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'ecr-missing',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: `${uri}:never-pushed`, essential: true }],
    }),
  );
  const net = await defaultNetwork(c.ec2);
  const started = await c.ecs.send(
    new ECS.RunTaskCommand({ cluster: 'ecr', taskDefinition: 'ecr-missing', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets } } }),
  );
  const arn = started.tasks![0]!.taskArn!;
  const stopped = await waitFor(
    'the task to stop',
    async () => {
      const t = (await c.ecs.send(new ECS.DescribeTasksCommand({ cluster: 'ecr', tasks: [arn] }))).tasks![0]!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    },
    60_000,
  );
  assert.match(stopped.stoppedReason ?? stopped.containers?.[0]?.reason ?? '', /CannotPullContainerError/);
  assert.match(stopped.containers?.[0]?.reason ?? stopped.stoppedReason ?? '', /manifest unknown|not found/);
});

test("two accounts with a repository of the same name: a task pulls its own account's image", { skip }, async () => {
  // On localhost:<port> the image name says no account: the task's own account decides, as Fargate
  // pulls with the task's execution role. The image exists only in account 1's `twin`; account 2's
  // `twin` is empty, so account 2's task must fail to pull while account 1's task runs.
  const [one, two] = ['111111111111', '222222222222'];
  const as = (account: string) => ({ ...sdkConfig(server), credentials: { accessKeyId: account, secretAccessKey: 'test' } });
  const inAccount = (account: string, ...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('aws', ['--endpoint-url', `http://localhost:${server.port}`, ...args], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`aws ${args.join(' ')} failed (${code})`))));
    });
  await inAccount(one, 'ecr', 'create-repository', '--repository-name', 'twin');
  await inAccount(two, 'ecr', 'create-repository', '--repository-name', 'twin');
  const twin = `localhost:${server.port}/twin:v1`;
  await run('docker', ['login', '--username', 'AWS', '--password-stdin', `localhost:${server.port}`], (await inAccount(one, 'ecr', 'get-login-password')).trim());
  const ctx = mkdtempSync(join(tmpdir(), 'wf-ecr-twin-'));
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BASE}\nRUN echo twin-${stamp} > /www/stamp.txt\n`);
  await docker('build', '-q', '-t', twin, ctx);
  rmSync(ctx, { recursive: true, force: true });
  await docker('push', twin);
  spawnSync('docker', ['rmi', '-f', twin]);

  const outcome = async (account: string) => {
    const ecs = new ECS.ECSClient(as(account));
    const ec2 = new EC2.EC2Client(as(account));
    try {
      const net = await defaultNetwork(ec2);
      await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'twin' }));
      await ecs.send(
        new ECS.RegisterTaskDefinitionCommand({
          family: 'twin',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [{ name: 'web', image: twin, essential: true }],
        }),
      );
      const started = await ecs.send(
        new ECS.RunTaskCommand({ cluster: 'twin', taskDefinition: 'twin', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets } } }),
      );
      const arn = started.tasks![0]!.taskArn!;
      return await waitFor(
        `account ${account}'s task to run or stop`,
        async () => {
          const t = (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'twin', tasks: [arn] }))).tasks![0]!;
          return t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED' ? t : undefined;
        },
        90_000,
        250,
      );
    } finally {
      ecs.destroy();
      ec2.destroy();
    }
  };
  const second = await outcome(two);
  assert.equal(second.lastStatus, 'STOPPED');
  assert.match(second.stoppedReason ?? second.containers?.[0]?.reason ?? '', /CannotPullContainerError/);
  const first = await outcome(one);
  assert.equal(first.lastStatus, 'RUNNING', first.stoppedReason);
  spawnSync('docker', ['rmi', '-f', twin]);
});
