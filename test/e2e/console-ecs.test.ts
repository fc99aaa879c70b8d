// The seed's ECS console steps, clicked in real Chromium against a running Wayfinder: open the cluster,
// Services, Create; fill the Create service form as the seed says (Fargate, VPC, subnets, security group,
// public IP off, no load balancer, service discovery with a new private namespace, SRV on port 80);
// then watch the Tasks tab until the task is RUNNING, without reloading; then the API Gateway steps,
// requests drawn on the topology page, and the invoke URL. The network, cluster and task definition
// come from the SDK (the seed's CLI steps). Last, aws CLI v2 lists what the clicks made and what
// examples/seed-walkthrough/walkthrough.sh makes on a second server: the same resources and settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from '@aws-sdk/client-ec2';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as ECS from '@aws-sdk/client-ecs';
import * as SD from '@aws-sdk/client-servicediscovery';
import { hasAwsCliV2 } from '../support/aws-cli.js';
import { browserMissing, launchChromium, SCREENSHOTS } from '../support/browser.js';
import { invoke as invokeApi } from '../support/gateway.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { seedTaskDefinition } from '../support/seed-app.js';
import { seedInventory } from '../support/seed-inventory.js';

const WALKTHROUGH = fileURLToPath(new URL('../../../examples/seed-walkthrough/walkthrough.sh', import.meta.url));

/** Runs the seed's CLI walkthrough (aws CLI v1 on PATH, as a user would) against `server`. */
async function runWalkthrough(server: TestServer): Promise<string> {
  const health = (await (await fetch(`http://127.0.0.1:${server.port}/_wayfinder/health`)).json()) as { dnsPort?: number };
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [WALKTHROUGH],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: `http://127.0.0.1:${server.port}`,
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_PAGER: '',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          WAYFINDER_DNS_PORT: String(health.dnsPort ?? 8053),
          NO_COLOR: '1',
        },
        timeout: 240_000,
      },
      (err, stdout, stderr) => (err ? reject(new Error(`walkthrough.sh failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve(String(stdout))),
    );
  });
}

test('console: the seed console steps: ECS service with service discovery RUNNING, VPC link, HTTP API, private integration, deploy, invoke', {
  skip: browserMissing(),
}, async () => {
  const server = await startTestServer({ runtime: 'process' });
  const browser = await launchChromium();
  try {
    const cfg = sdkConfig(server);
    const ec2 = new E.EC2Client(cfg);
    const ecs = new ECS.ECSClient(cfg);
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnetA = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const subnetB = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'flask', Description: 'flask tasks', VpcId: vpc }))).GroupId!;
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'flask-cluster' }));
    await ecs.send(new ECS.RegisterTaskDefinitionCommand(seedTaskDefinition({ processRuntime: true })));

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/`);
    await page.getByRole('link', { name: 'Amazon ECS', exact: true }).click();
    await page.getByRole('link', { name: 'flask-cluster' }).click();
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await page.getByRole('button', { name: 'Create' }).click();

    await page.getByLabel('Launch type').selectOption('FARGATE');
    await page.getByLabel('Family').selectOption('flask-app');
    await page.getByLabel('Revision').selectOption({ label: '1' });
    await page.getByLabel('Service name').fill('flask-app');
    await page.getByLabel('Desired tasks').fill('1');
    await page.getByLabel('VPC', { exact: true }).selectOption(vpc);
    await page.getByLabel(/us-east-1a/).check();
    await page.getByLabel(/us-east-1b/).check();
    await page.getByLabel('Security group name').selectOption(sg);
    assert.equal(await page.getByLabel('Public IP').isChecked(), false);
    await page.getByLabel('Load balancer type').selectOption('none');
    await page.getByLabel('Use service discovery').check();
    await page.getByLabel('Create a new namespace').check();
    await page.getByLabel('Namespace name').fill('flask.local');
    await page.getByLabel('Service discovery name').fill('flask-app');
    await page.getByLabel('DNS record type').selectOption('SRV');
    await page.getByLabel('Port').fill('80');
    await page.screenshot({ path: join(SCREENSHOTS, 'ecs-create-service.png'), fullPage: true });
    await page.getByRole('button', { name: 'Create' }).click();

    // The service page, then the cluster's Tasks tab: the task turns RUNNING without a reload.
    await page.getByRole('heading', { name: 'flask-app' }).waitFor();
    await page.getByRole('link', { name: 'flask-cluster' }).click();
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.getByRole('table', { name: 'Tasks' }).getByText('RUNNING', { exact: true }).first().waitFor({ timeout: 90_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'ecs-tasks-running.png'), fullPage: true });
    assert.deepEqual(errors, []);

    // What the clicks made, seen through the SDK: the service registered in a new private namespace's SRV service.
    const { services } = await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'flask-cluster', services: ['flask-app'] }));
    const svc = services![0]!;
    assert.equal(svc.launchType, 'FARGATE');
    assert.equal(svc.networkConfiguration?.awsvpcConfiguration?.assignPublicIp, 'DISABLED');
    assert.deepEqual(svc.networkConfiguration?.awsvpcConfiguration?.securityGroups, [sg]);
    assert.equal(svc.networkConfiguration?.awsvpcConfiguration?.subnets?.length, 2);
    assert.equal(svc.serviceRegistries?.[0]?.port, 80);
    const sd = new SD.ServiceDiscoveryClient(cfg);
    const ns = (await sd.send(new SD.ListNamespacesCommand({}))).Namespaces!;
    assert.deepEqual(
      ns.map((n) => [n.Name, n.Type]),
      [['flask.local', 'DNS_PRIVATE']],
    );
    const sds = (await sd.send(new SD.ListServicesCommand({}))).Services!;
    assert.equal(sds[0]?.Arn, svc.serviceRegistries?.[0]?.registryArn);
    assert.equal(sds[0]?.DnsConfig?.DnsRecords?.[0]?.Type, 'SRV');

    // API Gateway: the VPC link (AVAILABLE), the HTTP API with $default (auto-deploy off), ANY /,
    // the private integration to the Cloud Map service, Deploy, the Test panel, the invoke URL.
    await page.getByRole('link', { name: 'VPC links', exact: true }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('Name', { exact: true }).fill('flask-link');
    await page.getByLabel(new RegExp(subnetA)).check();
    await page.getByLabel(new RegExp(subnetB)).check();
    await page.getByLabel(new RegExp(`${sg} \\(flask\\)`)).check();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('table', { name: 'VPC links' }).getByText('AVAILABLE', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'API Gateway', exact: true }).click();
    await page.getByRole('button', { name: 'Create API' }).click();
    await page.getByLabel('API name').fill('flask-api');
    assert.equal(await page.getByLabel('Stage name').inputValue(), '$default');
    assert.equal(await page.getByLabel('Auto-deploy').isChecked(), false);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'flask-api' }).waitFor();
    await page.getByLabel('Method', { exact: true }).first().selectOption('ANY');
    await page.getByLabel('Path', { exact: true }).fill('/');
    await page.getByRole('button', { name: 'Create route' }).click();
    await page.getByRole('table', { name: 'Routes' }).getByText('ANY /').waitFor();
    await page.getByLabel('Route', { exact: true }).selectOption({ label: 'ANY /' });
    await page.getByLabel('Target service').selectOption('cloudmap');
    await page.getByLabel('Cloud Map service').selectOption({ index: 0 });
    await page.getByLabel('VPC link').selectOption({ index: 0 });
    await page.getByRole('button', { name: 'Attach integration' }).click();
    await page
      .getByRole('table', { name: 'Routes' })
      .getByText(/Private resource: flask-app via VPC link flask-link/)
      .waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'apigateway-routes.png'), fullPage: true });
    await page.getByLabel('Stage', { exact: true }).selectOption('$default');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText('Deployed to $default.').waitFor();
    await page.getByRole('table', { name: 'Stages' }).getByText('Not deployed').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Matched route: ANY /').waitFor();
    await page.getByText('Serving flask app').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'apigateway-test.png'), fullPage: true });
    // The topology: route → integration → VPC link → Cloud Map service → healthy instance → ECS task.
    await page.getByRole('main').getByRole('link', { name: 'Topology', exact: true }).click();
    const path = page.getByRole('region', { name: 'Path of ANY /' });
    await path.getByText('flask-link').waitFor();
    await path.locator('.status-AVAILABLE').waitFor();
    await path.locator('li', { hasText: 'ECS task' }).locator('.status-HEALTHY').waitFor();

    // Requests drawn along their path, without a reload: two from outside the browser (one the route
    // serves, one no route matches), one from the Test panel in another tab.
    await page.getByText(/^Recording: the last 50 requests of this API/).waitFor();
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    const apiId = page.url().split('/').pop()!;
    assert.equal((await invokeApi(server, apiId, { path: '/' })).status, 200);
    assert.equal((await invokeApi(server, apiId, { path: '/nope' })).status, 404);
    const traces = path.getByRole('list', { name: 'Requests on ANY /' });
    const served = traces.locator('li', { hasText: 'GET /' }).first();
    await served.waitFor();
    assert.match((await served.textContent()) ?? '', /^GET \/ → ANY \/ → 200 \d+(\.\d+)? ms → [\d.]+:\d+ ECS task [0-9a-f]+$/);
    await page.getByRole('list', { name: 'Requests no route matched' }).getByText('GET /nope').waitFor();
    const table = page.getByRole('table', { name: 'Recent requests' });
    await table.locator('tr', { hasText: '/nope' }).getByText('404', { exact: true }).waitFor();
    const testPanel = await browser.newPage();
    await testPanel.goto(`http://localhost:${server.port}/_wayfinder/console/#/apigateway/apis/${apiId}`);
    await testPanel.getByLabel('Request path').fill('/');
    await testPanel.getByRole('button', { name: 'Send' }).click();
    await testPanel.getByText('Serving flask app').waitFor();
    await testPanel.close();
    await traces.locator('li').nth(1).waitFor();
    for (const li of await traces.locator('li').all()) assert.match((await li.textContent()) ?? '', /^GET \S*\/ → ANY \/ → 200 /);
    await path
      .locator('li', { hasText: 'ECS task' })
      .getByText(/last request/)
      .waitFor();
    assert.equal(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded), true);
    await page.screenshot({ path: join(SCREENSHOTS, 'topology.png'), fullPage: true });
    await path
      .getByRole('link', { name: /ECS task/ })
      .first()
      .click();
    await page.getByRole('table', { name: 'Containers' }).locator('.status-RUNNING').waitFor();
    await page.goBack();
    await page.goBack();
    await page.getByRole('heading', { name: 'flask-api' }).waitFor();
    const invoke = await page
      .getByRole('link', { name: /execute-api\.localhost/ })
      .first()
      .getAttribute('href');
    const answer = await browser.newPage();
    await answer.goto(invoke!);
    assert.equal(await answer.textContent('body'), 'Serving flask app');
    assert.deepEqual(errors, []);

    // What the API Gateway clicks made is what the CLI walkthrough makes (docs/seed walkthrough).
    const apigw = new AG.ApiGatewayV2Client(cfg);
    const [api] = (await apigw.send(new AG.GetApisCommand({}))).Items!;
    assert.equal(api?.ProtocolType, 'HTTP');
    const [route] = (await apigw.send(new AG.GetRoutesCommand({ ApiId: api!.ApiId }))).Items!;
    assert.equal(route?.RouteKey, 'ANY /');
    const [integration] = (await apigw.send(new AG.GetIntegrationsCommand({ ApiId: api!.ApiId }))).Items!;
    assert.equal(route?.Target, `integrations/${integration!.IntegrationId}`);
    const [vpcLink] = (await apigw.send(new AG.GetVpcLinksCommand({}))).Items!;
    assert.deepEqual(
      [
        integration!.IntegrationType,
        integration!.IntegrationMethod,
        integration!.ConnectionType,
        integration!.ConnectionId,
        integration!.IntegrationUri,
        integration!.PayloadFormatVersion,
      ],
      ['HTTP_PROXY', 'ANY', 'VPC_LINK', vpcLink!.VpcLinkId, svc.serviceRegistries?.[0]?.registryArn, '1.0'],
    );
    assert.deepEqual([...vpcLink!.SubnetIds!].sort(), [subnetA, subnetB].sort());
    assert.deepEqual(vpcLink!.SecurityGroupIds, [sg]);
    const [stage] = (await apigw.send(new AG.GetStagesCommand({ ApiId: api!.ApiId }))).Items!;
    assert.equal(stage?.StageName, '$default');
    assert.equal(stage?.AutoDeploy, false);
    assert.ok(stage?.DeploymentId);

    // Exactly what the CLI makes: aws CLI v2 lists both servers' resources, without ids or names.
    assert.ok(hasAwsCliV2(), '/usr/bin/aws (aws CLI v2) is needed: .ci/run installs it');
    const byCli = await startTestServer({ runtime: 'process' });
    try {
      const out = await runWalkthrough(byCli);
      assert.match(out, /Serving flask app/);
      const clicked = await seedInventory(server.port);
      const walked = await seedInventory(byCli.port);
      assert.deepEqual(clicked, walked);
      // The settings the seed names, spelled out (the comparison above says the walkthrough has them too).
      const c = clicked as Record<string, Record<string, unknown>>;
      assert.deepEqual(c.cloudMap!.namespaces, ['DNS_PRIVATE']);
      assert.deepEqual(c.cloudMap!.dnsConfig, { routingPolicy: 'MULTIVALUE', records: [{ Type: 'SRV', TTL: 60 }] });
      assert.deepEqual(c.ecs!.serviceRegistries, [{ port: 80, isTheCloudMapService: true }]);
      assert.equal(c.apiGateway!.vpcLinkOnTheServiceSubnets, true);
      assert.equal(c.apiGateway!.vpcLinkOnTheServiceSecurityGroups, true);
      assert.deepEqual(c.apiGateway!.stages, [{ name: '$default', autoDeploy: false, deployed: true }]);
    } finally {
      await byCli.destroy();
    }
  } finally {
    await browser.close();
    await server.destroy();
  }
});

test('console: creating a service in a cluster that does not exist shows ClusterNotFoundException', { skip: browserMissing() }, async () => {
  const server = await startTestServer({ runtime: 'process' });
  const browser = await launchChromium();
  try {
    const cfg = sdkConfig(server);
    const ecs = new ECS.ECSClient(cfg);
    await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'web', image: 'busybox', essential: true, memory: 128 }] }));
    const ec2 = new E.EC2Client(cfg);
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!;
    const page = await browser.newPage();
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/#/ecs/clusters/no-such-cluster/create-service`);
    await page.getByLabel('Family').selectOption('web');
    await page.getByLabel('Revision').selectOption({ label: '1' });
    await page.getByLabel('Service name').fill('web');
    await page.getByLabel('VPC', { exact: true }).selectOption(vpc);
    await page.getByRole('button', { name: 'Create' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /^ClusterNotFoundException: /);
  } finally {
    await browser.close();
    await server.destroy();
  }
});
