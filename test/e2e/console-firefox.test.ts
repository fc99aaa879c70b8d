// The web console in real Firefox (Debian's firefox-esr, headless, driven over WebDriver BiDi by
// puppeteer-core): the main pages of every service, forms that create things (checked with the
// SDK), an API error shown as AWS shows it, SigV4 signing on Firefox's WebCrypto (byte-for-byte the
// SDK's signature), keyboard access to the navigation, labelled form fields, and no JavaScript error
// on any page. The Chromium suites (console-*.test.ts) cover the flows in depth; this one is the
// second engine (issue 14: "works in current Chromium and Firefox").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as CFN from '@aws-sdk/client-cloudformation';
import * as CWL from '@aws-sdk/client-cloudwatch-logs';
import * as E from '@aws-sdk/client-ec2';
import * as ECR from '@aws-sdk/client-ecr';
import * as ECS from '@aws-sdk/client-ecs';
import * as SD from '@aws-sdk/client-servicediscovery';
import type { ElementHandle, Page } from 'puppeteer-core';
import { NodeSha256 } from '../../src/protocol/node-sha256.js';
import { SCREENSHOTS } from '../support/browser.js';
import { httpNamespace, privateNamespace, register } from '../support/cloudmap.js';
import { templateFile } from '../support/cloudformation.js';
import { invoke as invokeApi } from '../support/gateway.js';
import { byLabel, byText, clickLink, fill, firefoxMissing, heading, type InPage, inTable, launchFirefox } from '../support/firefox.js';
import { sdkConfig, startTestServer } from '../support/server.js';
import { seedTaskDefinition } from '../support/seed-app.js';

const NAV = 'nav[aria-label="Services"]';
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `firefox-${name}.png`), fullPage: true });

test('console in Firefox: every main page; a VPC link, a task definition and a stack made through forms; an API error; SigV4 on WebCrypto; keyboard and labels; no page error', {
  skip: firefoxMissing(),
}, async () => {
  const server = await startTestServer({ runtime: 'process' });
  const browser = await launchFirefox();
  try {
    const cfg = sdkConfig(server);
    const ec2 = new E.EC2Client(cfg);
    const ecs = new ECS.ECSClient(cfg);
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web tasks', VpcId: vpc }))).GroupId!;
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'ff-cluster' }));
    await ecs.send(new ECS.RegisterTaskDefinitionCommand(seedTaskDefinition({ processRuntime: true })));
    await ecs.send(
      new ECS.CreateServiceCommand({
        cluster: 'ff-cluster',
        serviceName: 'flask-app',
        taskDefinition: 'flask-app',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [sg], assignPublicIp: 'DISABLED' } },
      }),
    );
    const sd = new SD.ServiceDiscoveryClient(cfg);
    const namespaceId = await httpNamespace(sd, 'shop');
    const cart = (await sd.send(new SD.CreateServiceCommand({ Name: 'cart', NamespaceId: namespaceId, HealthCheckCustomConfig: { FailureThreshold: 1 } }))).Service!;
    await register(sd, cart.Id!, 'cart-1', { AWS_INSTANCE_IPV4: '10.0.0.7', AWS_INSTANCE_PORT: '80' });
    const privateId = await privateNamespace(sd, server, 'ff.local');
    const zoneId = (await sd.send(new SD.GetNamespaceCommand({ Id: privateId }))).Namespace!.Properties!.DnsProperties!.HostedZoneId!;
    const apigw = new AG.ApiGatewayV2Client(cfg);
    const api = await apigw.send(new AG.CreateApiCommand({ Name: 'ff-api', ProtocolType: 'HTTP' }));
    await apigw.send(new AG.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /hello' }));
    await apigw.send(new AG.CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
    const repo = (await new ECR.ECRClient(cfg).send(new ECR.CreateRepositoryCommand({ repositoryName: 'ff-repo' }))).repository!;
    const cwl = new CWL.CloudWatchLogsClient(cfg);
    await cwl.send(new CWL.CreateLogGroupCommand({ logGroupName: '/ecs/ff' }));
    await cwl.send(new CWL.CreateLogStreamCommand({ logGroupName: '/ecs/ff', logStreamName: 'ecs/web/1' }));
    await cwl.send(
      new CWL.PutLogEventsCommand({ logGroupName: '/ecs/ff', logStreamName: 'ecs/web/1', logEvents: [{ timestamp: Date.now(), message: 'hello from firefox test' }] }),
    );

    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    });
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/`);
    await heading(page, 'Wayfinder console');
    console.log(`# ${await browser.version()} (WebDriver BiDi, puppeteer-core)`);

    // Keyboard: Tab from the top of the page reaches the main navigation; Enter follows the link.
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'Amazon ECS'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate((nav: string) => {
        const active = (globalThis as unknown as InPage).document.activeElement;
        return active?.closest(nav) ? (active.textContent ?? '') : '';
      }, NAV);
    }
    assert.equal(focused, 'Amazon ECS', 'Tab reaches "Amazon ECS" in the Services navigation');
    await page.keyboard.press('Enter');
    await heading(page, 'Clusters');

    // ECS: clusters, a cluster's Services and Tasks tabs (the task turns RUNNING live), a task's containers.
    await inTable(page, 'Clusters', 'ff-cluster');
    await clickLink(page, 'ff-cluster', 'main');
    await heading(page, 'ff-cluster');
    await clickLink(page, 'Services', 'main');
    await inTable(page, 'Services', 'flask-app');
    await clickLink(page, 'flask-app', 'main table');
    await heading(page, 'flask-app');
    await inTable(page, 'Deployments', 'PRIMARY');
    await clickLink(page, 'ff-cluster', 'main');
    await clickLink(page, 'Tasks', 'main');
    await inTable(page, 'Tasks', 'RUNNING', 90_000);
    await shot(page, 'ecs-tasks');
    const taskId = (await ecs.send(new ECS.ListTasksCommand({ cluster: 'ff-cluster' }))).taskArns![0]!.split('/').pop()!;
    await clickLink(page, taskId, 'main');
    await inTable(page, 'Containers', 'RUNNING');

    // Task definitions: the list, then Create new task definition with JSON (the form's one field by its label).
    await clickLink(page, 'Task definitions', NAV);
    await inTable(page, 'Task definitions', 'flask-app');
    await clickLink(page, 'Create new task definition with JSON', 'main');
    const json = await byLabel(page, 'Task definition JSON');
    await fill(json, JSON.stringify({ family: 'ff-web', containerDefinitions: [{ name: 'web', image: 'busybox', essential: true, memory: 128 }] }));
    await (await byText(page, 'button', 'Create', 'main form')).click();
    await heading(page, 'ff-web:1');
    await inTable(page, 'Containers', 'busybox');
    const td = (await ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: 'ff-web:1' }))).taskDefinition!;
    assert.deepEqual([td.family, td.containerDefinitions?.[0]?.image], ['ff-web', 'busybox']);

    // API Gateway: APIs, one API's routes, VPC links and the Create form: Tab reaches its fields, all labelled.
    await clickLink(page, 'API Gateway', NAV);
    await inTable(page, 'APIs', 'ff-api');
    await clickLink(page, 'ff-api', 'main');
    await heading(page, 'ff-api');
    await inTable(page, 'Routes', 'GET /hello');
    await shot(page, 'apigateway-api');
    await clickLink(page, 'VPC links', NAV);
    await heading(page, 'VPC links');
    await clickLink(page, 'Create', 'main');
    await heading(page, 'Create VPC link');
    const unlabelled = await page.evaluate(() =>
      [...(globalThis as unknown as InPage).document.querySelectorAll('main form input, main form select, main form textarea')]
        .filter((c) => !c.labels?.length)
        .map((c) => c.outerHTML),
    );
    assert.deepEqual(unlabelled, [], 'every field of Create VPC link has a <label>');
    const name = await byLabel(page, 'Name');
    let reachedName = false;
    for (let i = 0; i < 30 && !reachedName; i++) {
      await page.keyboard.press('Tab');
      reachedName = await name.evaluate((n) => (globalThis as unknown as InPage).document.activeElement === (n as unknown));
    }
    assert.ok(reachedName, 'Tab reaches the Name field');
    await page.keyboard.type('ff-link');
    await (await byLabel(page, subnet, { prefix: true })).click();
    await (await byLabel(page, `${sg} (web)`)).click();
    await shot(page, 'create-vpc-link');
    await (await byText(page, 'button', 'Create', 'main form')).click();
    await inTable(page, 'VPC links', 'AVAILABLE');
    const [link] = (await apigw.send(new AG.GetVpcLinksCommand({}))).Items!;
    assert.deepEqual([link?.Name, link?.SubnetIds, link?.SecurityGroupIds], ['ff-link', [subnet], [sg]]);

    // Cloud Map: namespaces, a namespace's services, a service's instances with health.
    await clickLink(page, 'AWS Cloud Map', NAV);
    await inTable(page, 'Namespaces', 'shop');
    await clickLink(page, 'shop', 'main');
    await clickLink(page, 'cart', 'main');
    await inTable(page, 'Service instances', 'HEALTHY');
    await shot(page, 'cloudmap-instances');
    await clickLink(page, 'AWS Cloud Map', NAV);
    await clickLink(page, zoneId, 'main table');
    await heading(page, 'ff.local.');
    await inTable(page, 'Records', 'SOA');

    // ECR, CloudFormation, Logs (group, stream, events), Topology.
    await clickLink(page, 'Amazon ECR', NAV);
    await inTable(page, 'Private repositories', repo.repositoryUri!);
    // CloudFormation: Create stack from an uploaded template file (File.text() in Firefox), Next reads
    // its parameter, Submit; the stack's output shows, and the SDK sees the cluster it made.
    await clickLink(page, 'CloudFormation', NAV);
    await heading(page, 'Stacks');
    await clickLink(page, 'Create stack', 'main');
    const template = templateFile(
      JSON.stringify({
        Parameters: { ClusterName: { Type: 'String', Default: 'x', Description: 'The ECS cluster name' } },
        Resources: { Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: { Ref: 'ClusterName' } } } },
        Outputs: { ClusterArn: { Value: { 'Fn::GetAtt': ['Cluster', 'Arn'] } } },
      }),
    );
    await ((await byLabel(page, 'Upload a template file')) as ElementHandle<never>).uploadFile(template);
    await page.waitForFunction(() => [...(globalThis as unknown as InPage).document.querySelectorAll('textarea')].some((t) => t.value.includes('AWS::ECS::Cluster')), {
      timeout: 30_000,
    });
    await (await byText(page, 'button', 'Next', 'main form')).click();
    await fill(await byLabel(page, 'ClusterName'), 'from-firefox');
    await fill(await byLabel(page, 'Stack name'), 'ff-stack');
    await (await byText(page, 'button', 'Submit', 'main form')).click();
    await heading(page, 'ff-stack');
    await inTable(page, 'Outputs', 'cluster/from-firefox');
    await shot(page, 'cloudformation-stack');
    const [stack] = (await new CFN.CloudFormationClient(cfg).send(new CFN.DescribeStacksCommand({ StackName: 'ff-stack' }))).Stacks!;
    assert.deepEqual(stack?.Parameters, [{ ParameterKey: 'ClusterName', ParameterValue: 'from-firefox' }]);
    assert.equal((await ecs.send(new ECS.DescribeClustersCommand({ clusters: ['from-firefox'] }))).clusters?.[0]?.status, 'ACTIVE');
    await clickLink(page, 'CloudWatch Logs', NAV);
    await clickLink(page, '/ecs/ff', 'main');
    await clickLink(page, 'ecs/web/1', 'main');
    await inTable(page, 'Log events', 'hello from firefox test');
    await clickLink(page, 'Topology', NAV);
    await clickLink(page, `ff-api (${api.ApiId})`, 'main');
    await heading(page, 'Topology of ff-api');
    await byText(page, 'section', 'GET /hello', 'main');
    // The request stream (a second EventSource) draws a request sent from outside, without a reload.
    await byText(page, 'p', 'Recording:', 'main');
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    assert.equal((await invokeApi(server, api.ApiId!, { path: '/nope' })).status, 404);
    await inTable(page, 'Recent requests', '/nope');
    assert.equal(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded), true);
    await shot(page, 'topology');

    // An API error, shown as the AWS console shows it: Create service in a cluster that does not exist.
    await page.goto(`http://localhost:${server.port}/_wayfinder/console/#/ecs/clusters/no-such-cluster/create-service`);
    await (await byLabel(page, 'Family')).select('flask-app');
    await (await byLabel(page, 'Revision')).select('1');
    await fill(await byLabel(page, 'Service name'), 'web');
    await (await byLabel(page, 'VPC')).select(vpc);
    await (await byText(page, 'button', 'Create', 'main form')).click();
    const alert = await byText(page, '[role=alert]', 'Exception', 'main');
    assert.match((await alert.evaluate((a) => a.textContent)) ?? '', /^ClusterNotFoundException: /);
    await shot(page, 'cluster-not-found');

    // SigV4 on Firefox's WebCrypto: the page's signer gives the SDK signer's signature for the same request.
    const date = new Date('2026-12-03T12:00:00Z');
    const body = JSON.stringify({ cluster: 'ff-cluster', note: 'ünïcode ✓' });
    const inPage = await page.evaluate(
      async (b: string, when: number, url: string) => {
        const { sign } = (await import(url)) as { sign: (req: object, creds: object, now: Date) => Promise<{ authorization: string }> };
        const req = {
          method: 'POST',
          path: '/',
          query: new URLSearchParams('b=2&a=x y'),
          headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListServices' },
          body: b,
          region: 'us-east-1',
          service: 'ecs',
        };
        return (await sign(req, { accessKeyId: 'test', secretAccessKey: 'test' }, new Date(when))).authorization;
      },
      body,
      date.getTime(),
      '/_wayfinder/console/app/sigv4.js',
    );
    const sdk = await new SignatureV4({
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      region: 'us-east-1',
      service: 'ecs',
      sha256: NodeSha256,
      applyChecksum: false,
    }).sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: 'localhost',
        port: server.port,
        path: '/',
        query: { b: '2', a: 'x y' },
        headers: { host: `localhost:${server.port}`, 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListServices' },
        body,
      },
      { signingDate: date },
    );
    assert.equal(inPage, sdk.headers.authorization);

    assert.deepEqual(errors, [], 'no page logged a JavaScript error');
  } catch (e) {
    const page = (await browser.pages()).at(-1);
    await page?.screenshot({ path: join(SCREENSHOTS, 'firefox-failure.png'), fullPage: true }).catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    await server.destroy();
  }
});
