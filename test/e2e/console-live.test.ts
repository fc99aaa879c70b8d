// Live views in real Chromium: changes made from outside (the SDK, as another user or the scheduler
// would) reach the open page through the change stream, without a reload. Also the Cloud Map, ECR and
// CloudFormation pages, and a page not built yet saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as CWL from '@aws-sdk/client-cloudwatch-logs';
import * as E from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import * as ECR from '@aws-sdk/client-ecr';
import * as SD from '@aws-sdk/client-servicediscovery';
import { browserMissing, launchChromium, SCREENSHOTS } from '../support/browser.js';
import { sdkConfig, startTestServer } from '../support/server.js';
import { seedTaskDefinition } from '../support/seed-app.js';

test('console live: a task stopped from outside leaves the Tasks tab and its replacement appears', { skip: browserMissing() }, async () => {
  const server = await startTestServer({ runtime: 'process' });
  const browser = await launchChromium();
  try {
    const cfg = sdkConfig(server);
    const ec2 = new E.EC2Client(cfg);
    const ecs = new ECS.ECSClient(cfg);
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }))).Subnet!.SubnetId!;
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'live' }));
    await ecs.send(new ECS.RegisterTaskDefinitionCommand(seedTaskDefinition({ processRuntime: true, logGroup: '/ecs/live' })));
    await ecs.send(
      new ECS.CreateServiceCommand({
        cluster: 'live',
        serviceName: 'web',
        taskDefinition: 'flask-app',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], assignPublicIp: 'DISABLED' } },
      }),
    );
    const page = await browser.newPage();
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/#/ecs/clusters/live/tasks`);
    const tasks = page.getByRole('table', { name: 'Tasks' });
    await tasks.getByText('RUNNING', { exact: true }).first().waitFor({ timeout: 90_000 });
    const { taskArns } = await ecs.send(new ECS.ListTasksCommand({ cluster: 'live' }));
    const first = taskArns![0]!.split('/').pop()!;
    await tasks.getByText(first).waitFor();

    await ecs.send(new ECS.StopTaskCommand({ cluster: 'live', task: taskArns![0]!, reason: 'killed from outside' }));
    await tasks.getByText(first).waitFor({ state: 'detached', timeout: 60_000 });
    const replacement = await (async () => {
      for (;;) {
        const { taskArns: now } = await ecs.send(new ECS.ListTasksCommand({ cluster: 'live' }));
        const id = now?.map((a) => a.split('/').pop()!).find((t) => t !== first);
        if (id) return id;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await tasks.locator('tr', { hasText: replacement }).locator('.status-RUNNING').waitFor({ timeout: 90_000 });
    await page.getByRole('link', { name: replacement }).click();
    await page.getByRole('table', { name: 'Containers' }).locator('tr', { hasText: 'flask-app' }).locator('.status-RUNNING').waitFor();
    // The task's awslogs stream, from its page: Flask's start-up lines.
    await page.getByRole('link', { name: new RegExp(`flask-app: /ecs/live › ecs/flask-app/${replacement}`) }).click();
    await page
      .getByRole('table', { name: 'Log events' })
      .getByText(/Running on|Serving Flask app/)
      .first()
      .waitFor();
  } finally {
    await browser.close();
    await server.destroy();
  }
});

test('console live: a Cloud Map instance set UNHEALTHY turns red; ECR, CloudFormation, task definitions, logs', { skip: browserMissing() }, async () => {
  const server = await startTestServer();
  const browser = await launchChromium();
  try {
    const cfg = sdkConfig(server);
    const sd = new SD.ServiceDiscoveryClient(cfg);
    const op = (await sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'shop' }))).OperationId!;
    let namespaceId = '';
    while (!namespaceId) {
      const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId: op }));
      namespaceId = Operation?.Status === 'SUCCESS' ? Operation.Targets!.NAMESPACE! : '';
    }
    const svc = (await sd.send(new SD.CreateServiceCommand({ Name: 'cart', NamespaceId: namespaceId, HealthCheckCustomConfig: { FailureThreshold: 1 } }))).Service!;
    await sd.send(new SD.RegisterInstanceCommand({ ServiceId: svc.Id!, InstanceId: 'cart-1', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.7', AWS_INSTANCE_PORT: '80' } }));

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/`);
    await page.getByRole('link', { name: 'AWS Cloud Map', exact: true }).click();
    await page.getByRole('link', { name: 'shop' }).click();
    await page.getByRole('link', { name: 'cart' }).click();
    const row = page.getByRole('table', { name: 'Service instances' }).locator('tr', { hasText: 'cart-1' });
    await row.locator('.status-HEALTHY').waitFor();
    await sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc.Id!, InstanceId: 'cart-1', Status: 'UNHEALTHY' }));
    const red = row.locator('.status-UNHEALTHY');
    await red.waitFor();
    assert.equal(await red.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color), 'rgb(217, 21, 21)');
    await page.screenshot({ path: join(SCREENSHOTS, 'cloudmap-instances.png'), fullPage: true });

    // ECR: the repository and its URI.
    const ecr = new ECR.ECRClient(cfg);
    const repo = (await ecr.send(new ECR.CreateRepositoryCommand({ repositoryName: 'flask-app' }))).repository!;
    await page.getByRole('link', { name: 'Amazon ECR' }).click();
    await page.getByRole('table', { name: 'Private repositories' }).getByText(repo.repositoryUri!).waitFor();

    // CloudFormation: create a stack from a template with a parameter, see its output.
    await page.getByRole('link', { name: 'CloudFormation' }).click();
    await page.getByRole('button', { name: 'Create stack' }).click();
    await page.getByLabel('Template body').fill(
      JSON.stringify({
        Parameters: { ClusterName: { Type: 'String', Default: 'x', Description: 'The ECS cluster name' } },
        Resources: { Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: { Ref: 'ClusterName' } } } },
        Outputs: { ClusterArn: { Value: { 'Fn::GetAtt': ['Cluster', 'Arn'] } } },
      }),
    );
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('ClusterName').fill('from-console');
    await page.getByLabel('Stack name').fill('console-stack');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { name: 'console-stack' }).waitFor();
    await page
      .getByRole('table', { name: 'Outputs' })
      .getByText(/cluster\/from-console$/)
      .waitFor();
    await page.getByRole('table', { name: 'Parameters' }).getByText('from-console').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'cloudformation-stack.png'), fullPage: true });

    // ECS task definitions: create one from JSON, see its revision and containers.
    await page.getByRole('link', { name: 'Task definitions' }).click();
    await page.getByRole('button', { name: 'Create new task definition with JSON' }).click();
    await page.getByLabel('Task definition JSON').fill(JSON.stringify({ family: 'web', containerDefinitions: [{ name: 'web', image: 'busybox', essential: true, memory: 128 }] }));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'web:1' }).waitFor();
    await page.getByRole('table', { name: 'Containers' }).getByText('busybox').waitFor();
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await page.getByRole('table', { name: 'Revisions' }).getByText('web:1').waitFor();

    // CloudWatch Logs: group, stream, events, and the live tail picking up a new event.
    const cwl = new CWL.CloudWatchLogsClient(cfg);
    await cwl.send(new CWL.CreateLogGroupCommand({ logGroupName: '/ecs/flask-app' }));
    await cwl.send(new CWL.CreateLogStreamCommand({ logGroupName: '/ecs/flask-app', logStreamName: 'ecs/flask-app/1' }));
    await cwl.send(
      new CWL.PutLogEventsCommand({ logGroupName: '/ecs/flask-app', logStreamName: 'ecs/flask-app/1', logEvents: [{ timestamp: Date.now(), message: 'first line' }] }),
    );
    await page.getByRole('link', { name: 'CloudWatch Logs' }).click();
    await page.getByRole('link', { name: '/ecs/flask-app' }).click();
    await page.getByRole('link', { name: 'ecs/flask-app/1' }).click();
    const events = page.getByRole('table', { name: 'Log events' });
    await events.getByText('first line').waitFor();
    await cwl.send(
      new CWL.PutLogEventsCommand({ logGroupName: '/ecs/flask-app', logStreamName: 'ecs/flask-app/1', logEvents: [{ timestamp: Date.now(), message: 'second line' }] }),
    );
    await events.getByText('second line').waitFor();
    assert.equal(await events.getByText('first line').count(), 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.destroy();
  }
});

test('console: attach an HTTP URI integration, protect it with a JWT authorizer, test it, detach it', { skip: browserMissing() }, async () => {
  const server = await startTestServer();
  const backend = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`backend saw ${req.method} ${req.url}`));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const browser = await launchChromium();
  try {
    const apigw = new AG.ApiGatewayV2Client(sdkConfig(server));
    const api = await apigw.send(new AG.CreateApiCommand({ Name: 'plain', ProtocolType: 'HTTP' }));
    await apigw.send(new AG.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /hello' }));
    await apigw.send(new AG.CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
    const page = await browser.newPage();
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/#/apigateway/apis`);
    await page.getByRole('link', { name: 'plain' }).click();
    await page.getByLabel('Route', { exact: true }).selectOption({ label: 'GET /hello' });
    await page.getByLabel('Integration type').selectOption({ label: 'HTTP URI' });
    await page.getByLabel('HTTP method').selectOption('GET');
    await page.getByLabel('URL', { exact: true }).fill(`http://127.0.0.1:${(backend.address() as AddressInfo).port}/hello`);
    await page.getByRole('button', { name: 'Attach integration' }).click();
    const routes = page.getByRole('table', { name: 'Routes' });
    await routes.getByText(/HTTP_PROXY http:\/\/127\.0\.0\.1/).waitFor();
    await page.getByLabel('Request path').fill('/hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Matched route: GET /hello').waitFor();
    await page.getByText('backend saw GET /hello').waitFor();

    // A JWT authorizer on the built-in issuer: without a token 401, with one the backend answers.
    await page.getByLabel('Authorizer name').fill('local-jwt');
    // The token's iss is the issuer URL it was asked on: both sides use 127.0.0.1 here.
    await page.getByLabel('Issuer URL').fill(`http://127.0.0.1:${server.port}/_wayfinder/oidc`);
    await page.getByLabel('Audience').fill('my-api');
    await page.getByRole('button', { name: 'Create authorizer' }).click();
    await page.getByRole('table', { name: 'Authorizers' }).getByText('local-jwt').waitFor();
    await page.getByLabel('Route to protect').selectOption({ label: 'GET /hello' });
    await page.getByLabel('Authorizer', { exact: true }).selectOption({ label: 'local-jwt' });
    await page.getByRole('button', { name: 'Attach authorizer' }).click();
    await routes.getByText('JWT local-jwt').waitFor();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Response: 401').waitFor();
    const token = (
      (await (
        await fetch(`http://127.0.0.1:${server.port}/_wayfinder/oidc/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sub: 'alice', aud: 'my-api' }),
        })
      ).json()) as { access_token: string }
    ).access_token;
    await page.getByLabel('Authorization header').fill(`Bearer ${token}`);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Response: 200').waitFor();
    await page.getByText('backend saw GET /hello').waitFor();
    await page.getByRole('button', { name: 'Detach integration from GET /hello' }).click();
    await routes.getByText('No integration').waitFor();
  } finally {
    await browser.close();
    backend.close();
    await server.destroy();
  }
});
